#!/usr/bin/env bash
# The payments made under one benefit, newest first.
# Usage: benefit-payments.sh [PROVIDER_ID BENEFIT_ID [IIN]]   (default: a demo citizen's first benefit)
#   grpcurl -plaintext -d '{"provider_id":"social-insurance-fund","iin":"830417405126","benefit_id":"SIF-2025-004140"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/ListBenefitPayments
source "$(dirname "$0")/_lib.sh"
IIN="${3:-$(pg_seed citizen-with benefit)}"
read -r PROVIDER BENEFIT <<< "$(pg_seed benefit "$IIN")"
PROVIDER="${1:-$PROVIDER}"
BENEFIT="${2:-$BENEFIT}"
pg_call "$FRONT_DESK/ListBenefitPayments" "{\"provider_id\":\"$PROVIDER\",\"iin\":\"$IIN\",\"benefit_id\":\"$BENEFIT\"}"
