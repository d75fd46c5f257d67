#!/usr/bin/env bash
# A real Apache Kafka broker for development and tests, without Docker.
#
#   bash scripts/kafka.sh start            start a single-node KRaft broker on 127.0.0.1:$KAFKA_PORT (idempotent)
#   bash scripts/kafka.sh stop             controlled shutdown (SIGTERM, then SIGKILL after $KAFKA_STOP_TIMEOUT s)
#   bash scripts/kafka.sh status           running/stopped, version, port
#   bash scripts/kafka.sh kill|pause|resume  fault injection: SIGKILL, SIGSTOP, SIGCONT of the broker process
#   bash scripts/kafka.sh logs [-f]        the broker log (last 200 lines; -f follows)
#   bash scripts/kafka.sh perf-producer …  org.apache.kafka.tools.ProducerPerformance with these arguments
#   bash scripts/kafka.sh perf-consumer …  org.apache.kafka.tools.ConsumerPerformance with these arguments
#   bash scripts/kafka.sh tool <class> …   runs a Kafka command-line class (e.g. ConsumerGroupCommand) with these arguments
#   bash scripts/kafka.sh classpath        prints the folder holding every broker/client jar (compile with "<dir>/*")
#   bash scripts/kafka.sh install          only download the jars
#
# The broker is assembled from Maven Central artifacts with Maven (scripts/kafka/pom.xml) and run with
# `java -cp 'libs/*' kafka.Kafka`. Everything lives under the cache folder (see scripts/lib/toolchain.sh):
#   $VMW_CACHE_DIR/kafka/<version>/libs        the jars (downloaded once per version; Maven also caches ~/.m2)
#   $VMW_CACHE_DIR/kafka/broker-<port>/        server.properties, broker.log, broker.pid, data-<version>/
#
# Environment:
#   KAFKA_VERSION          Apache Kafka version (default below; 3.9.x also works)
#   KAFKA_PORT             client port (default 9092); clients use KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
#   KAFKA_CONTROLLER_PORT  KRaft controller port (default KAFKA_PORT+1); never point a client at it
#   KAFKA_HEAP_OPTS        default "-Xms512m -Xmx512m"
#   KAFKA_JVM_OPTS         default G1 flags tuned for a small machine
#   KAFKA_SERVER_OVERRIDES extra broker settings, "key=value key2=value2"
#   KAFKA_START_TIMEOUT    seconds to wait for the broker to come up (default 90)
#   KAFKA_STOP_TIMEOUT     seconds to wait for a controlled shutdown before SIGKILL (default 30)
#   KAFKA_PERF_OPTS        JVM flags for perf-producer/perf-consumer (default "-Xms256m -Xmx512m -XX:+UseG1GC")
# Set by scripts/kafka-cluster.sh for the nodes of a three-node cluster (single node: leave unset):
#   KAFKA_NODE_ID          node.id (default 1)
#   KAFKA_QUORUM_VOTERS    controller.quorum.voters (default: this node alone)
#   KAFKA_CLUSTER_ID       the cluster id to format the storage with (default: a new random one)
#   KAFKA_SKIP_WARM_UP     1: do not create the internal topics at start (the cluster script does, once all run)
set -euo pipefail

# shellcheck source=lib/toolchain.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"

# 4.1.1, not 4.2.0: see docs/services.md ("Versions") for the kafkajs 2.2.4 check behind this choice.
KAFKA_DEFAULT_VERSION="4.2.0"
KAFKA_VERSION="${KAFKA_VERSION:-$KAFKA_DEFAULT_VERSION}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_NODE_ID="${KAFKA_NODE_ID:-1}"
KAFKA_QUORUM_VOTERS="${KAFKA_QUORUM_VOTERS:-$KAFKA_NODE_ID@127.0.0.1:$KAFKA_CONTROLLER_PORT}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms512m -Xmx512m}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true}"
MAVEN_DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.6.1"

