#!/usr/bin/env bash
# Makes the local Node.js base images the Dockerfile builds FROM where no image registry is
# reachable (this project's machines and CI reach only the npm registry and Debian's packages):
#
#   localhost/wa-node:<node version>-bookworm-<hash>        runtime base (--build-arg NODE_IMAGE=...)
#   localhost/wa-node-build:<node version>-bookworm-<hash>  + python3, make, g++, the machine's CA
#                                                           bundle (--build-arg BUILD_IMAGE=...)
#
# Like the public node:20-bookworm-slim it stands in for: Debian bookworm (debootstrap, minbase),
# Node.js and npm under /usr/local, a `node` user with uid/gid 1000. The Node.js is the machine's
# own (the one running this script): Debian's apt offers only Node 18, the project needs 20.
# The build base adds a compiler because better-sqlite3's prebuilt binary comes from GitHub, which
# is not reachable here, so `npm ci` compiles it (against the copied headers: npm_config_nodedir).
#
# Cached: does nothing when both images exist (the tag carries the Node.js version and a hash of
# this script, so a new Node or a changed script makes new bases and drops the old ones).
# WA_BASE_REBUILD=1 forces a rebuild. Prints the two image names, one a line, on stdout;
# progress goes to stderr. Needs root (debootstrap, chroot) and podman.
set -euo pipefail

SUITE="${WA_BASE_SUITE:-bookworm}"
MIRROR="${WA_BASE_MIRROR:-http://deb.debian.org/debian}"
NODE_BIN="$(readlink -f "$(command -v node)")"
NODE_VERSION="$("$NODE_BIN" -p 'process.versions.node')"
# The tag names what makes the base: the Node.js version, the suite and this script's own text.
SCRIPT_HASH="$(sha256sum "$0" | cut -c1-8)"
RUNTIME_IMAGE="localhost/wa-node:${NODE_VERSION}-${SUITE}-${SCRIPT_HASH}"
BUILD_IMAGE="localhost/wa-node-build:${NODE_VERSION}-${SUITE}-${SCRIPT_HASH}"

log() { echo "make-base: $*" >&2; }
# The container engine's flags for this machine (runtime, ulimits): see engine-flags.sh.
{ read -r ENGINE_GLOBAL; read -r ENGINE_RUN; } < <(bash "$(dirname "$0")/engine-flags.sh")

if [ "${WA_BASE_REBUILD:-}" != "1" ] && podman image exists "$RUNTIME_IMAGE" && podman image exists "$BUILD_IMAGE"; then
  log "cached: $RUNTIME_IMAGE, $BUILD_IMAGE"
  echo "$RUNTIME_IMAGE"
  echo "$BUILD_IMAGE"
  exit 0
fi

# Where the machine's Node.js lives: <prefix>/bin/node, <prefix>/lib/node_modules/npm,
# <prefix>/include/node (the headers node-gyp compiles native addons against).
PREFIX="$(dirname "$(dirname "$NODE_BIN")")"
# The CA bundle npm trusts here (npm's cafile, else Node's extra CAs, else the system bundle).
CA_BUNDLE="$(npm config get cafile 2>/dev/null || true)"
[ -n "$CA_BUNDLE" ] && [ "$CA_BUNDLE" != "null" ] && [ "$CA_BUNDLE" != "undefined" ] || CA_BUNDLE="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
for need in "$PREFIX/lib/node_modules/npm/bin/npm-cli.js" "$PREFIX/include/node/node.h" "$CA_BUNDLE"; do
  [ -e "$need" ] || { log "the machine's Node.js has no $need (need npm and the headers)"; exit 1; }
done

WORK="$(mktemp -d /var/tmp/wa-node-base.XXXXXX)"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
ROOTFS="$WORK/rootfs"

# Bases this script made before (another Node.js or an older script): replaced, not kept.
for old in $(podman images --format '{{.Repository}}:{{.Tag}}' | grep -E '^localhost/wa-node(-build)?:' || true); do
  [ "$old" = "$RUNTIME_IMAGE" ] || [ "$old" = "$BUILD_IMAGE" ] || podman rmi "$old" >/dev/null 2>&1 || true
done

if [ "${WA_BASE_REBUILD:-}" = "1" ] || ! podman image exists "$RUNTIME_IMAGE"; then
  log "debootstrap $SUITE from $MIRROR"
  debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 20 "$WORK/debootstrap.log" >&2; exit 1; }

  log "Node.js $NODE_VERSION from $PREFIX into /usr/local"
  install -D -m 0755 "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
  mkdir -p "$ROOTFS/usr/local/lib/node_modules" "$ROOTFS/usr/local/include"
  cp -a "$PREFIX/lib/node_modules/npm" "$ROOTFS/usr/local/lib/node_modules/"
  cp -a "$PREFIX/include/node" "$ROOTFS/usr/local/include/"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"

  chroot "$ROOTFS" groupadd --gid 1000 node
  chroot "$ROOTFS" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  # Slim like the image it stands in for: no package lists, no downloaded .debs.
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/archives/*.deb
  chroot "$ROOTFS" node --version >/dev/null

  log "import $RUNTIME_IMAGE"
  tar -C "$ROOTFS" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$NODE_VERSION" \
    --change 'CMD ["node"]' \
    - "$RUNTIME_IMAGE" >/dev/null
fi

if [ "${WA_BASE_REBUILD:-}" = "1" ] || ! podman image exists "$BUILD_IMAGE"; then
  log "build $BUILD_IMAGE (python3 make g++, the machine's CA bundle for npm)"
  mkdir -p "$WORK/context"
  # npm reaches the registry the way the machine does, through its egress proxy, whose certificate
  # only the machine's CA bundle trusts: the build stages get that bundle (public certificates,
  # no secret). The runtime base does not: nothing in the image talks to the registry.
  # prefer-offline: the lockfile records no download addresses, so npm asks the registry for every
  # package's metadata unless a cache holds it; the image test lends the build the machine's cache.
  cp "$CA_BUNDLE" "$WORK/context/machine-ca.crt"
  cat >"$WORK/context/Containerfile" <<EOF
FROM $RUNTIME_IMAGE
RUN apt-get update -qq \\
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 make g++ >/dev/null \\
    && rm -rf /var/lib/apt/lists/*
COPY machine-ca.crt /usr/local/share/machine-ca.crt
ENV npm_config_nodedir=/usr/local \\
    npm_config_prefer_offline=true \\
    npm_config_cafile=/usr/local/share/machine-ca.crt \\
    NODE_EXTRA_CA_CERTS=/usr/local/share/machine-ca.crt
EOF
  # shellcheck disable=SC2086
  podman $ENGINE_GLOBAL build $ENGINE_RUN --network host --pull=never --format docker -t "$BUILD_IMAGE" "$WORK/context" >&2
fi

echo "$RUNTIME_IMAGE"
echo "$BUILD_IMAGE"
