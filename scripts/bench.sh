#!/usr/bin/env bash
# Runs the benchmarks under bench/ and writes their results into docs/benchmarks.md.
#   bash scripts/bench.sh             every benchmark
#   bash scripts/bench.sh validate    one (bench/validate.ts)
# Benchmarks that need the broker, Redis or the vCenter simulator get them started (and stopped again if this
# script started them). Run on an otherwise idle machine: the results are ratios against baselines run side by
# side, but both sides share the 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh
vmw_ensure_toolchain
pnpm install --frozen-lockfile --prefer-offline >/dev/null

started_kafka=0 started_redis=0
cleanup() {
  [ "$started_kafka" = 1 ] && bash scripts/kafka.sh stop >/dev/null 2>&1 || true
  [ "$started_redis" = 1 ] && bash scripts/redis.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
bash scripts/kafka.sh status >/dev/null 2>&1 || started_kafka=1
bash scripts/redis.sh status >/dev/null 2>&1 || started_redis=1
bash scripts/kafka.sh start
bash scripts/redis.sh start
bash scripts/vcsim.sh install >/dev/null
eval "$(bash scripts/vcsim.sh path)"
export VCSIM_BIN GOVC_BIN
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-9092}}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:${REDIS_PORT:-6379}}"

if [ $# -gt 0 ]; then
  files=()
  for name in "$@"; do files+=("bench/$name.ts"); done
else
  mapfile -t files < <(ls bench/*.ts)
fi
for f in "${files[@]}"; do
  [ -f "$f" ] || vmw_die "no benchmark $f"
  vmw_log "running $f"
  pnpm exec tsx "$f"
done
vmw_log "results written to docs/benchmarks.md"
