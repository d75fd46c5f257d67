#!/usr/bin/env bash
# govmomi's vCenter simulator (vcsim) and CLI (govc), a real vSphere SOAP API peer for the bridge tests.
#
#   bash scripts/vcsim.sh install   go install vcsim and govc @$GOVMOMI_VERSION into $VMW_CACHE_DIR/go/bin (once)
#   bash scripts/vcsim.sh path      installs if needed, then prints: VCSIM_BIN=<path> GOVC_BIN=<path>
#
# Tests start their own simulators: `"$VCSIM_BIN" -l 127.0.0.1:0` picks a free port and prints
# `export GOVC_URL=https://user:pass@127.0.0.1:<port>/sdk`.
#
# Environment:
#   GOVMOMI_VERSION  default v0.46.3 (later tags cannot be `go install`ed; v0.37.0+ is needed by the bridge)
set -euo pipefail

# shellcheck source=lib/toolchain.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/toolchain.sh"

GOVMOMI_VERSION="${GOVMOMI_VERSION:-v0.46.3}"
GO_DIR="$VMW_CACHE_DIR/go"
BIN_DIR="$GO_DIR/bin"
STAMP="$BIN_DIR/.govmomi-version"
VCSIM_BIN="$BIN_DIR/vcsim"
GOVC_BIN="$BIN_DIR/govc"

log() { printf '\033[36m[vcsim]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31m[vcsim] error:\033[0m %s\n' "$*" >&2; exit 1; }

installed() { [ -x "$VCSIM_BIN" ] && [ -x "$GOVC_BIN" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$GOVMOMI_VERSION" ]; }

cmd_install() {
  [[ "$GOVMOMI_VERSION" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "GOVMOMI_VERSION must look like v0.46.3 (got '$GOVMOMI_VERSION')"
  installed && return 0
  command -v go >/dev/null 2>&1 \
    || die "Go is needed once to build vcsim and govc (https://go.dev/doc/install; Debian: apt-get install -y golang-go)"
  mkdir -p "$BIN_DIR"
  exec 9>"$GO_DIR/.install.lock"
  flock -w 900 9 || die "another 'vcsim.sh install' holds $GO_DIR/.install.lock"
  installed && return 0
  log "building vcsim and govc $GOVMOMI_VERSION with go install (first time only; 1 to 6 minutes, ~430 packages)"
  local started=$SECONDS
  # Only the binaries go to the project cache; modules and build cache stay in Go's own caches (shared, reused).
  # -v names each package as it is compiled: the progress lines count them.
  GOBIN="$BIN_DIR" vmw_run_logged "building vcsim and govc" "$GO_DIR/install.log" vmw_go_status \
    go install -v "github.com/vmware/govmomi/vcsim@$GOVMOMI_VERSION" "github.com/vmware/govmomi/govc@$GOVMOMI_VERSION" \
    || die "go install github.com/vmware/govmomi/{vcsim,govc}@$GOVMOMI_VERSION failed (is the Go module proxy reachable?)"
  echo "$GOVMOMI_VERSION" >"$STAMP"
  installed || die "go install finished but $VCSIM_BIN or $GOVC_BIN is missing"
  log "installed in $BIN_DIR after $((SECONDS - started))s"
}

case "${1:-}" in
  install) cmd_install ;;
  path)
    cmd_install
    echo "VCSIM_BIN=$VCSIM_BIN GOVC_BIN=$GOVC_BIN"
    ;;
  *) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
