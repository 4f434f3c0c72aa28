#!/usr/bin/env bash
# Installs what the image test (test/image/, `npm run test:image`) needs from Debian: podman (a
# container engine without a daemon; its `build` is buildah's), runc (the OCI runtime it is run
# with here: engine-flags.sh says why), slirp4netns (publishes ports like `docker run -p`) and
# debootstrap (the local base images: make-base.sh). Idempotent: does nothing when all are there.
set -euo pipefail

if command -v podman >/dev/null 2>&1 && command -v runc >/dev/null 2>&1 && command -v slirp4netns >/dev/null 2>&1 \
  && command -v debootstrap >/dev/null 2>&1; then
  podman --version
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install.sh: podman missing and not root (no sudo)" >&2; exit 1; }
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
PACKAGES="podman runc slirp4netns uidmap fuse-overlayfs netavark aardvark-dns debootstrap"
# Try the existing package lists first; refresh them only when a package is not found.
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y --no-install-recommends $PACKAGES; then
  $SUDO apt-get update
  # shellcheck disable=SC2086
  $SUDO apt-get install -y --no-install-recommends $PACKAGES
fi

podman --version
