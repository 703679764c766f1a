// Loaded into each Azurite process (node --require) when the benchmarks ask for request statistics
// (AZURITE_REQUEST_STATS=<file>). Counts every request by service, kind and resource, with its time in Azurite
// (arrival of the request to the end of the response), and samples the event loop's lag: a node process serves one
// request at a time, so a long request delays every other one behind it. Written to the file as JSON every 2 s.
"use strict";
const http = require("http");
const fs = require("fs");
const { partitionOf } = require("./azurite-odata.js");

const file = process.env.AZURITE_REQUEST_STATS;
const service = process.env.AZURITE_SERVICE || "all";
const stats = new Map();
const lag = { samples: 0, over100ms: 0, over1s: 0, over10s: 0, maxMs: 0 };
const started = Date.now();

function bucketOf(ms) {
  return ms < 10 ? "<10ms" : ms < 100 ? "<100ms" : ms < 1000 ? "<1s" : ms < 10000 ? "<10s" : ">=10s";
}

/** Collapses a resource name into the code that owns it (task hub, partner units, platform tables). */
function resourceOf(name) {
  if (!name) return "(account)";
  if (/^partner-[a-z0-9-]+-requests$/i.test(name)) return "partner-*-requests";
  if (/-control-\d+$/i.test(name)) return name.replace(/-\d+$/, "-*");
  if (/-poison$/i.test(name)) return "*-poison";
  return name;
}

function classify(req) {
  const url = new URL(req.url, "http://x");
  const parts = url.pathname.split("/").filter(Boolean); // [account, resource, ...]
  const method = req.method;
  if (service === "table") {
    const target = decodeURIComponent(parts[1] || "");
    if (target === "$batch") return ["batch", "(batch)"];
    if (/^Tables/.test(target)) return ["tables", "(tables)"];
    const m = /^([^(]+)(\((.*)\))?$/.exec(target);
    const table = m ? m[1] : target;
    const keyed = m && m[3] && m[3].length > 0;
    if (method === "GET") {
      if (keyed) return ["point read", table];
      const filter = url.searchParams.get("$filter");
      const onePartition = partitionOf(filter) !== undefined;
      return [onePartition ? "query (one partition)" : "query (scan)", table, (filter || "(no filter)").replace(/'[^']*'/g, "'…'").slice(0, 160)];
    }
    return [method === "DELETE" ? "delete" : keyed ? "write" : "insert", table];
  }
  if (service === "queue") {
    const queue = parts[1];
    if (parts[2] === "messages") {
      if (method === "GET") return [url.searchParams.get("peekonly") === "true" ? "peek" : "receive", resourceOf(queue)];
      if (method === "POST") return ["send", resourceOf(queue)];
      if (method === "DELETE") return ["delete", resourceOf(queue)];
      if (method === "PUT") return ["update", resourceOf(queue)];
    }
    return ["admin " + method, resourceOf(queue)];
  }
  return [method, parts[1] || "(account)"];
}

const originalEmit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req, res) {
  if (event === "request") {
    const begin = process.hrtime.bigint();
    let kind, resource, example;
    try { [kind, resource, example] = classify(req); } catch { kind = "unclassified"; resource = "?"; }
    res.once("finish", () => {
      const ms = Number(process.hrtime.bigint() - begin) / 1e6;
      const key = service + "|" + kind + "|" + resource;
      let s = stats.get(key);
      if (!s) { s = { service, kind, resource, count: 0, totalMs: 0, maxMs: 0, histogram: {}, examples: [] }; stats.set(key, s); }
      // A few query shapes (literals blanked), to see which code issues a scan.
      if (example && s.examples.length < 3 && !s.examples.includes(example)) s.examples.push(example);
      s.count++;
      s.totalMs += ms;
      if (ms > s.maxMs) s.maxMs = ms;
      const b = bucketOf(ms);
      s.histogram[b] = (s.histogram[b] || 0) + 1;
    });
  }
  return originalEmit.apply(this, arguments);
};

let expected = Date.now() + 100;
setInterval(() => {
  const now = Date.now();
  const late = Math.max(0, now - expected);
  lag.samples++;
  if (late > 100) lag.over100ms++;
  if (late > 1000) lag.over1s++;
  if (late > 10000) lag.over10s++;
  if (late > lag.maxMs) lag.maxMs = late;
  expected = now + 100;
}, 100).unref();

function write() {
  const body = JSON.stringify({ service, since: new Date(started).toISOString(), at: new Date().toISOString(), lag, requests: [...stats.values()] });
  try {
    fs.writeFileSync(file + ".tmp", body);
    fs.renameSync(file + ".tmp", file);
  } catch { /* the benchmark reads what is there */ }
}
if (file) setInterval(write, 2000).unref();
