// Loaded into Azurite's queue process (node --require) by the one-machine runtime. Three corrections where Azurite's
// queue service does not scale with the messages it holds.
//
// 1. Garbage collection. Azurite keeps every queue message's body in an "extent" and, once a minute, its garbage collector deletes the
// extents no message refers to any more. It deletes them one at a time (ExtentStore.deleteExtents →
// LokiExtentMetadataStore.deleteExtent → collection.findAndRemove), and each removal from the LokiJS collection
// shifts the collection's arrays and indexes: O(n) per extent, O(n²) per sweep, all on the one event loop. A
// busy minute of the platform (60 partner queues, replies, durable control queues: some 20,000 messages) made a
// sweep block the queue service for minutes — measured 170 s — while every receive waited, timed out and tried
// again. This deletes a sweep's extents in one batch: one pass over the collection.
//
// 2. Finding a queue's messages. All queues' messages are in one LokiJS collection, indexed on queueName and messageId,
// but every receive, peek, count and expiry sweep asks for { accountName, queueName, … }, and LokiJS uses an index
// only for the first condition — accountName, the same for every message — so each receive scanned every message of
// every queue. Durable timers are invisible control-queue messages that wait for days (a pre-review's expiry, a
// publicity period), so the scan grew all day: over a 20-minute soak the queue process went from 0.3 to 0.7 of a core.
// The conditions are the same set whatever their order, so this puts the selective ones (messageId, queueName) first.
//
// 3. Removing nothing rebuilt every index. Before every receive, peek, delete and update Azurite removes the queue's
// expired messages (LokiQueueMetadataStore.clearExpiredMessages: find them, then collection.remove(docs)); almost
// always the list is empty. LokiJS removes an array of documents through removeBatchByPositions, which, whatever the
// array's length, rebuilds every binary index of the collection from scratch (ensureAllIndexes(true)): the message collection
// has four (accountName, queueName, messageId, visibleTime), each a sort of every message of every queue. So every
// queue request sorted all messages four times, and the cost grew with the messages held — durable timers wait
// invisible for days — which is what slowed the 30-minute soak (CPU profile of the queue process: LokiJS ensureIndex
// and its comparators the biggest item, growing window by window). This returns at once for an empty batch and
// removes a short batch one document at a time, which updates the indexes in place (the path remove(doc) takes).
// The shortcut sits in removeBatch, before LokiJS builds its $loki → position table of every document of the
// collection (also for an empty batch): with the rebuilds gone, that table was what still grew with the messages held
// (CPU profile of a 20-minute soak: clearExpiredMessages 1.4 → 3.3 → 10.3 s per 5 minutes, nearly all of it there).
"use strict";
const path = require("path");
const fs = require("fs");
const { promisify } = require("util");

const dist = process.env.AZURITE_DIST;
if (!dist) throw new Error("azurite-queue.js: AZURITE_DIST (the folder of azurite.js) is not set");
const persistence = path.join(dist, "common", "persistence");
const Metadata = require(path.join(persistence, "LokiExtentMetadataStore.js")).default;
const MemoryStore = require(path.join(persistence, "MemoryExtentStore.js")).default;
const FSStore = require(path.join(persistence, "FSExtentStore.js")).default;
for (const [name, type, method] of [["LokiExtentMetadataStore", Metadata, "deleteExtent"], ["MemoryExtentStore", MemoryStore, "deleteExtents"], ["FSExtentStore", FSStore, "deleteExtents"]]) {
  if (!type || typeof type.prototype[method] !== "function") {
    throw new Error(`azurite-queue.js: this Azurite version has no ${name}.${method}; update the shim`);
  }
}
const unlink = promisify(fs.unlink);
const Loki = require(require.resolve("lokijs", { paths: [dist] }));
if (!Loki.Resultset || typeof Loki.Resultset.prototype.find !== "function") throw new Error("azurite-queue.js: this LokiJS has no Resultset.find; update the shim");

const MESSAGES = "$MESSAGES_COLLECTION$";
const SELECTIVE = ["messageId", "queueName"];
const find = Loki.Resultset.prototype.find;
Loki.Resultset.prototype.find = function (query, firstOnly) {
  if (this.collection && this.collection.name === MESSAGES && query && typeof query === "object" && !Array.isArray(query)) {
    const keys = Object.keys(query);
    if (keys.length > 1 && SELECTIVE.some(k => keys.includes(k)) && !keys.some(k => k.startsWith("$"))) {
      const ordered = {};
      for (const k of SELECTIVE) if (keys.includes(k)) ordered[k] = query[k];
      for (const k of keys) if (!SELECTIVE.includes(k)) ordered[k] = query[k];
      query = ordered;
    }
  }
  return find.call(this, query, firstOnly);
};

const SHORT_BATCH = 16;
const removeBatch = Loki.Collection.prototype.removeBatch;
if (typeof removeBatch !== "function" || typeof Loki.Collection.prototype.get !== "function") throw new Error("azurite-queue.js: this LokiJS has no Collection.removeBatch; update the shim");
// collection.remove(array) ends here: documents or $loki ids.
Loki.Collection.prototype.removeBatch = function (batch) {
  if (!batch || batch.length === 0) return;
  if (batch.length <= SHORT_BATCH) {
    const docs = batch.map(item => this.get(typeof item === "object" ? item.$loki : item)).filter(Boolean);
    for (const doc of docs) this.remove(doc);
    return;
  }
  return removeBatch.call(this, batch);
};
const removeByPositions = Loki.Collection.prototype.removeBatchByPositions;
if (typeof removeByPositions !== "function" || typeof Loki.Collection.prototype.remove !== "function") throw new Error("azurite-queue.js: this LokiJS has no Collection.removeBatchByPositions; update the shim");
// Every batch removal (collection.remove(array), findAndRemove, resultset.remove) ends here.
Loki.Collection.prototype.removeBatchByPositions = function (positions) {
  if (!positions || positions.length === 0) return;
  if (positions.length <= SHORT_BATCH) {
    const docs = positions.map(p => this.data[p]).filter(Boolean); // positions move as documents go: take the documents first
    for (const doc of docs) this.remove(doc);
    return;
  }
  return removeByPositions.call(this, positions);
};

/** Removes the metadata of many extents in one pass over the collection. */
Metadata.prototype.deleteExtentsInOneBatch = function (ids) {
  if (ids.length === 0) return;
  const coll = this.db.getCollection(this.EXTENTS_COLLECTION);
  const wanted = new Set(ids);
  coll.chain().where(doc => wanted.has(doc.id)).remove();
};

MemoryStore.prototype.deleteExtents = async function (extents) {
  const ids = [...extents];
  for (const id of ids) {
    if (this.chunks.get(this.categoryName, id)) this.chunks.delete(this.categoryName, id);
  }
  this.metadataStore.deleteExtentsInOneBatch(ids);
  return ids.length;
};

FSStore.prototype.deleteExtents = async function (extents) {
  const gone = [];
  for (const id of extents) {
    if (this.isActiveExtent(id)) continue; // being written: not garbage yet
    const locationId = await this.metadataStore.getExtentLocationId(id);
    try {
      await unlink(this.generateExtentPath(locationId, id));
      gone.push(id);
    } catch (err) {
      if (err.code === "ENOENT") gone.push(id);
    }
  }
  this.metadataStore.deleteExtentsInOneBatch(gone);
  return gone.length;
};
