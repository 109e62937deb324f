#!/usr/bin/env bash
# Measures what a developer waits for and what the whole app holds in memory: a first start on an empty data
# directory and a second start on the same one, each to "healthy" (the AppHost's own announcement), with the
# proportional set size (PSS) summed over every process the run started (AppHost, DCP, dashboard, services, servers:
# every process that was not there before the launch), and the largest holders by program. Host mode, Debug build, the dashboard on, as `eng/run.sh` runs it.
#   eng/measure-start.sh [data-dir]     (default: a new temporary directory, removed at the end)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-$(mktemp -d /tmp/marketplace-start-XXXXXX)}"
dotnet build Marketplace.AppHost -nologo -clp:ErrorsOnly >/dev/null

pids_now() { ls /proc | grep -E '^[0-9]+$' | sort; }

pss_of_new() { # PSS in MiB of every process that did not exist before the launch (the list in $1)
  python3 - "$1" <<'PY'
import os, sys
before = set(open(sys.argv[1]).read().split()); me = str(os.getpid())
total = count = 0
for p in os.listdir('/proc'):
    if p.isdigit() and p not in before and p != me:
        try:
            for line in open(f'/proc/{p}/smaps_rollup'):
                if line.startswith('Pss:'):
                    total += int(line.split()[1]); count += 1
        except OSError: pass
print(f"{total / 1024:.0f} MiB over {count} processes")
PY
}

pss_by_name() { # the largest holders among the new processes, by program (a service's name, or the server's)
  python3 - "$1" <<'PY'
import os, sys, collections
before = set(open(sys.argv[1]).read().split()); me = str(os.getpid())
by = collections.Counter()
for p in os.listdir('/proc'):
    if p.isdigit() and p not in before and p != me:
        try:
            cmd = open(f'/proc/{p}/cmdline', 'rb').read().split(b'\0')
            name = next((os.path.basename(a.decode()) for a in cmd if a.startswith(b'/') and b'Marketplace' in a), os.path.basename(cmd[0].decode()))
            for line in open(f'/proc/{p}/smaps_rollup'):
                if line.startswith('Pss:'):
                    by[name.removesuffix('.dll')] += int(line.split()[1])
        except (OSError, IndexError): pass
print('  ' + ', '.join(f"{n} {k / 1024:.0f}" for n, k in by.most_common(12)) + ' (MiB)')
PY
}

for run in first second; do
  log=$(mktemp)
  before=$(mktemp)
  pids_now >"$before"
  start=$(date +%s.%N)
  dotnet run --no-build --project Marketplace.AppHost --launch-profile http -- --infra host "--Marketplace:DataDir=$dir" >"$log" 2>&1 &
  pid=$!
  until grep -q "Marketplace is up" "$log"; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "the app stopped:"; tail -20 "$log"; exit 1; fi
    sleep 0.5
  done
  took=$(echo "$(date +%s.%N) - $start" | bc)
  sleep 10 # settle: start-up work (migrations, seeds) done, steady state
  printf '%s start: healthy %.0f s after launch (%s); %s\n' "$run" "$took" \
    "$(grep -o 'healthy after [0-9]* s' "$log" | head -1)" "$(pss_of_new "$before")"
  pss_by_name "$before"
  # SIGTERM (a background job ignores SIGINT): the AppHost stops its resources, then `dotnet run` ends.
  pkill -TERM -P "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  sleep 3
  rm -f "$log" "$before"
done
[ -n "${1:-}" ] || rm -rf "$dir"
