#!/usr/bin/env bash
# Citizen overview: what every provider (utilities, land registry, social services) holds about a
# citizen, one result per provider with its status, latency and freshness.
# Usage: overview.sh [IIN] [KATO_CODE]     (defaults: the first demo citizen; every district)
#   grpcurl -plaintext -d '{"iin":"791028302728"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/GetCitizenOverview
source "$(dirname "$0")/_lib.sh"
IIN="${1:-$(pg_seed demo-iin)}"
KATO="${2:-}"
pg_call "$FRONT_DESK/GetCitizenOverview" "{\"iin\":\"$IIN\",\"kato_code\":\"$KATO\"}"
