#!/usr/bin/env bash
# Whether a citizen appears eligible for a benefit, with the reasons.
# Usage: eligibility.sh [BENEFIT_TYPE [IIN [PROVIDER_ID]]]
#   BENEFIT_TYPE: BENEFIT_TYPE_PENSION (default), _DISABILITY, _LOSS_OF_BREADWINNER, _JOB_LOSS, _MATERNITY,
#   _CHILDCARE (social-insurance-fund) or BENEFIT_TYPE_TARGETED_SOCIAL_ASSISTANCE (targeted-assistance).
#   grpcurl -plaintext -d '{"provider_id":"social-insurance-fund","iin":"791028302728","benefit_type":"BENEFIT_TYPE_PENSION"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/CheckBenefitEligibility
source "$(dirname "$0")/_lib.sh"
TYPE="${1:-BENEFIT_TYPE_PENSION}"
IIN="${2:-$(pg_seed demo-iin)}"
DEFAULT_PROVIDER=social-insurance-fund
[ "$TYPE" = BENEFIT_TYPE_TARGETED_SOCIAL_ASSISTANCE ] && DEFAULT_PROVIDER=targeted-assistance
pg_call "$FRONT_DESK/CheckBenefitEligibility" "{\"provider_id\":\"${3:-$DEFAULT_PROVIDER}\",\"iin\":\"$IIN\",\"benefit_type\":\"$TYPE\"}"
