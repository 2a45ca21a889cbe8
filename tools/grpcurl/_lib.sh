# Shared by every script in tools/grpcurl/ (sourced, not run).
#
# Each script calls one front-desk use case with grpcurl. When grpcurl is not installed (or
# GRPC_CLIENT=buf), the same call runs through `buf curl` instead, so CI proves every script.
# The calls use the .proto files in protos/, so they work with server reflection off.
#
# Environment:
#   GATEWAY_ADDR    host:port of the gateway's gRPC endpoint (default 127.0.0.1:5080)
#   GATEWAY_TLS     1 to use TLS (https); default: plaintext h2c
#   GATEWAY_CACERT  PEM file of the CA that signed the gateway's certificate (with GATEWAY_TLS=1)
#   PG_API_KEY      the client's API key, sent as x-api-key (default: the embedded default's development key)
#   PG_OPERATOR_ID  the operator at the desk, sent as x-operator-id (default demo-operator)
#   PG_PURPOSE      the purpose of access, sent as x-access-purpose (default citizen-enquiry)
#   PG_CONSENT_TOKEN  the citizen's consent token (confirm-consent.sh), sent as x-consent-token when set
#   GRPC_HEADERS    extra request metadata, one "name: value" per line
#   GRPC_CLIENT     grpcurl | buf | auto (default auto: grpcurl when installed, else buf curl)
#   PG_DELIVERY_MODE  the writes' delivery_mode: SYNC (default) or ACCEPT_WHEN_UNAVAILABLE
#   BUF             the buf binary (default: buf on PATH, else node_modules/.bin/buf)

set -euo pipefail

GRPCURL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$GRPCURL_DIR/../.." && pwd)"
PROTOS="$REPO_ROOT/protos"
TOOL_PROTOS="$GRPCURL_DIR/protos"
SEED="$REPO_ROOT/src/ProviderGateway.DemoProviders/seed/demo-seed.json"
: "${GATEWAY_ADDR:=127.0.0.1:5080}"
: "${GATEWAY_TLS:=0}"
: "${GRPC_CLIENT:=auto}"
: "${GRPC_HEADERS:=}"
: "${PG_API_KEY=pg-development-key-NOT-FOR-PRODUCTION}"
: "${PG_OPERATOR_ID=demo-operator}"
: "${PG_PURPOSE=citizen-enquiry}"
: "${PG_DELIVERY_MODE:=SYNC}"

FRONT_DESK=providergateway.frontdesk.v1.FrontDeskService

pg_client() {
  case "$GRPC_CLIENT" in
    grpcurl|buf) echo "$GRPC_CLIENT" ;;
    auto) if command -v grpcurl >/dev/null 2>&1; then echo grpcurl; else echo buf; fi ;;
    *) echo "GRPC_CLIENT must be grpcurl, buf or auto" >&2; exit 2 ;;
  esac
}

pg_buf() {
  if [ -n "${BUF:-}" ]; then echo "$BUF"
  elif command -v buf >/dev/null 2>&1; then command -v buf
  elif [ -x "$REPO_ROOT/node_modules/.bin/buf" ]; then echo "$REPO_ROOT/node_modules/.bin/buf"
  else echo "Neither grpcurl nor buf found: run 'npm ci' in $REPO_ROOT (installs buf)." >&2; exit 2
  fi
}

# pg_call <full method> <json request>: one call, its JSON response on stdout (a streamed one: each message). Exit code: 0 on OK;
# otherwise grpcurl's or buf curl's (buf curl: the gRPC code shifted left by 3).
pg_call() {
  local method="$1" data="$2" headers=()
  [ -n "$PG_API_KEY" ] && headers+=(-H "x-api-key: $PG_API_KEY")
  [ -n "$PG_OPERATOR_ID" ] && headers+=(-H "x-operator-id: $PG_OPERATOR_ID")
  [ -n "$PG_PURPOSE" ] && headers+=(-H "x-access-purpose: $PG_PURPOSE")
  [ -n "${PG_CONSENT_TOKEN:-}" ] && headers+=(-H "x-consent-token: $PG_CONSENT_TOKEN")
  while IFS= read -r line; do
    [ -n "$line" ] && headers+=(-H "$line")
  done <<< "$GRPC_HEADERS"

  if [ "$(pg_client)" = grpcurl ]; then
    local tls=(-plaintext)
    if [ "$GATEWAY_TLS" = 1 ]; then tls=(); [ -n "${GATEWAY_CACERT:-}" ] && tls=(-cacert "$GATEWAY_CACERT"); fi
    grpcurl "${tls[@]}" "${headers[@]}" \
      -import-path "$PROTOS" -import-path "$TOOL_PROTOS" \
      -proto providergateway/frontdesk/v1/front_desk.proto -proto google/rpc/error_details.proto \
      -proto grpc/health/v1/health.proto \
      -format-error -d "$data" "$GATEWAY_ADDR" "$method"
  else
    local scheme=http tls=(--http2-prior-knowledge)
    if [ "$GATEWAY_TLS" = 1 ]; then scheme=https; tls=(); [ -n "${GATEWAY_CACERT:-}" ] && tls=(--cacert "$GATEWAY_CACERT"); fi
    "$(pg_buf)" curl --schema "$PROTOS" --schema "$TOOL_PROTOS" --protocol grpc "${tls[@]}" "${headers[@]}" \
      -d "$data" "$scheme://$GATEWAY_ADDR/$method"
  fi
}

# pg_seed <query> [args...]: a value from the demo seed file (see seed-query.js).
pg_seed() {
  node "$GRPCURL_DIR/seed-query.js" "$SEED" "$@"
}

# pg_uuid: a new idempotency key.
pg_uuid() {
  cat /proc/sys/kernel/random/uuid
}

# pg_today: today's date in Kazakhstan (UTC+5 all year since 2024) as a google.type.Date JSON object.
pg_today() {
  date -u -d '+5 hours' +'{"year":%Y,"month":%-m,"day":%-d}'
}

# pg_delivery_mode: the writes' delivery_mode JSON field from PG_DELIVERY_MODE.
pg_delivery_mode() {
  case "$PG_DELIVERY_MODE" in
    SYNC|ACCEPT_WHEN_UNAVAILABLE) echo "\"delivery_mode\":\"DELIVERY_MODE_$PG_DELIVERY_MODE\"" ;;
    *) echo "PG_DELIVERY_MODE must be SYNC or ACCEPT_WHEN_UNAVAILABLE" >&2; exit 2 ;;
  esac
}
