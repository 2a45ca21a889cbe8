#!/usr/bin/env bash
# Installs what the tests and the grpcurl scripts need, on a fresh Debian machine or a developer's:
#   - buf (lint, format, breaking, curl), from npm at the version pinned in package-lock.json.
# Safe to run again: it only installs what is missing or out of date.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1 || { echo "setup: '$1' is required but not installed ($2)." >&2; exit 1; }; }
need dotnet "install the .NET 10 SDK"
need node "install Node.js 20 or newer"
need npm "install npm"

# buf from npm: reinstall when package-lock.json is newer than the installed tree.
if [ ! -x node_modules/.bin/buf ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing buf from npm (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
node_modules/.bin/buf --version >/dev/null
