#!/usr/bin/env bash
# Installs what the tests need (system libraries, npm packages for Azurite, NuGet packages incl. the Bicep CLI),
# builds the solution and runs every test project. Test fixtures start Azurite on free ports
# and the one-machine runtime themselves. Ends with one line: "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
CONFIG="${CONFIG:-Release}"

tools/install-system-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

echo "==> npm ci (Azurite)"
npm ci --no-audit --no-fund --loglevel=error || { echo "0 passed, 1 failed"; exit 1; }

echo "==> dotnet build ($CONFIG)"
dotnet build CivilAffairs.Functions.sln -c "$CONFIG" -nologo -clp:ErrorsOnly -v minimal || { echo "0 passed, 1 failed"; exit 1; }

results="$(pwd)/TestResults"
rm -rf "$results"
echo "==> dotnet test"
dotnet test CivilAffairs.Functions.sln -c "$CONFIG" --no-build --nologo \
  --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results"
status=$?

read -r passed failed skipped < <(python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
p = f = s = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(path).getroot().find(".//{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    s += int(c.get("notExecuted", 0))
print(p, f, s)
PY
)
if [ "${passed:-0}" -eq 0 ] && [ "$status" -ne 0 ]; then failed=$(( ${failed:-0} + 1 )); fi
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then failed=1; fi
line="${passed:-0} passed, ${failed:-0} failed"
if [ "${skipped:-0}" -gt 0 ]; then line="$line, $skipped skipped"; fi
echo "$line"
[ "${failed:-0}" -eq 0 ] && [ "$status" -eq 0 ]
