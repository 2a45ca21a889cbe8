#!/usr/bin/env bash
# The current state of a benefit application.
# Usage: application-status.sh APPLICATION_ID [PROVIDER_ID [IIN]]
#   grpcurl -plaintext -d '{"provider_id":"targeted-assistance","iin":"791028302728","application_id":"<id>"}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/GetBenefitApplication
source "$(dirname "$0")/_lib.sh"
APPLICATION_ID="${1:?usage: application-status.sh APPLICATION_ID [PROVIDER_ID [IIN]] (the application_id from application.sh)}"
IIN="${3:-$(pg_seed demo-iin)}"
pg_call "$FRONT_DESK/GetBenefitApplication" "{\"provider_id\":\"${2:-targeted-assistance}\",\"iin\":\"$IIN\",\"application_id\":\"$APPLICATION_ID\"}"