HERE="$VMW_ROOT/scripts/kafka"
KAFKA_HOME_DIR="$VMW_CACHE_DIR/kafka"
LIBS_DIR="$KAFKA_HOME_DIR/$KAFKA_VERSION/libs"
RUN_DIR="$KAFKA_HOME_DIR/broker-$KAFKA_PORT"
PID_FILE="$RUN_DIR/broker.pid"
LOG_FILE="$RUN_DIR/broker.log"
PROPS_FILE="$RUN_DIR/server.properties"
DATA_DIR="$RUN_DIR/data-$KAFKA_VERSION"

log() { printf '\033[36m[kafka]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[kafka] error:\033[0m %s\n' "$*" >&2; exit 1; }

kafka_major() { echo "${KAFKA_VERSION%%.*}"; }

validate_env() {
  [[ "$KAFKA_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "KAFKA_VERSION must look like 4.1.1 (got '$KAFKA_VERSION')"
  [ "$(kafka_major)" -ge 3 ] || die "KAFKA_VERSION $KAFKA_VERSION is not supported: KRaft combined mode needs Kafka 3.x or 4.x"
  local p
  for p in KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_START_TIMEOUT KAFKA_STOP_TIMEOUT KAFKA_NODE_ID; do
    [[ "${!p}" =~ ^[0-9]+$ ]] || die "$p must be a number (got '${!p}')"
  done
  [ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ] || die "KAFKA_CONTROLLER_PORT must differ from KAFKA_PORT ($KAFKA_PORT)"
}

need_java() {
  local hint=""
  command -v docker >/dev/null 2>&1 && hint=" Docker is available: 'docker compose up -d kafka' runs the same broker from compose.yaml."
  command -v java >/dev/null 2>&1 || die "java is not installed; Kafka needs Java 17+ (Debian: apt-get install -y openjdk-17-jre-headless).$hint"
  local v
  v="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [ "${v%%.*}" -ge 17 ] 2>/dev/null || die "Java $v is too old; Kafka $KAFKA_VERSION needs Java 17+.$hint"
}

need_maven() {
  command -v mvn >/dev/null 2>&1 && return 0
  local hint=""
  command -v docker >/dev/null 2>&1 && hint=" Docker is available: 'docker compose up -d kafka' runs the same broker from compose.yaml."
  die "mvn (Apache Maven) is needed once to download Kafka $KAFKA_VERSION from Maven Central (Debian: apt-get install -y maven).$hint"
}

# Downloads the broker, tools and logging jars for $KAFKA_VERSION into $LIBS_DIR (once; atomic).
install_libs() {
  [ -f "$LIBS_DIR/.complete" ] && return 0
  need_java
  need_maven
  mkdir -p "$KAFKA_HOME_DIR/$KAFKA_VERSION"
  exec 8>"$KAFKA_HOME_DIR/$KAFKA_VERSION/.install.lock"
  flock 8
  if [ -f "$LIBS_DIR/.complete" ]; then exec 8>&-; return 0; fi
  local profile=log4j2
  [ "$(kafka_major)" -ge 4 ] || profile=reload4j
  local tmp
  tmp="$(mktemp -d "$KAFKA_HOME_DIR/$KAFKA_VERSION/libs.tmp.XXXXXX")"
  log "downloading Apache Kafka $KAFKA_VERSION from Maven Central (first time only; about 80 MB, a minute or two)"
  if ! vmw_run_logged "downloading Kafka $KAFKA_VERSION" "$tmp.mvn.log" vmw_maven_status \
      mvn -B -Dstyle.color=never -f "$HERE/pom.xml" -P"$profile" -Dkafka.version="$KAFKA_VERSION" \
      "$MAVEN_DEPENDENCY_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory="$tmp"; then
    rm -rf "$tmp" "$tmp.mvn.log"
    die "could not download Kafka $KAFKA_VERSION with Maven (is Maven Central reachable? does version $KAFKA_VERSION exist?)"
  fi
  ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 || { rm -rf "$tmp"; die "Maven finished but kafka_2.13-$KAFKA_VERSION.jar is missing"; }
  rm -f "$tmp.mvn.log"
  touch "$tmp/.complete"
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  exec 8>&-
  log "Kafka $KAFKA_VERSION: $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars in $LIBS_DIR"
}

# Logging flag for the broker (file) or the tools (warnings to stderr).
log_flag() { # broker|tools
  local prefix=""
  [ "$1" = tools ] && prefix="tools-"
  if [ "$(kafka_major)" -ge 4 ]; then
    echo "-Dlog4j2.configurationFile=$HERE/${prefix}log4j2.properties"
  else
    echo "-Dlog4j.configuration=file:$HERE/${prefix}log4j.properties"
  fi
}

# Runs a Kafka command-line class with the tools logging, a small heap and fast JIT start-up.
run_tool() { # <main class> [args...]
  local main="$1"
  shift
  # shellcheck disable=SC2086
  java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true ${KAFKA_TOOL_OPTS:-} \
    "$(log_flag tools)" -cp "$LIBS_DIR/*" "$main" "$@"
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# The pid in the pid file, if that process is still our broker (guards against a recycled pid).
running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  pid_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-Dvmw.kafka.port=$KAFKA_PORT .*kafka.Kafka" || return 1
  echo "$pid"
}

# Kafka protocol check: sends an ApiVersions (v0) request to 127.0.0.1:<port> and expects a response with
# our correlation id. Proves a Kafka broker (not just any process) serves that port.
api_versions_ok() { # <port>
  local port="$1" reply
  reply="$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    # size=13 | api_key=18 ApiVersions | api_version=0 | correlation_id=0x766d7731 | client_id "vmw"
    printf "\x00\x00\x00\x0d\x00\x12\x00\x00\x76\x6d\x77\x31\x00\x03vmw" >&3
    head -c 10 <&3 | od -An -tx1 | tr -d " \n"
  ' _ "$port" 2>/dev/null)" || return 1
  # bytes 4..7: correlation id; 8..9: error code (0 = none, 0x23 = UNSUPPORTED_VERSION: still a Kafka broker)
  case "$reply" in
    ????????766d77310000 | ????????766d77310023) return 0 ;;
    *) return 1 ;;
  esac
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

render_properties() {
  mkdir -p "$RUN_DIR" "$DATA_DIR"
  sed -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" -e "s#@DATA_DIR@#$DATA_DIR#g" \
    -e "s#@NODE_ID@#$KAFKA_NODE_ID#g" -e "s#@QUORUM_VOTERS@#$KAFKA_QUORUM_VOTERS#g" \
    "$HERE/server.properties.in" >"$PROPS_FILE"
}

format_storage() {
  [ -f "$DATA_DIR/meta.properties" ] && return 0
  local id="${KAFKA_CLUSTER_ID:-}"
  # A Kafka Uuid is 16 random bytes in URL-safe base64 without padding; avoid a leading '-' (read as an option).
  [ -n "$id" ] || id="-"
  while [ "${id:0:1}" = "-" ]; do id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"; done
  log "formatting storage in $DATA_DIR (cluster id $id)"
  run_tool kafka.tools.StorageTool format -t "$id" -c "$PROPS_FILE" >>"$LOG_FILE" 2>&1 \
    || { tail -n 30 "$LOG_FILE" >&2; die "formatting the Kafka storage failed (log: $LOG_FILE)"; }
}

report_running() { # <pid>
  local pid="$1" version
  version="$(cat "$RUN_DIR/version" 2>/dev/null || echo '?')"
  if ! api_versions_ok "$KAFKA_PORT"; then
    log "pid $pid is running but does not answer yet; waiting for it"
    wait_ready "$pid" || die_with_log "the running broker (pid $pid) does not answer on 127.0.0.1:$KAFKA_PORT"
  fi
  log "already running: Kafka $version on 127.0.0.1:$KAFKA_PORT (pid $pid)"
  [ "$version" = "$KAFKA_VERSION" ] \
    || log "warning: KAFKA_VERSION is $KAFKA_VERSION but the running broker is $version; 'bash scripts/kafka.sh stop' first to switch"
  echo "KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
}

cmd_start() {
  validate_env
  mkdir -p "$RUN_DIR"
  local pid
  # Our broker already runs (or is still starting): no lock needed, just wait until it answers.
  if pid="$(running_pid)"; then
    report_running "$pid"
    return 0
  fi
  # Two callers starting at once: the second one waits here and then finds the broker running.
  exec 9>"$RUN_DIR/.start.lock"
  flock -w "$((KAFKA_START_TIMEOUT + 60))" 9 || die "another 'kafka.sh start' for port $KAFKA_PORT holds $RUN_DIR/.start.lock"
  if pid="$(running_pid)"; then
    report_running "$pid"
    return 0
  fi
  if api_versions_ok "$KAFKA_PORT"; then
    log "a Kafka broker not started by this script already answers on 127.0.0.1:$KAFKA_PORT; using it"
    echo "KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
    return 0
  fi
  port_in_use "$KAFKA_PORT" && die "port $KAFKA_PORT is used by another program that is not Kafka; set KAFKA_PORT to a free port"
  port_in_use "$KAFKA_CONTROLLER_PORT" && die "controller port $KAFKA_CONTROLLER_PORT is in use; set KAFKA_CONTROLLER_PORT (or KAFKA_PORT) to free ports"

  need_java
  install_libs
  render_properties
  [ -f "$LOG_FILE" ] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  format_storage

  local overrides=() kv
  for kv in ${KAFKA_SERVER_OVERRIDES:-}; do overrides+=(--override "$kv"); done
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT), log $LOG_FILE"
  local started=$SECONDS
  # setsid + nohup: the broker outlives the shell (and process group) that started it. 9>&-: the broker must
  # not inherit (and so hold forever) the start lock.
  # shellcheck disable=SC2086
  setsid nohup java $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS "-Dvmw.kafka.port=$KAFKA_PORT" "$(log_flag broker)" \
    -cp "$LIBS_DIR/*" kafka.Kafka "$PROPS_FILE" "${overrides[@]}" >>"$LOG_FILE" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"
  echo "$KAFKA_VERSION" >"$RUN_DIR/version"
  if ! wait_ready "$pid"; then
    # Leave nothing half-started behind: the next start begins from a clean state.
    terminate "$pid" 10
    rm -f "$PID_FILE"
    die_with_log "Kafka did not come up within ${KAFKA_START_TIMEOUT}s (raise KAFKA_START_TIMEOUT on a slow machine)"
  fi
  # Strongest check: a real admin call (describeCluster) through the client library.
  local cluster
  cluster="$(run_tool org.apache.kafka.tools.ClusterTool cluster-id --bootstrap-server "127.0.0.1:$KAFKA_PORT" 2>&1)" \
    || die_with_log "the broker started but an admin describeCluster call failed: $cluster"
  [ "${KAFKA_SKIP_WARM_UP:-0}" = 1 ] || warm_up_coordinators
  log "Kafka $KAFKA_VERSION is up on 127.0.0.1:$KAFKA_PORT after $((SECONDS - started))s (pid $pid; ${cluster})"
  echo "KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
}

