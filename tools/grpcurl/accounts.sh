#!/usr/bin/env bash
# A citizen's utility accounts across every utility provider (merged, paged).
# Usage: accounts.sh [IIN] [PAGE_SIZE] [PAGE_TOKEN]
#   grpcurl -plaintext -d '{"iin":"791028302728"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/ListUtilityAccounts
source "$(dirname "$0")/_lib.sh"
IIN="${1:-$(pg_seed demo-iin)}"
pg_call "$FRONT_DESK/ListUtilityAccounts" "{\"iin\":\"$IIN\",\"page_size\":${2:-0},\"page_token\":\"${3:-}\"}"
