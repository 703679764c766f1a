// Loaded into Azurite's table process (node --require) by the one-machine runtime.
//
// Azurite 3.x answers every table query by running the filter over every row of the table and sorting what
// matches (LokiTableMetadataStore.queryTableEntities: collection.chain().where(filter).sort()), although the
// collection keeps an index on PartitionKey. Azure Table Storage answers a query on one partition from that
// partition. On one machine this made every partition query cost as much as the whole table: the durable
// backend reads an orchestration's history with "PartitionKey eq '<instance>'", so each replay scanned the
// whole History table, and the platform slowed down as its tables grew.
//
// This narrows a query to its partition through the index first, when the filter fixes the partition (see
// azurite-odata.js: a "PartitionKey eq '<value>'" term that must hold whatever the rest says). The filter itself
// still runs on the rows of that partition, so the answer is the same; anything else goes through Azurite unchanged.
"use strict";
const path = require("path");

const dist = process.env.AZURITE_DIST;
if (!dist) throw new Error("azurite-table-index.js: AZURITE_DIST (the folder of azurite.js) is not set");
const Store = require(path.join(dist, "table", "persistence", "LokiTableMetadataStore.js")).default;
if (!Store || typeof Store.prototype.queryTableEntities !== "function" || typeof Store.prototype.getEntityCollection !== "function") {
  throw new Error("azurite-table-index.js: this Azurite version has no LokiTableMetadataStore.queryTableEntities; update the shim");
}

const { partitionOf } = require("./azurite-odata.js");

const original = Store.prototype.queryTableEntities;
Store.prototype.queryTableEntities = function (context, account, table, queryOptions, ...rest) {
  const partition = partitionOf(queryOptions && queryOptions.filter);
  if (partition === undefined) return original.call(this, context, account, table, queryOptions, ...rest);
  const store = this;
  const narrowed = Object.create(store);
  narrowed.getEntityCollection = function (...args) {
    const collection = store.getEntityCollection(...args);
    return { chain: () => collection.chain().find({ PartitionKey: partition }) };
  };
  return original.call(narrowed, context, account, table, queryOptions, ...rest);
};

module.exports = { partitionOf };
