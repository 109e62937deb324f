#!/usr/bin/env bash
# Installs what the host infrastructure mode needs on Debian/Ubuntu when it is missing.
# Usage: eng/install-deps.sh [--browser]   (--browser adds Chromium and fonts for UI tests)
set -euo pipefail

need=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v pgbench >/dev/null 2>&1 || need+=(postgresql-contrib)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need+=(python3-aiosmtpd)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
if [ "${1:-}" = "--browser" ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  [ -d /usr/share/fonts/truetype/roboto ] || need+=(fonts-roboto)
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing packages: ${need[*]}. Install them with your package manager, or install Docker and run in containers mode." >&2
  exit 1
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts services on install on a normal box; the app runs its own instances on its own ports.
for svc in postgresql redis-server rabbitmq-server; do
  $sudo systemctl disable --now "$svc" >/dev/null 2>&1 || true
done
