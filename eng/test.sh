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

# Dynamic PGO is off in every app's runtimeconfig (Directory.Build.props: TieredPGO), test hosts included.

# Kept after the run: TRX files and the browser tests' screenshots.
export MARKETPLACE_ARTIFACTS="$PWD/artifacts"
results="$MARKETPLACE_ARTIFACTS/test-results"
rm -rf "$MARKETPLACE_ARTIFACTS"
mkdir -p "$results"
status=0
run_tests() { # project: runs it, its TRX under $results
  local name; name=$(basename "$1" .csproj)
  dotnet test "$1" --no-build -nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results"
}
export -f run_tests
export results

# The projects that start the whole app (Aspire) run one at a time: each keeps both cores busy while it starts.
whole_app=(tests/Marketplace.EndToEnd.Tests/Marketplace.EndToEnd.Tests.csproj tests/Marketplace.Fuzz.Tests/Marketplace.Fuzz.Tests.csproj)
for project in "${whole_app[@]}"; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  run_tests "$project" || status=1
  phase "$name"
done

# The others (each its own servers or none) run three at a time: much of their time is starting a process or a
# server, which overlaps well. Each one's output is printed whole when it ends.
logs=$(mktemp -d)
export logs
others=(tests/Marketplace.Messaging.Tests/Marketplace.Messaging.Tests.csproj tests/Marketplace.Payment.Tests/Marketplace.Payment.Tests.csproj) # longest first
for project in tests/*.Tests/*.Tests.csproj; do
  [[ " ${whole_app[*]} ${others[*]} " == *" $project "* ]] || others+=("$project")
done
printf '%s\n' "${others[@]}" | xargs -P 3 -n 1 bash -c \
  'name=$(basename "$1" .csproj); if run_tests "$1" >"$logs/$name.log" 2>&1; then r=ok; else r=FAILED; fi
   echo "== $name ($r)"; cat "$logs/$name.log"; [ $r = ok ]' _ \
  || status=1
phase "${#others[@]} other test projects, 3 at a time"

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