# On a fresh broker the group and transaction coordinators do not exist until the first client asks for one; that
# first client then sees "coordinator not available / loading" errors (kafkajs even restarts its consumer). Asking
# once here (FindCoordinator creates __consumer_offsets and __transaction_state) keeps that out of the tests.
warm_up_coordinators() {
  [ -f "$DATA_DIR/.coordinators-ready" ] && return 0
  local bootstrap="127.0.0.1:$KAFKA_PORT"
  run_tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$bootstrap" \
    --describe --group vmw-warm-up >/dev/null 2>&1 || true
  run_tool org.apache.kafka.tools.TransactionsCommand --bootstrap-server "$bootstrap" \
    describe --transactional-id vmw-warm-up >/dev/null 2>&1 || true
  if [ -d "$DATA_DIR/__consumer_offsets-0" ] && [ -d "$DATA_DIR/__transaction_state-0" ]; then
    touch "$DATA_DIR/.coordinators-ready"
  else
    log "warning: the internal topics were not created yet; the first consumer group may see a short 'coordinator loading' retry"
  fi
}

# Waits for the log line and the protocol check; fails early if the JVM exits.
wait_ready() { # <pid>
  local pid="$1" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    pid_alive "$pid" || { log "the broker process exited"; return 1; }
    if grep -q "Kafka Server started" "$LOG_FILE" 2>/dev/null && api_versions_ok "$KAFKA_PORT"; then return 0; fi
    sleep 0.5
  done
  return 1
}

