#!/usr/bin/env bash
# The test command: on a fresh machine it installs everything (Node, pnpm, dependencies, the Kafka broker,
# Redis, the vCenter simulator), starts the services once, runs every check and test, and stops what it started.
#
#   bash scripts/test.sh            everything (what CI runs)
#   bash scripts/test.sh --unit     static checks and unit tests only (no services)
#
# After the other tests, the `*:cluster` projects run on the three-node cluster (scripts/kafka-cluster.sh), which
# this script starts then and stops at the end; they kill its nodes, so they run one file at a time.
#
# Ends with one summary line: "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh
vmw_ensure_toolchain

UNIT_ONLY=0
[ "${1:-}" = "--unit" ] && UNIT_ONLY=1
LOGS="$VMW_ROOT/.tmp/logs"
mkdir -p "$LOGS"
started_kafka=0 started_redis=0 started_cluster=0

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
cleanup() {
  local rc=$?
  [ "$started_kafka" = 1 ] && { bash scripts/kafka.sh stop >/dev/null 2>&1 || true; }
  [ "$started_redis" = 1 ] && { bash scripts/redis.sh stop >/dev/null 2>&1 || true; }
  [ "$started_cluster" = 1 ] && { bash scripts/kafka-cluster.sh stop >/dev/null 2>&1 || true; }
  exit "$rc"
}
trap cleanup EXIT

step "install dependencies"
pnpm install --frozen-lockfile --prefer-offline

# Services start in the background while the static checks run (they need no broker).
if [ "$UNIT_ONLY" = 0 ]; then
  step "starting services in the background (logs in .tmp/logs)"
  bash scripts/kafka.sh status >/dev/null 2>&1 || started_kafka=1
  bash scripts/redis.sh status >/dev/null 2>&1 || started_redis=1
  (bash scripts/kafka.sh start >"$LOGS/kafka-start.log" 2>&1) & kafka_job=$!
  (bash scripts/redis.sh start >"$LOGS/redis-start.log" 2>&1) & redis_job=$!
  (bash scripts/vcsim.sh install >"$LOGS/vcsim-install.log" 2>&1) & vcsim_job=$!
fi

step "generated files are up to date (schemas → types, validators, docs/asyncapi.yaml checked by the AsyncAPI parser)"
pnpm --filter @org/vmware-events-schema run --if-present check:generated
step "released schema versions are unchanged"
pnpm --filter @org/vmware-events-schema run --if-present check:released
step "schema compatibility across every version"
pnpm --filter @org/vmware-events-schema run --if-present check:compat
step "typecheck, lint, format"
pnpm -s typecheck
pnpm -s lint
pnpm -s format:check
step "build (tsup: ESM + CJS + types)"
pnpm -s build

if [ "$UNIT_ONLY" = 0 ]; then
  step "waiting for services"
  wait_job() { # <pid> <name> <log>: shows the job's progress while it runs (first installs take minutes)
    vmw_follow_job "$1" "$2" "$3" || vmw_die "$2 failed (log: ${3#"$VMW_ROOT/"})"
  }
  wait_job "$kafka_job" "Kafka broker" "$LOGS/kafka-start.log"
  wait_job "$redis_job" "Redis" "$LOGS/redis-start.log"
  wait_job "$vcsim_job" "vcsim install" "$LOGS/vcsim-install.log"
  eval "$(bash scripts/vcsim.sh path)"
  export VCSIM_BIN GOVC_BIN
  export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-9092}}"
  export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:${REDIS_PORT:-6379}}"
fi

step "tests"
projects=(--project '*:unit' --project '*:integration')
[ "$UNIT_ONLY" = 1 ] && projects=(--project '*:unit')
set +e
env -u KAFKA_CLUSTER_BROKERS pnpm exec vitest run "${projects[@]}" \
  --reporter=default --reporter=json --outputFile.json="$VMW_ROOT/.tmp/vitest.json"
vitest_rc=$?
set -e

cluster_rc=0
summaries=("$VMW_ROOT/.tmp/vitest.json")
if [ "$UNIT_ONLY" = 0 ]; then
  step "tests on the three-node cluster (leader crashes; scripts/kafka-cluster.sh)"
  bash scripts/kafka-cluster.sh status >/dev/null 2>&1 || started_cluster=1
  if bash scripts/kafka-cluster.sh start >"$LOGS/kafka-cluster-start.log" 2>&1; then
    eval "export $(bash scripts/kafka-cluster.sh brokers)"
    set +e
    pnpm exec vitest run --project '*:cluster' --no-file-parallelism \
      --reporter=default --reporter=json --outputFile.json="$VMW_ROOT/.tmp/vitest-cluster.json"
    cluster_rc=$?
    set -e
    summaries+=("$VMW_ROOT/.tmp/vitest-cluster.json")
  else
    cluster_rc=1
    tail -n 30 "$LOGS/kafka-cluster-start.log" >&2
    echo "the three-node cluster did not start (log: .tmp/logs/kafka-cluster-start.log)" >&2
  fi
fi

pack_rc=0
if [ "$UNIT_ONLY" = 0 ]; then
  step "packed tarballs install and import in a scratch project (ESM and CJS)"
  bash scripts/pack-test.sh || pack_rc=$?
fi

# The README's main command, as a new user runs it: in a copy of the work tree without node_modules, dist or .tmp
# (what `git clone` gives; uncommitted changes included), with the services this run started.
demo_rc=0
if [ "$UNIT_ONLY" = 0 ]; then
  step "the README's demo in a fresh copy of the work tree: bash scripts/demo.sh --check"
  demo_copy="$(mktemp -d "${TMPDIR:-/tmp}/vmw-demo-check.XXXXXX")"
  git ls-files -z --cached --others --exclude-standard \
    | tar -C "$VMW_ROOT" --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -C "$demo_copy" -xf -
  demo_started=$SECONDS
  (cd "$demo_copy" && bash scripts/demo.sh --check) || demo_rc=$?
  rm -rf "$demo_copy"
  echo "demo check: $([ "$demo_rc" = 0 ] && echo passed || echo FAILED) in $((SECONDS - demo_started))s" >&2
fi

node -e '
  let passed = 0, failed = 0, skipped = 0;
  for (const file of process.argv.slice(1)) {
    const r = require(file);
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "${summaries[@]}"
[ "$vitest_rc" = 0 ] && [ "$cluster_rc" = 0 ] && [ "$pack_rc" = 0 ] && [ "$demo_rc" = 0 ]
