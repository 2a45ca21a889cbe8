#!/usr/bin/env bash
# Makes a minimal production configuration of the gateway: one file, appsettings.Production.json, with freshly
# generated secrets, plus the journal's signing key; prints the first desk client's API key once.
#   tools/provision/new-production-config.sh [--out DIR] [--journal PATH] [--client ID] [--redis HOST:PORT] [--postgres CONNSTR]
#     --out DIR        where to write (default ./providergateway-production; refuses to overwrite)
#     --journal PATH   the access journal's file (default /var/lib/providergateway/access-journal.jsonl)
#     --client ID      the first desk client's id (default front-desk)
#     --redis H:P      a shared Redis (adds Gateway:Caching:Redis and the values' EncryptionKey); default memory only
#     --postgres CS    durable submissions in PostgreSQL (an Npgsql connection string; password via PGPASSWORD or a
#                      passfile); default a SQLite file beside the journal (one instance)
# Then: copy appsettings.Production.json next to ProviderGateway.dll (the Production environment, the default, reads
# it) or pass its keys as environment variables; add your provider's entry (docs/provider-guide.md, section 6) and
# start the gateway. Files are 0600: the file holds every secret of the gateway (cache, journal, page tokens, submissions).
set -euo pipefail
command -v openssl >/dev/null 2>&1 || { echo "new-production-config: openssl is required" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "new-production-config: python3 is required" >&2; exit 2; }
out="providergateway-production"; journal="/var/lib/providergateway/access-journal.jsonl"; client="front-desk"; redis=""; postgres=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2;;
    --journal) journal="$2"; shift 2;;
    --client) client="$2"; shift 2;;
    --redis) redis="$2"; shift 2;;
    --postgres) postgres="$2"; shift 2;;
    -h|--help) sed -n '2,13p' "$0"; exit 0;;
    *) echo "new-production-config: unknown argument '$1' (see --help)" >&2; exit 2;;
  esac
done
if [ -e "$out/appsettings.Production.json" ] || [ -e "$out/journal-signing-key.pem" ]; then
  echo "new-production-config: $out already holds a configuration; not overwriting secrets" >&2; exit 1
fi
umask 077
mkdir -p "$out"
out="$(cd "$out" && pwd)"
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$out/journal-signing-key.pem"
openssl ec -in "$out/journal-signing-key.pem" -pubout -out "$out/journal-signing-key.pub.pem" 2>/dev/null
chmod 644 "$out/journal-signing-key.pub.pem"
api_key="pgk_$(openssl rand 32 | base64 | tr '+/' '-_' | tr -d '=\n')"
OUT="$out" JOURNAL="$journal" CLIENT="$client" REDIS="$redis" POSTGRES="$postgres" SEAL_KEY="$(openssl rand -base64 32)" CITIZEN_KEY="$(openssl rand -base64 32)" API_KEY_SHA256="$(printf '%s' "$api_key" | sha256sum | cut -d' ' -f1)" \
KEY_SECRET="$(openssl rand -base64 32)" ENCRYPTION_KEY="$(openssl rand -base64 32)" CHAIN_KEY="$(openssl rand -base64 32)" \
SUBJECT_KEY="$(openssl rand -base64 32)" PAGE_TOKEN_KEY="$(openssl rand -base64 32)" python3 - <<'PY'
import json, os
e = os.environ
caching = {"KeySecret": e["KEY_SECRET"]}
if e["REDIS"]:
    caching.update({"Redis": e["REDIS"], "EncryptionKey": e["ENCRYPTION_KEY"]})
config = {
    "Gateway": {
        "Caching": caching,
        "Security": {
            "Clients": [{
                "Id": e["CLIENT"],
                "ApiKeySha256": [e["API_KEY_SHA256"]],
                "Permissions": ["*"],
                "Districts": ["*"],
            }],
            "Journal": {
                "Path": e["JOURNAL"],
                "ChainKey": e["CHAIN_KEY"],
                "SubjectKey": e["SUBJECT_KEY"],
                "SigningKey": os.path.join(e["OUT"], "journal-signing-key.pem"),
            },
            "PageTokens": {"Key": e["PAGE_TOKEN_KEY"]},
        },
        "Submissions": {
            "Store": "Postgres" if e["POSTGRES"] else "Sqlite",
            "SealKey": e["SEAL_KEY"],
            "CitizenKey": e["CITIZEN_KEY"],
        },
        "Providers": [],
    },
}
if e["POSTGRES"]:
    config["Gateway"]["Submissions"]["ConnectionString"] = e["POSTGRES"]
with open(os.path.join(e["OUT"], "appsettings.Production.json"), "w") as f:
    json.dump(config, f, indent=2)
    f.write("\n")
PY
cat <<MSG
Written to $out (0600):
  appsettings.Production.json   every secret of the gateway; copy it next to ProviderGateway.dll
  journal-signing-key.pem       signs the journal's checkpoints (stays on the gateway's host)
  journal-signing-key.pub.pem   for auditors: tools/journal/verify-journal.py --public-key
API key of desk client '$client' (shown once; the file holds only its SHA-256; metadata x-api-key):
  $api_key
Next: narrow the client's Permissions and Districts, add your provider under Gateway:Providers (one entry,
docs/provider-guide.md section 6), make sure the journal's folder exists and is writable, and start the gateway.
MSG
