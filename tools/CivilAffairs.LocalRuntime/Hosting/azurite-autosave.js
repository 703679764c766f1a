// Loaded into each Azurite process (node --require) when Azurite keeps its data on disk.
//
// Azurite's stores are LokiJS databases that save themselves every 5 s when changed, each time serialising the whole
// database (every row of every table) to JSON on the one event loop. Under steady load that is every 5 s, and it costs
// more as the tables grow: the one-machine platform slowed down over half an hour as its History table grew. This sets
// the interval to AZURITE_AUTOSAVE_MS. Nothing more is lost on a clean stop: the runtime stops Azurite with SIGINT, on
// which Azurite closes its stores and they save what changed.
"use strict";
const path = require("path");

const dist = process.env.AZURITE_DIST;
const interval = Number(process.env.AZURITE_AUTOSAVE_MS);
if (!dist) throw new Error("azurite-autosave.js: AZURITE_DIST (the folder of azurite.js) is not set");
if (!Number.isFinite(interval) || interval < 1000) throw new Error("azurite-autosave.js: AZURITE_AUTOSAVE_MS must be at least 1000");
const Loki = require(require.resolve("lokijs", { paths: [dist] }));
if (typeof Loki.prototype.configureOptions !== "function") throw new Error("azurite-autosave.js: this LokiJS has no configureOptions; update the shim");

const configure = Loki.prototype.configureOptions;
Loki.prototype.configureOptions = function (options, initialConfig) {
  if (options && options.autosave && options.autosaveInterval) options = Object.assign({}, options, { autosaveInterval: interval });
  return configure.call(this, options, initialConfig);
};
