#!/usr/bin/env bash
# Installs what is needed (system libraries, npm packages for Azurite, NuGet packages), builds, and starts the
# whole platform on http://localhost:7071 with the embedded Azurite (data in ./.data, kept
# across runs) and demo data. Ctrl-C stops everything it started.
# Extra arguments go to the runtime, e.g. ./run.sh --port 8080
# To use real Azure Storage instead of Azurite: AzureWebJobsStorage="<connection string>" ./run.sh
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

tools/install-system-deps.sh || echo "    (continuing: only the local image-analysis engine needs it)"
if [ ! -d node_modules/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci (Azurite)"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "==> dotnet build"
dotnet build tools/CivilAffairs.LocalRuntime -c Release -nologo -clp:ErrorsOnly -v minimal
exec dotnet tools/CivilAffairs.LocalRuntime/bin/Release/net10.0/CivilAffairs.LocalRuntime.dll --data "$(pwd)/.data" --demo "$@"
