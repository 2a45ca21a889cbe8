#!/usr/bin/env bash
# Ask for a citizen's consent: the consent authority sends the citizen a one-time code (5 minutes,
# 5 attempts) for this client's access to the kinds of data listed, for the purpose in PG_PURPOSE.
# Usage: request-consent.sh [IIN] [SCOPES] [TERM]
#   (defaults: the first demo citizen; CONSENT_SCOPE_UTILITIES,CONSENT_SCOPE_LAND_REGISTRY,CONSENT_SCOPE_SOCIAL_SERVICES; 86400s)
#   grpcurl -plaintext -d '{"iin":"791028302728","scopes":["CONSENT_SCOPE_UTILITIES"],"term":"86400s"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/RequestConsent
# Then: the code (demo authority: consent-code.sh REQUEST_ID), confirm-consent.sh REQUEST_ID CODE.
source "$(dirname "$0")/_lib.sh"
IIN="${1:-$(pg_seed demo-iin)}"
SCOPES="${2:-CONSENT_SCOPE_UTILITIES,CONSENT_SCOPE_LAND_REGISTRY,CONSENT_SCOPE_SOCIAL_SERVICES}"
TERM_="${3:-86400s}"
pg_call "$FRONT_DESK/RequestConsent" "{\"iin\":\"$IIN\",\"scopes\":[\"${SCOPES//,/\",\"}\"],\"term\":\"$TERM_\"}"