die_with_log() {
  printf '\033[31m[kafka] error:\033[0m %s. Last lines of %s:\n' "$1" "$LOG_FILE" >&2
  tail -n 40 "$LOG_FILE" >&2 2>/dev/null || true
  exit 1
}

# SIGTERM (the broker's controlled shutdown), then SIGKILL after <timeout> seconds.
terminate() { # <pid> <timeout>
  local pid="$1" deadline=$((SECONDS + $2))
  kill -TERM "$pid" 2>/dev/null || true
  while pid_alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.3; done
  if pid_alive "$pid"; then
    log "no clean exit after ${2}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while pid_alive "$pid"; do sleep 0.1; done
  fi
}

cmd_stop() {
  validate_env
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running on port $KAFKA_PORT"
    return 0
  fi
  log "stopping Kafka on 127.0.0.1:$KAFKA_PORT (pid $pid): controlled shutdown"
  terminate "$pid" "$KAFKA_STOP_TIMEOUT"
  rm -f "$PID_FILE"
  log "stopped"
}

# Fault injection for tests and fault scripts: the signal goes to the broker process only if it is ours.
cmd_signal() { # KILL|STOP|CONT
  validate_env
  local pid
  pid="$(running_pid)" || die "no broker started by this script runs on port $KAFKA_PORT"
  kill "-$1" "$pid"
  if [ "$1" = KILL ]; then
    while pid_alive "$pid"; do sleep 0.1; done
    rm -f "$PID_FILE"
  fi
  log "sent SIG$1 to the broker on 127.0.0.1:$KAFKA_PORT (pid $pid)"
}

