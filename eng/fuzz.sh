#!/usr/bin/env bash
# Runs the API fuzzer (tests/Marketplace.Fuzz.Tests) on its own app: malformed requests generated from every
# service's OpenAPI document, through the gateway, as anonymous, shopper, merchant and admin.
#   eng/fuzz.sh          the CI size (20 cases per operation and caller, fixed seed)
#   eng/fuzz.sh --long   ten times more cases
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--long" ]; then
  export MARKETPLACE_FUZZ_SCALE=10
fi
eng/install-deps.sh
dotnet build tests/Marketplace.Fuzz.Tests -nologo -clp:ErrorsOnly
dotnet test tests/Marketplace.Fuzz.Tests --no-build -nologo --logger "console;verbosity=detailed"
