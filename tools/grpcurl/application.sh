#!/usr/bin/env bash
# Submits a benefit application (a write with a new request_id). The answer's
# application.application_id is what application-status.sh follows.
# Usage: application.sh [BENEFIT_TYPE [IIN [PROVIDER_ID [KATO_CODE [REQUEST_ID]]]]]
#   grpcurl -plaintext -d '{"provider_id":"targeted-assistance","kato_code":"195200000","request_id":"<uuid>","iin":"791028302728","benefit_type":"BENEFIT_TYPE_TARGETED_SOCIAL_ASSISTANCE"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/CreateBenefitApplication
# With PG_DELIVERY_MODE=ACCEPT_WHEN_UNAVAILABLE a provider that cannot take it gives a submission receipt
# (follow it with submission.sh).
source "$(dirname "$0")/_lib.sh"
TYPE="${1:-BENEFIT_TYPE_TARGETED_SOCIAL_ASSISTANCE}"
IIN="${2:-$(pg_seed demo-iin)}"
DEFAULT_PROVIDER=social-insurance-fund
[ "$TYPE" = BENEFIT_TYPE_TARGETED_SOCIAL_ASSISTANCE ] && DEFAULT_PROVIDER=targeted-assistance
KATO="${4:-$(pg_seed kato "$IIN")}"
pg_call "$FRONT_DESK/CreateBenefitApplication" "{\"provider_id\":\"${3:-$DEFAULT_PROVIDER}\",\"kato_code\":\"$KATO\",\"request_id\":\"${5:-$(pg_uuid)}\",\"iin\":\"$IIN\",\"benefit_type\":\"$TYPE\",$(pg_delivery_mode)}"
