#!/usr/bin/env bash
# A real redis-server for development and tests (the consumer's Redis dedup store).
#
#   bash scripts/redis.sh start    install redis-server if missing, start it on 127.0.0.1:$REDIS_PORT (idempotent)
#   bash scripts/redis.sh stop     SHUTDOWN NOSAVE, then SIGTERM/SIGKILL if it does not exit
#   bash scripts/redis.sh status   running/stopped, version, port
#
# redis-server comes from the Debian package (apt-get; sudo when not root). It runs daemonized with no
# persistence (no RDB snapshots, no AOF): a test store, not a database. Files live in
# $VMW_CACHE_DIR/redis/redis-<port>/ (pid file, log).
#
# Environment:
#   REDIS_PORT           port (default 6379); clients use REDIS_URL=redis://127.0.0.1:$REDIS_PORT
#   REDIS_START_TIMEOUT  seconds to wait for PING to answer (default 20)
set -euo pipefail

# shellcheck source=lib/toolchain.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"

REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_START_TIMEOUT="${REDIS_START_TIMEOUT:-20}"
RUN_DIR="$VMW_CACHE_DIR/redis/redis-$REDIS_PORT"
PID_FILE="$RUN_DIR/redis.pid"
LOG_FILE="$RUN_DIR/redis.log"

log() { printf '\033[36m[redis]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[redis] error:\033[0m %s\n' "$*" >&2; exit 1; }

validate_env() {
  local p
  for p in REDIS_PORT REDIS_START_TIMEOUT; do
    [[ "${!p}" =~ ^[0-9]+$ ]] || die "$p must be a number (got '${!p}')"
  done
}

# Sends PING over the Redis protocol (no redis-cli needed) and expects +PONG.
ping_ok() { ping_ok_port "$REDIS_PORT"; }
ping_ok_port() {
  local reply
  reply="$(timeout 2 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "PING\r\n" >&3
    head -c 7 <&3
  ' _ "$1" 2>/dev/null)" || return 1
  [ "${reply%$'\r'}" = "+PONG" ] # $(...) already dropped the trailing \n
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

redis_bin() {
  command -v redis-server 2>/dev/null && return 0
  [ -x /usr/bin/redis-server ] && echo /usr/bin/redis-server && return 0
  return 1
}

install_redis() {
  redis_bin >/dev/null && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && sudo="sudo -n" \
      || die "redis-server is not installed and this user cannot install it (not root, no passwordless sudo). Install it with: sudo apt-get install -y redis-server (or 'docker compose up -d redis' with compose.yaml)"
  fi
  command -v apt-get >/dev/null 2>&1 \
    || die "redis-server is not installed and apt-get is not available; install Redis 7 with your package manager (or 'docker compose up -d redis')"
  log "installing redis-server from Debian packages (apt-get)"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server >&2 \
    || die "apt-get install redis-server failed"
  redis_bin >/dev/null || die "redis-server is still missing after apt-get install"
  # The package may start its own system service (persistent, port 6379); we run our own instance instead.
  if ping_ok_port 6379; then
    log "stopping the redis-server system service the package started"
    $sudo service redis-server stop >&2 2>/dev/null || $sudo /etc/init.d/redis-server stop >&2 2>/dev/null || true
  fi
}

running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "redis-server.*:$REDIS_PORT" || return 1
  echo "$pid"
}

cmd_start() {
  validate_env
  mkdir -p "$RUN_DIR"
  local pid
  if pid="$(running_pid)" && ping_ok; then
    log "already running on 127.0.0.1:$REDIS_PORT (pid $pid)"
    echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
    return 0
  fi
  exec 9>"$RUN_DIR/.start.lock"
  flock -w 120 9 || die "another 'redis.sh start' for port $REDIS_PORT holds $RUN_DIR/.start.lock"
  if ping_ok; then
    log "a Redis server already answers on 127.0.0.1:$REDIS_PORT; using it"
    echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
    return 0
  fi
  port_in_use "$REDIS_PORT" && die "port $REDIS_PORT is used by a program that does not answer PING; set REDIS_PORT to a free port"
  install_redis
  local bin
  bin="$(redis_bin)"
  log "starting $("$bin" --version | awk '{print $3}' | tr -d 'v=') on 127.0.0.1:$REDIS_PORT (log $LOG_FILE)"
  # No persistence: empty `save` disables RDB snapshots, appendonly no disables the AOF.
  "$bin" --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
    --save '' --appendonly no --dir "$RUN_DIR" --pidfile "$PID_FILE" --logfile "$LOG_FILE" \
    --maxmemory 256mb --maxmemory-policy noeviction >>"$LOG_FILE" 2>&1 9>&- \
    || die "redis-server failed to start (log: $LOG_FILE)"
  local deadline=$((SECONDS + REDIS_START_TIMEOUT))
  until ping_ok; do
    if [ $SECONDS -ge $deadline ]; then
      tail -n 20 "$LOG_FILE" >&2 2>/dev/null || true
      die "redis-server did not answer PING on 127.0.0.1:$REDIS_PORT within ${REDIS_START_TIMEOUT}s"
    fi
    sleep 0.2
  done
  log "Redis is up on 127.0.0.1:$REDIS_PORT (pid $(cat "$PID_FILE"))"
  echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
}

cmd_stop() {
  validate_env
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running on port $REDIS_PORT"
    return 0
  fi
  log "stopping Redis on 127.0.0.1:$REDIS_PORT (pid $pid)"
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"; printf "SHUTDOWN NOSAVE\r\n" >&3; cat <&3 >/dev/null' _ "$REDIS_PORT" 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    sleep 2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  validate_env
  local pid
  if pid="$(running_pid)" && ping_ok; then
    echo "running: Redis on 127.0.0.1:$REDIS_PORT (pid $pid, log $LOG_FILE)"
  elif ping_ok; then
    echo "running: a Redis server not started by this script answers on 127.0.0.1:$REDIS_PORT"
  else
    echo "stopped: no Redis on 127.0.0.1:$REDIS_PORT"
    return 3
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
