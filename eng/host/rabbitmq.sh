#!/usr/bin/env bash
# RabbitMQ for the host infrastructure mode, with its own node name, epmd port, dist port and data.
# Env: RABBITMQ_DATA_DIR, RABBITMQ_NODE_PORT, RABBITMQ_DIST_PORT, ERL_EPMD_PORT, RABBITMQ_USER, RABBITMQ_PASSWORD
set -euo pipefail
: "${RABBITMQ_DATA_DIR:?}" "${RABBITMQ_NODE_PORT:?}" "${RABBITMQ_DIST_PORT:?}" "${ERL_EPMD_PORT:?}" "${RABBITMQ_USER:?}" "${RABBITMQ_PASSWORD:?}"

server=/usr/lib/rabbitmq/bin/rabbitmq-server
if [ ! -x "$server" ]; then
  echo "RabbitMQ not found: install the Debian package 'rabbitmq-server' (or run eng/install-deps.sh), or use Docker (--infra containers)." >&2
  exit 127
fi

mkdir -p "$RABBITMQ_DATA_DIR/mnesia" "$RABBITMQ_DATA_DIR/log" "$RABBITMQ_DATA_DIR/home"
cat > "$RABBITMQ_DATA_DIR/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$RABBITMQ_NODE_PORT
default_user = $RABBITMQ_USER
default_pass = $RABBITMQ_PASSWORD
loopback_users = none
log.console = true
log.console.level = warning
log.file = false
CONF
: > "$RABBITMQ_DATA_DIR/rabbitmq-env.conf"
echo "[]." > "$RABBITMQ_DATA_DIR/enabled_plugins"

export HOME="$RABBITMQ_DATA_DIR/home"
export RABBITMQ_NODENAME="${RABBITMQ_NODENAME:-marketplace-$RABBITMQ_NODE_PORT@localhost}"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_MNESIA_BASE="$RABBITMQ_DATA_DIR/mnesia"
export RABBITMQ_LOG_BASE="$RABBITMQ_DATA_DIR/log"
export RABBITMQ_LOGS=-
export RABBITMQ_CONFIG_FILE="$RABBITMQ_DATA_DIR/rabbitmq.conf"
export RABBITMQ_ENABLED_PLUGINS_FILE="$RABBITMQ_DATA_DIR/enabled_plugins"
export RABBITMQ_CONF_ENV_FILE="$RABBITMQ_DATA_DIR/rabbitmq-env.conf"
exec "$server"
