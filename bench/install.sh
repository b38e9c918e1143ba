#!/usr/bin/env bash
# Installs what the benchmarks need beyond the test stack: first the stack itself
# (test/stack/install.sh, idempotent), then the Argo Rollouts controller, built from
# the Go module proxy through the wrapper module test/stack/go/argo-rollouts at the
# version pinned in test/stack/versions.json, into
# $GREENLIGHT_CACHE/bin/rollouts-controller-<version>/rollouts-controller, and GNU time (apt).
# Kept out of test/stack/install.sh so CI's cold install does not grow.
# Its CRDs are read from the module cache at run time (bench/argo.ts), never copied here.
#
# Environment: GREENLIGHT_CACHE, GREENLIGHT_GO_JOBS (default 2), as for test/stack/install.sh.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stack="$root/test/stack"
cache="${GREENLIGHT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/greenlight}"
jobs="${GREENLIGHT_GO_JOBS:-2}"
start_all=$SECONDS

log() { printf '[bench-install %s +%ss] %s\n' "$(date -u +%H:%M:%S)" "$((SECONDS - start_all))" "$*"; }
die() { printf '[bench-install] ERROR: %s\n' "$*" >&2; exit 1; }

bash "$stack/install.sh"

# GNU time measures the peak RSS of the measured commands (bench/exec.ts)
if [[ ! -x /usr/bin/time ]]; then
  log "apt: installing time"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends time >/dev/null
fi

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null || die "go is not on PATH (the machine image provides it)"

version="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["argo-rollouts"])' "$stack/versions.json")"
module=github.com/argoproj/argo-rollouts
grep -qE "^[[:space:]]*(require[[:space:]]+)?$module $version([[:space:]]|\$)" "$stack/go/argo-rollouts/go.mod" ||
  die "test/stack/go/argo-rollouts/go.mod does not require $module $version (versions.json says so): run bash test/stack/go/gen-argo-rollouts-gomod.sh"

name=rollouts-controller
target="$cache/bin/$name-$version/$name"
# same lock as test/stack/install.sh: one install (and one big Go build) at a time
exec 9>"$cache/install.lock"
if ! flock -n 9; then
  log "another install holds $cache/install.lock; waiting for it"
  flock 9
fi
if [[ -x $target ]]; then
  log "go: $name $version already built ($target)"
else
  log "go: building $name $version (cold, 2 cores: several minutes)"
  export CGO_ENABLED=0
  export GOFLAGS="-buildvcs=false -mod=readonly -p=$jobs"
  tmp="$(mktemp -d "$cache/bin/.build-$name.XXXXXX")"
  ldflags="-s -w -X $module/utils/version.version=${version#v} -X $module/utils/version.gitTag=$version"
  ldflags+=" -X $module/utils/version.gitTreeState=clean -X $module/utils/version.buildDate=1970-01-01T00:00:00Z"
  (cd "$stack/go/argo-rollouts" && go build -trimpath -ldflags="$ldflags" -o "$tmp/$name" "$module/cmd/$name")
  mkdir -p "$(dirname "$target")"
  mv -f "$tmp/$name" "$target"
  rmdir "$tmp"
  log "go: $name done"
fi
# the CRDs come from the module's source in the module cache; make sure it is there
(cd "$stack/go/argo-rollouts" && go mod download "$module@$version")
"$target" --version >/dev/null
log "benchmark tools ready (total ${SECONDS}s)"
