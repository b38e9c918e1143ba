#!/usr/bin/env bash
# `npm run demo [-- --keep]`: from a fresh clone, install what the demo needs (as .ci/run
# does: the stack's pieces, then the npm packages), then run it (scripts/demo.ts) on Node 24.
# Every phase says what it does and how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "demo: needs root: the real node runs containerd, kubelet and kube-proxy in a network namespace and cgroups of its own" >&2
  exit 1
fi

phase() { # phase <name> <command...>
  local name=$1 begun=$SECONDS
  shift
  echo "== demo: $name"
  "$@"
  echo "== demo: $name done in $((SECONDS - begun))s"
}

# Idempotent: seconds when everything is there; the first run builds Kubernetes, etcd,
# CoreDNS and the rest from the Go module proxy (15-25 minutes on 2 cores).
phase "install the stack's pieces (bash test/stack/install.sh)" bash test/stack/install.sh
if [ ! -x node_modules/.bin/node ]; then
  phase "npm ci" npm ci --no-audit --no-fund
fi
exec node_modules/.bin/node scripts/demo.ts "$@"
