#!/usr/bin/env bash
# Makes a new API key for a gateway client and prints it with the hash to configure.
#   tools/security/new-api-key.sh [client-id]
# Give the key to the client's operators (it is shown once, here); put only the hash in the gateway's
# configuration, under Gateway:Security:Clients:N:ApiKeySha256. The gateway never stores the key itself.
set -euo pipefail
client="${1:-my-office}"
key="pgk_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
hash="$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)"
cat <<OUT
API key (give to the client; metadata x-api-key):
  $key

Gateway configuration (appsettings.json, under "Gateway": { "Security": { "Clients": [ ... ] } }):
  {
    "Id": "$client",
    "ApiKeySha256": [ "$hash" ],
    "Permissions": [ "*" ],
    "Districts": [ "*" ]
  }
Narrow Permissions (methods or domains) and Districts (KATO prefixes) to what the office needs.
OUT
