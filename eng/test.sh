#!/usr/bin/env bash
# Builds everything (warnings are errors) and runs every test project against real servers in host
# mode. Installs the Debian packages the tests need when missing. Prints 'N passed, N failed'.
set -euo pipefail
cd "$(dirname "$0")/.."

# Wall time of each phase, printed at the end (where the suite's minutes go).
phases=()
phase_start=$SECONDS
phase() { phases+=("$(printf '%-40s %4d s' "$1" $((SECONDS - phase_start)))"); phase_start=$SECONDS; }

eng/install-deps.sh --browser
dotnet tool restore >/dev/null
phase "install dependencies"
dotnet build Marketplace.sln -nologo -clp:ErrorsOnly
phase "build"

# Kept after the run: TRX files and the browser tests' screenshots.
export MARKETPLACE_ARTIFACTS="$PWD/artifacts"
results="$MARKETPLACE_ARTIFACTS/test-results"
rm -rf "$MARKETPLACE_ARTIFACTS"
mkdir -p "$results"
status=0
for project in tests/*.Tests/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  dotnet test "$project" --no-build -nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    || status=1
  phase "$name"
done

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
echo "Wall time by phase:"
printf '  %s\n' "${phases[@]}"
echo "  total                                    $SECONDS s"
echo "Artefacts (TRX, screenshots): $MARKETPLACE_ARTIFACTS"
echo "$passed passed, $failed failed"
if [ "$passed" -eq 0 ]; then
  echo "No test ran." >&2
  exit 1
fi
exit $status
