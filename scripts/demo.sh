#!/usr/bin/env bash
# The main job, on one machine. Installs what it needs by itself.
#  1. A local Kafka broker; VM lifecycle events published with the producer and processed with the consumer,
#     printed as they arrive, with a duplicate, a late (stale) event and an undecodable record along the way.
#  2. The whole path: the vCenter simulator, the vCenter bridge, and a consumer printing the canonical events as
#     they arrive while the demo creates, powers on, resizes, powers off and destroys a VM.
# The broker is left running for you to explore (`bash scripts/kafka.sh stop` stops it).
#
#   bash scripts/demo.sh           the demo
#   bash scripts/demo.sh --check   the same demo, non-interactive: both parts run even when one fails, their output
#                                  is saved in .tmp/demo/ and checked (examples/demo/src/check-transcript.ts); exits
#                                  non-zero unless every check passed, and stops the broker if it started it.
#                                  scripts/test.sh (CI) runs this in a fresh copy of the work tree.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh

CHECK=0
case "${1:-}" in
  "") ;;
  --check) CHECK=1 ;;
  -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

vmw_ensure_toolchain
DEMO_DIR="$VMW_ROOT/.tmp/demo"
mkdir -p "$DEMO_DIR"
vmw_log "installing dependencies (log: .tmp/demo/install.log)"
vmw_run_logged "installing dependencies" "$DEMO_DIR/install.log" vmw_pnpm_status \
  pnpm install --frozen-lockfile --prefer-offline || vmw_die "pnpm install failed"
vmw_log "building the packages (about 20 s)"
vmw_run_logged "building the packages" "$DEMO_DIR/build.log" - pnpm -s build || vmw_die "the build failed"
vmw_log "installing the vCenter simulator in the background (first time: a few minutes; log: .tmp/demo/vcsim-install.log)"
(bash scripts/vcsim.sh install >"$DEMO_DIR/vcsim-install.log" 2>&1) &
vcsim_job=$!

started_kafka=0
bash scripts/kafka.sh status >/dev/null 2>&1 || started_kafka=1
if [ "$CHECK" = 1 ]; then
  trap '[ "$started_kafka" = 1 ] && bash scripts/kafka.sh stop >/dev/null 2>&1 || true' EXIT
fi
bash scripts/kafka.sh start
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-9092}}"

failed=0
part() { # <title> <transcript> <command...>: prints the output; --check also saves it and goes on after a failure
  local title="$1" transcript="$2"
  shift 2
  printf '\n\033[1m== %s\033[0m\n' "$title"
  if [ "$CHECK" = 0 ]; then
    "$@"
  elif ! "$@" | tee "$transcript"; then
    failed=1
    vmw_log "'$title' exited non-zero; going on so that the check reports everything"
  fi
}

part "1. Producer and consumer" "$DEMO_DIR/part1.txt" pnpm --filter vmware-events-demo -s start

vmw_follow_job "$vcsim_job" "the vCenter simulator install" "$DEMO_DIR/vcsim-install.log" \
  || vmw_die "could not install the vCenter simulator (log: .tmp/demo/vcsim-install.log)"
eval "$(bash scripts/vcsim.sh path)"
export VCSIM_BIN GOVC_BIN
part "2. vCenter simulator → bridge → Kafka → consumer" "$DEMO_DIR/part2.txt" pnpm --filter vcenter-bridge -s demo

if [ "$CHECK" = 1 ]; then
  printf '\n\033[1m== check: what the demo printed (transcripts in .tmp/demo/)\033[0m\n'
  pnpm --filter vmware-events-demo -s check "$DEMO_DIR/part1.txt" "$DEMO_DIR/part2.txt" || failed=1
  [ "$failed" = 0 ] || vmw_die "the demo check failed"
fi
