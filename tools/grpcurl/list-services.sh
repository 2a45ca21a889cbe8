#!/usr/bin/env bash
# Lists the gRPC services. By default from the server's reflection (what this gateway really serves);
# with FROM_PROTOS=1 from the .proto files (works with reflection off).
# Usage: [FROM_PROTOS=1] list-services.sh
#   grpcurl -plaintext 127.0.0.1:5080 list
source "$(dirname "$0")/_lib.sh"
if [ "$(pg_client)" = grpcurl ]; then
  tls=(-plaintext); [ "$GATEWAY_TLS" = 1 ] && tls=()
  if [ "${FROM_PROTOS:-0}" = 1 ]; then
    grpcurl -import-path "$PROTOS" -import-path "$TOOL_PROTOS" -proto providergateway/frontdesk/v1/front_desk.proto -proto grpc/health/v1/health.proto list
  else
    grpcurl "${tls[@]}" "$GATEWAY_ADDR" list
  fi
else
  scheme=http; [ "$GATEWAY_TLS" = 1 ] && scheme=https
  if [ "${FROM_PROTOS:-0}" = 1 ]; then
    "$(pg_buf)" curl --schema "$PROTOS" --schema "$TOOL_PROTOS" --list-services
  else
    h2=(--http2-prior-knowledge); [ "$GATEWAY_TLS" = 1 ] && h2=()
    "$(pg_buf)" curl --protocol grpc "${h2[@]}" --reflect --list-services "$scheme://$GATEWAY_ADDR"
  fi
fi
