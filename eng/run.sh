#!/usr/bin/env bash
# Runs the whole system with the Aspire dashboard. Installs host-mode packages first when no
# container runtime answers. Extra arguments go to the AppHost (e.g. --infra host|containers).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! docker info >/dev/null 2>&1 && ! podman info >/dev/null 2>&1; then
  eng/install-deps.sh
fi

# Build only when a source changed since the last build: an up-to-date check of every project costs ~40 s here.
stamp=Marketplace.AppHost/obj/.run-build-stamp
if [ ! -f "$stamp" ] || [ -n "$(find . \( -name .git -o -name bin -o -name obj -o -name .data -o -name node_modules \) -prune -o \
     -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.razor' -o -name '*.json' -o -name '*.props' -o -name '*.targets' -o -name '*.css' -o -name '*.js' -o -name '*.svg' \) \
     -newer "$stamp" -print -quit)" ]; then
  dotnet build Marketplace.AppHost -nologo -clp:ErrorsOnly
  touch "$stamp"
fi

echo "Starting Marketplace; the dashboard login URL appears below, the storefront URL once it is healthy."
exec dotnet run --no-build --project Marketplace.AppHost --launch-profile http -- "$@"
