#!/usr/bin/env bash
# The provider directory: every provider, its domain, the districts it serves, its health and deadline.
# Usage: providers.sh [DOMAIN] [KATO_CODE]   (DOMAIN: DOMAIN_UTILITIES, DOMAIN_LAND_REGISTRY, DOMAIN_SOCIAL_SERVICES)
#   grpcurl -plaintext -d '{}' 127.0.0.1:5080 providergateway.frontdesk.v1.FrontDeskService/ListProviders
source "$(dirname "$0")/_lib.sh"
pg_call "$FRONT_DESK/ListProviders" "{\"domain\":\"${1:-DOMAIN_UNSPECIFIED}\",\"kato_code\":\"${2:-}\"}"
