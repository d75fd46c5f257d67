#!/usr/bin/env bash
# The main job, on one machine. Installs what it needs by itself.
#  1. A local Kafka broker; VM lifecycle events published with the producer and processed with the consumer,
#     printed as they arrive, with a duplicate, a late (stale) event and an undecodable record along the way.
#  2. The whole path: the vCenter simulator, the vCenter bridge, and a consumer printing the canonical events as
#     they arrive while the demo creates, powers on, resizes, powers off and destroys a VM.
# The broker is left running for you to explore (`bash scripts/kafka.sh stop` stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh
vmw_ensure_toolchain
vmw_log "installing dependencies"
pnpm install --frozen-lockfile --prefer-offline >/dev/null
vmw_log "building the packages"
pnpm -s build >/dev/null
vmw_log "installing the vCenter simulator in the background (first time: a few minutes)"
(bash scripts/vcsim.sh install >"$VMW_ROOT/.tmp/vcsim-install.log" 2>&1) &
vcsim_job=$!
mkdir -p "$VMW_ROOT/.tmp"
bash scripts/kafka.sh start
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-9092}}"

printf '\n\033[1m== 1. Producer and consumer\033[0m\n'
pnpm --filter vmware-events-demo -s start

printf '\n\033[1m== 2. vCenter simulator → bridge → Kafka → consumer\033[0m\n'
wait "$vcsim_job" || { tail -n 40 "$VMW_ROOT/.tmp/vcsim-install.log" >&2; vmw_die "could not install the vCenter simulator"; }
eval "$(bash scripts/vcsim.sh path)"
export VCSIM_BIN GOVC_BIN
pnpm --filter vcenter-bridge -s demo
