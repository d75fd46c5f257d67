#!/usr/bin/env bash
# The main job, on one machine: a local Kafka broker, VM lifecycle events published with the producer and
# processed with the consumer, printed on the terminal as they arrive. Installs what it needs by itself.
# The broker is left running for you to explore (`bash scripts/kafka.sh stop` stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh
vmw_ensure_toolchain
vmw_log "installing dependencies"
pnpm install --frozen-lockfile --prefer-offline >/dev/null
vmw_log "building the packages"
pnpm -s build >/dev/null
bash scripts/kafka.sh start
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-9092}}"
pnpm --filter vmware-events-demo -s start
