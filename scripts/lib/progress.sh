#!/usr/bin/env bash
# Source this file (scripts/lib/toolchain.sh does): long steps print progress instead of going silent.
#
#   vmw_run_logged <label> <log> <status-fn|-> <command...>
#       runs the command with its output in <log>; while it runs, prints "<label>: 20s, <status>" to stderr every
#       $VMW_PROGRESS_INTERVAL seconds (default 10), where <status> is what `<status-fn> <log>` prints (`-`: none).
#       A command that ends sooner prints nothing. On failure the last 30 lines of <log> go to stderr.
#       Returns the command's exit status.
#   vmw_follow_job <pid> <label> <log>
#       waits for a background job of this shell whose output goes to <log>: prints what it logged so far, follows
#       the log until the job ends (or, when it had ended already and failed, prints the end of its log), and
#       returns the job's exit status.
#
# Status functions for the downloads the project makes:
#   vmw_maven_status <log>   "42 files downloaded (31.2 MB)" from `mvn -B` output
#   vmw_go_status <log>      "2 modules downloaded, 118 packages compiled" from `go install -v` output
#   vmw_pnpm_status <log>    pnpm's last "Progress: resolved …, downloaded …, added …" line

VMW_PROGRESS_INTERVAL="${VMW_PROGRESS_INTERVAL:-10}"

vmw_run_logged() { # <label> <log> <status-fn|-> <command...>
  local label="$1" log="$2" status_fn="$3"
  shift 3
  "$@" >"$log" 2>&1 </dev/null &
  local pid=$! started=$SECONDS
  local next=$((SECONDS + VMW_PROGRESS_INTERVAL)) status
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$next" ]; then
      status=""
      [ "$status_fn" != "-" ] && status="$("$status_fn" "$log" 2>/dev/null || true)"
      printf '\033[36m[vmw]\033[0m %s: %ss%s\n' "$label" "$((SECONDS - started))" "${status:+, $status}" >&2
      next=$((SECONDS + VMW_PROGRESS_INTERVAL))
    fi
    sleep 0.5
  done
  local rc=0
  wait "$pid" || rc=$?
  if [ "$rc" != 0 ]; then
    printf '\033[31m[vmw]\033[0m %s failed (exit %s); last lines of %s:\n' "$label" "$rc" "$log" >&2
    tail -n 30 "$log" >&2 || true
  fi
  return "$rc"
}

vmw_follow_job() { # <pid> <label> <log>
  local pid="$1" label="$2" log="$3" followed=0 rc=0
  if kill -0 "$pid" 2>/dev/null; then
    printf '\033[36m[vmw]\033[0m waiting for %s (its progress so far, then live):\n' "$label" >&2
    touch "$log"
    tail -n +1 -s 0.5 -f --pid="$pid" "$log" >&2 || true
    followed=1
  fi
  wait "$pid" || rc=$?
  if [ "$rc" != 0 ] && [ "$followed" = 0 ]; then
    printf '\033[31m[vmw]\033[0m %s failed (exit %s); last lines of %s:\n' "$label" "$rc" "$log" >&2
    tail -n 40 "$log" >&2 || true
  fi
  return "$rc"
}

vmw_maven_status() { # <mvn -B log>
  # Portable awk (mawk has no match() captures): the size is the field before "at" inside "(18 kB at 28 kB/s)".
  awk '/Downloaded from/ {
      n++
      for (i = 1; i < NF; i++) if ($(i + 1) == "at" && substr($(i - 1), 1, 1) == "(") {
        v = substr($(i - 1), 2); u = $i
        bytes += v * (u == "GB" ? 1e9 : u == "MB" ? 1e6 : u == "kB" ? 1e3 : 1)
      }
    }
    END { if (n) printf "%d files downloaded (%.1f MB)", n, bytes / 1e6; else printf "resolving dependencies" }' "$1"
}

vmw_go_status() { # <go install -v log>
  awk '/^go: downloading/ { d++; next } /^[a-zA-Z0-9_.\/-]+$/ { c++ }
    END { printf "%d modules downloaded, %d packages compiled", d, c }' "$1"
}

vmw_pnpm_status() { # <pnpm install log>
  local last
  last="$(grep -o 'Progress: resolved [0-9]*, reused [0-9]*, downloaded [0-9]*, added [0-9]*' "$1" | tail -n 1)"
  echo "${last:-resolving}"
}
