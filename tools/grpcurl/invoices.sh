#!/usr/bin/env bash
# The invoices of one utility account, newest first.
# Usage: invoices.sh [PROVIDER_ID ACCOUNT_NUMBER [IIN [PAGE_SIZE]]]
#   grpcurl -plaintext -d '{"provider_id":"alatau-power","iin":"791028302728","account_number":"AP-1952-000105"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/ListUtilityInvoices
source "$(dirname "$0")/_lib.sh"
IIN="${3:-$(pg_seed demo-iin)}"
read -r PROVIDER ACCOUNT _ <<< "$(pg_seed account "$IIN")"
PROVIDER="${1:-$PROVIDER}"
ACCOUNT="${2:-$ACCOUNT}"
pg_call "$FRONT_DESK/ListUtilityInvoices" "{\"provider_id\":\"$PROVIDER\",\"iin\":\"$IIN\",\"account_number\":\"$ACCOUNT\",\"page_size\":${4:-0}}"
