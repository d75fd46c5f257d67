#!/usr/bin/env bash
# Packs every publishable package (`pnpm pack`, exactly what npm would publish), checks the type entry points
# with @arethetypeswrong/cli, installs the tarballs into a scratch project with npm, and imports them there
# as ESM and as CJS, under every supported Node.js line (22 and 24).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh
vmw_ensure_toolchain

out="$VMW_ROOT/.tmp/pack"
rm -rf "$out" && mkdir -p "$out"
[ -f packages/schema/dist/index.js ] || pnpm -s build

declare -A tarball
for pkg in schema producer consumer cli; do
  (cd "packages/$pkg" && pnpm pack --pack-destination "$out" >/dev/null)
  name="$(node -p "require('./packages/$pkg/package.json').name")"
  tarball[$pkg]="$(ls "$out"/org-vmware-events-"$pkg"-*.tgz)"
  vmw_log "packed $name → $(basename "${tarball[$pkg]}")"
  # node16 profile: the ESM and CJS type entry points both resolve, and no masquerading module kinds.
  pnpm exec attw --pack "packages/$pkg" --profile node16 --format ascii
done

scratch="$(mktemp -d "${TMPDIR:-/tmp}/vmw-pack-test.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
cat >"$scratch/package.json" <<JSON
{
  "name": "scratch-consumer-of-the-sdk",
  "private": true,
  "dependencies": {
    "@org/vmware-events-schema": "file:${tarball[schema]}",
    "@org/vmware-events-producer": "file:${tarball[producer]}",
    "@org/vmware-events-consumer": "file:${tarball[consumer]}",
    "@org/vmware-events-cli": "file:${tarball[cli]}"
  },
  "overrides": { "@org/vmware-events-schema": "file:${tarball[schema]}" }
}
JSON
cp scripts/pack-test/smoke.mjs scripts/pack-test/smoke.cjs scripts/pack-test/checks.cjs "$scratch/"
(cd "$scratch" && npm install --no-audit --no-fund --loglevel=error >/dev/null)

for major in 22 24; do
  node_bin="$(vmw_node_dir "$major")/bin/node"
  vmw_log "Node $("$node_bin" --version): ESM import"
  (cd "$scratch" && "$node_bin" smoke.mjs)
  vmw_log "Node $("$node_bin" --version): CJS require"
  (cd "$scratch" && "$node_bin" smoke.cjs)
done
# The schema package's CLI runs from the installed tarball.
(cd "$scratch" && npx --no-install vmware-events-schema --help >/dev/null) && vmw_log "vmware-events-schema CLI runs"
# The vmware-events command runs from the installed tarball: help, and a real validation with its exit code.
(cd "$scratch" && npx --no-install vmware-events --help >/dev/null)
validate_rc=0
(cd "$scratch" && echo '{"operationInfo": {}}' | npx --no-install vmware-events validate >/dev/null) || validate_rc=$?
[ "$validate_rc" = 1 ] || vmw_die "vmware-events validate exited $validate_rc on an invalid event (expected 1)"
vmw_log "vmware-events CLI runs (help; validate rejects an invalid event)"
vmw_log "pack test passed"
