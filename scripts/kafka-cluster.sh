#!/usr/bin/env bash
# A three-node Apache Kafka cluster on 127.0.0.1 for the reliability tests and fault scripts, without Docker.
# Each node is broker + controller (KRaft combined mode), run by scripts/kafka.sh with its own ports and data;
# replication factor 3, min.insync.replicas=2, unclean leader election off. The single broker of scripts/kafka.sh
# stays the default for tests and the demo.
#
#   bash scripts/kafka-cluster.sh start          start the three nodes (idempotent; a stopped node is started)
#   bash scripts/kafka-cluster.sh stop           controlled shutdown of every node
#   bash scripts/kafka-cluster.sh status         one line per node; exit 3 when a node is not running
#   bash scripts/kafka-cluster.sh brokers        prints KAFKA_CLUSTER_BROKERS=host:port,host:port,host:port
#   bash scripts/kafka-cluster.sh kill N         SIGKILL node N (1–3): a crash, no controlled shutdown
#   bash scripts/kafka-cluster.sh pause N        SIGSTOP node N (a stalled node: alive, silent)
#   bash scripts/kafka-cluster.sh resume N       SIGCONT node N
#   bash scripts/kafka-cluster.sh restart N      start node N again after kill or stop (or stop + start)
#   bash scripts/kafka-cluster.sh logs N [-f]    node N's broker log
#   bash scripts/kafka-cluster.sh reset          stop every node and delete the cluster's data
#
# Environment:
#   KAFKA_CLUSTER_PORT   client port of node 1 (default 9220); node N listens on PORT+10*(N-1), its controller on
#                        the next port (defaults: 9220/9221, 9230/9231, 9240/9241)
#   KAFKA_VERSION, KAFKA_HEAP_OPTS, KAFKA_START_TIMEOUT, KAFKA_STOP_TIMEOUT: as for scripts/kafka.sh
set -euo pipefail

# shellcheck source=lib/toolchain.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"

KAFKA_CLUSTER_PORT="${KAFKA_CLUSTER_PORT:-9220}"
NODES=(1 2 3)
KAFKA_SH="$VMW_ROOT/scripts/kafka.sh"
STATE_DIR="$VMW_CACHE_DIR/kafka/cluster-$KAFKA_CLUSTER_PORT"
# The settings that make the cluster the one the reliability promise is about (docs/reliability.md).
CLUSTER_SETTINGS="default.replication.factor=3 min.insync.replicas=2 unclean.leader.election.enable=false \
offsets.topic.replication.factor=3 transaction.state.log.replication.factor=3 transaction.state.log.min.isr=2 \
share.coordinator.state.topic.replication.factor=3 share.coordinator.state.topic.min.isr=2"

log() { printf '\033[36m[kafka-cluster]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[kafka-cluster] error:\033[0m %s\n' "$*" >&2; exit 1; }

[[ "$KAFKA_CLUSTER_PORT" =~ ^[0-9]+$ ]] || die "KAFKA_CLUSTER_PORT must be a number (got '$KAFKA_CLUSTER_PORT')"

node_port() { echo $((KAFKA_CLUSTER_PORT + 10 * ($1 - 1))); }
controller_port() { echo $(($(node_port "$1") + 1)); }
voters() {
  local n out=""
  for n in "${NODES[@]}"; do out+="${out:+,}$n@127.0.0.1:$(controller_port "$n")"; done
  echo "$out"
}
brokers() {
  local n out=""
  for n in "${NODES[@]}"; do out+="${out:+,}127.0.0.1:$(node_port "$n")"; done
  echo "$out"
}
check_node() { # <N>
  [[ "${1:-}" =~ ^[1-3]$ ]] || die "name a node: 1, 2 or 3 (got '${1:-}')"
}

# The cluster id every node is formatted with: made once, kept with the cluster's state.
cluster_id() {
  mkdir -p "$STATE_DIR"
  if [ ! -s "$STATE_DIR/cluster.id" ]; then
    local id="-"
    while [ "${id:0:1}" = "-" ]; do id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"; done
    echo "$id" >"$STATE_DIR/cluster.id"
  fi
  cat "$STATE_DIR/cluster.id"
}

