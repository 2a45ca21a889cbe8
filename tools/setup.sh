#!/usr/bin/env bash
# Installs what the tests and the grpcurl scripts need, on a fresh Debian machine or a developer's:
#   - buf (lint, format, breaking, curl), the Node.js gRPC packages of the tests' Node provider, axe-core (the
#     console's accessibility check) and kubernetes-models with yaml (deploy/kubernetes/validate.mjs, the manifests'
#     schema check), from npm at the versions pinned in package-lock.json;
#   - promtool, from Debian's prometheus package (the alerting rules' unit tests, deploy/prometheus/);
#   - chromium, from Debian (the front-desk console's browser tests drive it with Playwright, which never downloads one);
#   - redis-server, from Debian's packages (the tests start their own on free loopback ports);
#   - h2load, from Debian's nghttp2-client (the benchmark's load generator; tools/bench/run.sh);
#   - nginx, from Debian (the benchmark's grpc_pass peer; the load balancer of tools/cluster/cluster.py and its tests);
#   - python3 and python3-cryptography, from Debian (tools/journal/verify-journal.py and tools/security/scan-logs.py,
#     run by the tests);
#   - openssl's command line, from Debian (tools/provision/new-production-config.sh, run by the tests);
#   - the Python recipe's gRPC packages and code generator, from Debian (docs/recipes/python, run by the tests);
#   - PostgreSQL, from Debian (the tests run their own clusters, initdb in temporary folders on free loopback ports).
# Safe to run again: it only installs what is missing or out of date.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1 || { echo "setup: '$1' is required but not installed ($2)." >&2; exit 1; }; }
need dotnet "install the .NET 10 SDK"
need node "install Node.js 20 or newer"
need npm "install npm"

# npm packages: reinstall when one is missing or package-lock.json is newer than the installed tree.
if [ ! -x node_modules/.bin/buf ] || [ ! -d node_modules/@grpc/grpc-js ] || [ ! -d node_modules/grpc-health-check ] \
  || [ ! -f node_modules/axe-core/axe.min.js ] || [ ! -d node_modules/kubernetes-models ] || [ ! -d node_modules/yaml ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing buf, the Node.js gRPC packages and the manifests' schema check from npm (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
node_modules/.bin/buf --version >/dev/null

apt_install() {
  local sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${APT_UPDATED:-}" ]; then $sudo_cmd apt-get update -qq; APT_UPDATED=1; fi
  $sudo_cmd apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# redis-server from Debian: the caching tests run real Redis servers. The package's own service is not
# needed (the tests start theirs), so it is stopped if the package started it.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "setup: installing redis-server from Debian's packages"
  apt_install redis-server
  service redis-server stop >/dev/null 2>&1 || true
fi
redis-server --version >/dev/null

if ! command -v h2load >/dev/null 2>&1; then
  echo "setup: installing h2load (nghttp2-client) from Debian's packages"
  apt_install nghttp2-client
fi
h2load --version >/dev/null

# nginx from Debian: the benchmark's grpc_pass peer (it starts its own instances with their own configuration,
# so the package's service is stopped if the package started it).
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "setup: installing nginx from Debian's packages (the benchmark's grpc_pass peer)"
  apt_install nginx
  service nginx stop >/dev/null 2>&1 || true
fi

# openssl's command line from Debian: tools/provision/new-production-config.sh and tools/journal/new-journal-keys.sh
# generate keys with it, and the tests run the first.
if ! command -v openssl >/dev/null 2>&1; then
  echo "setup: installing openssl from Debian's packages (the key-generating tools)"
  apt_install openssl
fi
openssl version >/dev/null

if ! command -v python3 >/dev/null 2>&1; then
  echo "setup: installing python3 from Debian's packages"
  apt_install python3-minimal
fi
python3 --version >/dev/null

# python3-cryptography from Debian: tools/journal/verify-journal.py checks checkpoint signatures (ECDSA P-256) with it.
if ! python3 -c 'import cryptography' >/dev/null 2>&1; then
  echo "setup: installing python3-cryptography from Debian's packages (the journal verifier's signature checks)"
  apt_install python3-cryptography
fi
python3 -c 'import cryptography'

# The provider guide's Python recipe (docs/recipes/python, run by the functional tests), on Debian's packages alone:
# grpcio and protobuf for Debian's /usr/bin/python3, protoc 3.21 and its gRPC Python plugin, the well-known types'
# .proto files (libprotobuf-dev) and grpc.health.v1's (grpc-proto). The same list as the guide's section 4.
python_recipe_packages=(python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc libprotobuf-dev grpc-proto)
missing_packages=()
for package in "${python_recipe_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing_packages+=("$package")
done
if [ ${#missing_packages[@]} -gt 0 ]; then
  echo "setup: installing the Python recipe's packages from Debian: ${missing_packages[*]}"
  apt_install "${missing_packages[@]}"
fi
/usr/bin/python3 -c 'import grpc, google.protobuf'

# promtool from Debian's prometheus package: the tests run `promtool check rules` and `promtool test rules` on
# deploy/prometheus/. The package's own Prometheus server is not needed, so it is stopped if the package started it.
if ! command -v promtool >/dev/null 2>&1; then
  echo "setup: installing promtool (Debian's prometheus package)"
  apt_install prometheus
  service prometheus stop >/dev/null 2>&1 || true
fi
promtool --version >/dev/null 2>&1

# chromium from Debian: the console's browser tests (tests/ProviderGateway.FunctionalTests/DeskConsole) launch it through
# Playwright with ExecutablePath=/usr/bin/chromium; Playwright's own browser download is never used.
if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing chromium from Debian's packages (the console's browser tests)"
  apt_install chromium fonts-dejavu-core
fi
/usr/bin/chromium --version >/dev/null 2>&1 || { echo "setup: /usr/bin/chromium does not start" >&2; exit 1; }

# PostgreSQL from Debian: the tests make their own clusters (initdb into a temporary folder, run as the postgres user on
# a free loopback port). The package's own cluster is not needed: stopped, so that it holds no port or memory.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "setup: installing PostgreSQL from Debian's packages"
  apt_install postgresql
  service postgresql stop >/dev/null 2>&1 || true
fi
ls /usr/lib/postgresql/*/bin/initdb >/dev/null
command -v setpriv >/dev/null
