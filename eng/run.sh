#!/usr/bin/env bash
# Runs the whole system with the Aspire dashboard. Installs host-mode packages first when no
# container runtime answers. Extra arguments go to the AppHost (e.g. --infra host|containers).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! docker info >/dev/null 2>&1 && ! podman info >/dev/null 2>&1; then
  eng/install-deps.sh
fi

echo "Starting Marketplace; the dashboard login URL appears below, the storefront URL once it is healthy."
exec dotnet run --project Marketplace.AppHost --launch-profile http -- "$@"