# Runs scripts/kafka.sh for node N with that node's ports, id and the cluster settings.
node_sh() { # <N> <command> [args...]
  local n="$1"
  shift
  KAFKA_PORT="$(node_port "$n")" KAFKA_CONTROLLER_PORT="$(controller_port "$n")" KAFKA_NODE_ID="$n" \
    KAFKA_QUORUM_VOTERS="$(voters)" KAFKA_CLUSTER_ID="$(cluster_id)" KAFKA_SKIP_WARM_UP=1 \
    KAFKA_SERVER_OVERRIDES="$CLUSTER_SETTINGS ${KAFKA_SERVER_OVERRIDES:-}" \
    bash "$KAFKA_SH" "$@"
}

data_dirs() { # every node's data folder (kafka.sh's layout)
  local n
  for n in "${NODES[@]}"; do echo "$VMW_CACHE_DIR/kafka/broker-$(node_port "$n")"; done
}

# A node formatted with another cluster id cannot join: say so instead of letting it fail to start.
check_formats() {
  local id dir meta
  id="$(cluster_id)"
  for dir in $(data_dirs); do
    for meta in "$dir"/data-*/meta.properties; do
      [ -f "$meta" ] || continue
      grep -q "^cluster.id=$id$" "$meta" \
        || die "$meta belongs to another cluster; 'bash scripts/kafka-cluster.sh reset' starts afresh"
    done
  done
}

cmd_start() {
  check_formats
  local n pids=() rc=0 started=$SECONDS
  log "starting three nodes on $(brokers) (logs: bash scripts/kafka-cluster.sh logs N)"
  mkdir -p "$STATE_DIR"
  # All together: a node cannot finish starting until a majority of the controllers runs.
  for n in "${NODES[@]}"; do
    node_sh "$n" start >"$STATE_DIR/start-$n.log" 2>&1 &
    pids+=($!)
  done
  for n in "${NODES[@]}"; do
    wait "${pids[$((n - 1))]}" || { rc=1; log "node $n failed to start:"; tail -n 20 "$STATE_DIR/start-$n.log" >&2; }
  done
  [ "$rc" = 0 ] || die "the cluster did not start"
  warm_up
  log "cluster up after $((SECONDS - started))s"
  echo "KAFKA_CLUSTER_BROKERS=$(brokers)"
}

# The group and transaction coordinators' topics, created once all three nodes run (their replication factor is 3).
warm_up() {
  local bootstrap
  bootstrap="$(brokers)"
  KAFKA_PORT="$(node_port 1)" bash "$KAFKA_SH" tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
    --bootstrap-server "$bootstrap" --describe --group vmw-warm-up >/dev/null 2>&1 || true
}

cmd_stop() {
  local n pids=()
  for n in "${NODES[@]}"; do
    node_sh "$n" stop 2>&1 | sed "s/^/[node $n] /" >&2 &
    pids+=($!)
  done
  wait "${pids[@]}"
}

cmd_status() {
  local n rc=0 line
  for n in "${NODES[@]}"; do
    line="$(node_sh "$n" status 2>&1)" || rc=3
    echo "node $n: $line"
  done
  return "$rc"
}

cmd_restart() { # <N>
  check_node "$1"
  node_sh "$1" status >/dev/null 2>&1 && node_sh "$1" stop
  node_sh "$1" start >/dev/null
  log "node $1 is up again on 127.0.0.1:$(node_port "$1")"
}

cmd_reset() {
  cmd_stop
  local dir
  for dir in $(data_dirs); do rm -rf "$dir"/data-*; done
  rm -rf "$STATE_DIR"
  log "cluster data deleted"
}

usage() {
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  brokers) echo "KAFKA_CLUSTER_BROKERS=$(brokers)" ;;
  kill) check_node "${2:-}"; node_sh "$2" kill ;;
  pause) check_node "${2:-}"; node_sh "$2" pause ;;
  resume) check_node "${2:-}"; node_sh "$2" resume ;;
  restart) cmd_restart "${2:-}" ;;
  logs) check_node "${2:-}"; node_sh "$2" logs "${3:-}" ;;
  reset) cmd_reset ;;
  *) usage ;;
esac