cmd_status() {
  validate_env
  local pid
  if pid="$(running_pid)"; then
    local state="running"
    api_versions_ok "$KAFKA_PORT" || state="running (not answering yet)"
    echo "$state: Kafka $(cat "$RUN_DIR/version" 2>/dev/null || echo '?') on 127.0.0.1:$KAFKA_PORT (pid $pid, log $LOG_FILE)"
  elif api_versions_ok "$KAFKA_PORT"; then
    echo "running: a Kafka broker not started by this script answers on 127.0.0.1:$KAFKA_PORT"
  else
    echo "stopped: no Kafka on 127.0.0.1:$KAFKA_PORT (version $KAFKA_VERSION would be started)"
    return 3
  fi
}

cmd_logs() {
  [ -f "$LOG_FILE" ] || die "no log yet at $LOG_FILE"
  if [ "${1:-}" = "-f" ]; then exec tail -n 200 -f "$LOG_FILE"; fi
  tail -n 200 "$LOG_FILE"
}

cmd_perf() { # <class> [args...]
  validate_env
  need_java
  install_libs
  local main="$1"
  shift
  # Benchmarks: full JIT and G1 (run_tool's quick-start flags would make the client the bottleneck).
  # shellcheck disable=SC2086
  java ${KAFKA_PERF_OPTS:--Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true} "$(log_flag tools)" \
    -cp "$LIBS_DIR/*" "$main" "$@"
}

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  kill) cmd_signal KILL ;;
  pause) cmd_signal STOP ;;
  resume) cmd_signal CONT ;;
  logs) shift; cmd_logs "$@" ;;
  perf-producer) shift; cmd_perf org.apache.kafka.tools.ProducerPerformance "$@" ;;
  perf-consumer) shift; cmd_perf org.apache.kafka.tools.ConsumerPerformance "$@" ;;
  tool) shift; validate_env; need_java; install_libs; run_tool "$@" ;;
  classpath) validate_env; install_libs; echo "$LIBS_DIR" ;;
  install) validate_env; install_libs; echo "$LIBS_DIR" ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
