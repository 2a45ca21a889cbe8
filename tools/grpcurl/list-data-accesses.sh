#!/usr/bin/env bash
# A citizen's access history: who accessed their data, when, how and why, newest first (the journal's
# lines about the citizen, from every instance). Needs the access_history permission: a data-protection
# officer's key (the embedded default's: pg-officer-key-NOT-FOR-PRODUCTION), or a desk's with the citizen's
# consent for CONSENT_SCOPE_ACCESS_HISTORY (PG_CONSENT_TOKEN).
# Usage: list-data-accesses.sh [IIN] [DAYS_BACK] [PAGE_SIZE] [PAGE_TOKEN]   (defaults: the first demo citizen; 30 days; 50)
#   grpcurl -plaintext -H 'x-api-key: …' -d '{"iin":"791028302728","start_time":"2026-11-01T00:00:00Z","end_time":"2026-12-01T00:00:00Z"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/ListDataAccesses
source "$(dirname "$0")/_lib.sh"
IIN="${1:-$(pg_seed demo-iin)}"
DAYS="${2:-30}"
START="$(date -u -d "-$DAYS days" +%Y-%m-%dT%H:%M:%SZ)"
END="$(date -u -d '+1 minute' +%Y-%m-%dT%H:%M:%SZ)"
pg_call "$FRONT_DESK/ListDataAccesses" "{\"iin\":\"$IIN\",\"start_time\":\"$START\",\"end_time\":\"$END\",\"page_size\":${3:-0},\"page_token\":\"${4:-}\"}"
