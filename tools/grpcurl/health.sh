#!/usr/bin/env bash
# The gateway's standard gRPC health check (grpc.health.v1). SERVICE "" is the gateway as a whole.
# Usage: health.sh [SERVICE]
#   grpcurl -plaintext -d '{"service":""}' 127.0.0.1:5080 grpc.health.v1.Health/Check
source "$(dirname "$0")/_lib.sh"
pg_call grpc.health.v1.Health/Check "{\"service\":\"${1:-}\"}"
