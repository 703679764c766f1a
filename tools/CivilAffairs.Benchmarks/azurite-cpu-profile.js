// Diagnostic: node --require this into an Azurite process with AZURITE_CPU_PROFILE_DIR set; writes one CPU profile
// per AZURITE_CPU_PROFILE_SECONDS window (default 300) as <dir>/<service>-<pid>-<n>.cpuprofile.
"use strict";
const inspector = require("inspector");
const fs = require("fs");
const path = require("path");
const dir = process.env.AZURITE_CPU_PROFILE_DIR;
if (dir) {
  const seconds = Number(process.env.AZURITE_CPU_PROFILE_SECONDS || 300);
  const name = path.basename(path.dirname(process.argv[1] || "x"));
  const session = new inspector.Session();
  session.connect();
  let n = 0;
  const start = () => session.post("Profiler.enable", () => session.post("Profiler.setSamplingInterval", { interval: 1000 }, () => session.post("Profiler.start")));
  const flush = (done) => session.post("Profiler.stop", (err, res) => {
    if (!err) fs.writeFileSync(path.join(dir, `${name}-${process.pid}-${String(n++).padStart(2, "0")}.cpuprofile`), JSON.stringify(res.profile));
    if (done) done(); else start();
  });
  start();
  const timer = setInterval(() => flush(), seconds * 1000);
  timer.unref();
  process.on("SIGUSR2", () => flush());
}
