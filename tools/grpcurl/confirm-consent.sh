#!/usr/bin/env bash
# Confirm a consent request with the code the citizen received: prints the consent and its token.
# Send the token with the calls that need it: PG_CONSENT_TOKEN=<token> overview.sh (sent as x-consent-token).
# Usage: confirm-consent.sh REQUEST_ID CODE
#   grpcurl -plaintext -d '{"request_id":"…","code":"123456"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/ConfirmConsent
source "$(dirname "$0")/_lib.sh"
if [ $# -ne 2 ]; then echo "Usage: confirm-consent.sh REQUEST_ID CODE" >&2; exit 2; fi
pg_call "$FRONT_DESK/ConfirmConsent" "{\"request_id\":\"$1\",\"code\":\"$2\"}"
