// Loaded into Azurite's table process (node --require) by the one-machine runtime.
//
// Azurite 3.x answers every table query by running the filter over every row of the table and sorting what
// matches (LokiTableMetadataStore.queryTableEntities: collection.chain().where(filter).sort()), although the
// collection keeps an index on PartitionKey. Azure Table Storage answers a query on one partition from that
// partition. On one machine this made every partition query cost as much as the whole table: the durable
// backend reads an orchestration's history with "PartitionKey eq '<instance>'", so each replay scanned the
// whole History table, and the platform slowed down as its tables grew.
//
// This narrows a query to its partition through the index first, when the filter fixes the partition: it has
// a "PartitionKey eq '<value>'" term and no "or"/"not" anywhere (so the term is one of the conditions that must
// all hold). The filter itself still runs on the rows of that partition, so the answer is the same; anything
// else goes through Azurite unchanged.
"use strict";
const path = require("path");

const dist = process.env.AZURITE_DIST;
if (!dist) throw new Error("azurite-table-index.js: AZURITE_DIST (the folder of azurite.js) is not set");
const Store = require(path.join(dist, "table", "persistence", "LokiTableMetadataStore.js")).default;
if (!Store || typeof Store.prototype.queryTableEntities !== "function" || typeof Store.prototype.getEntityCollection !== "function") {
  throw new Error("azurite-table-index.js: this Azurite version has no LokiTableMetadataStore.queryTableEntities; update the shim");
}

/** Splits an OData filter into words, symbols and quoted literals ('' is an escaped quote inside a literal). */
function tokens(filter) {
  const result = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i];
    if (c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= filter.length) return null; // unterminated: leave it to Azurite
        if (filter[i] === "'") {
          if (filter[i + 1] === "'") { value += "'"; i += 2; continue; }
          i++;
          break;
        }
        value += filter[i++];
      }
      result.push({ literal: value });
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === "(" || c === ")") {
      result.push({ word: c });
      i++;
    } else {
      let word = "";
      while (i < filter.length && !/[\s()']/.test(filter[i])) word += filter[i++];
      result.push({ word });
    }
  }
  return result;
}

/** The partition a filter is limited to, or undefined when it is not limited to exactly one. */
function partitionOf(filter) {
  if (typeof filter !== "string" || filter.length === 0) return undefined;
  const t = tokens(filter);
  if (!t) return undefined;
  if (t.some(x => x.word !== undefined && /^(or|not)$/i.test(x.word))) return undefined;
  const values = new Set();
  for (let i = 0; i + 2 < t.length; i++) {
    if (t[i].word === "PartitionKey" && t[i + 1].word !== undefined && t[i + 1].word.toLowerCase() === "eq" && t[i + 2].literal !== undefined) {
      values.add(t[i + 2].literal);
    }
  }
  return values.size === 1 ? [...values][0] : undefined;
}

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
