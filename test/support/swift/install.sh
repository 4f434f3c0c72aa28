#!/usr/bin/env bash
# Installs OpenStack Swift (proxy with the s3api middleware, account/container/object servers) and
# memcached from Debian packages, for the S3 contract tests. Idempotent: a second run installs nothing.
set -euo pipefail

PACKAGES=(swift swift-proxy swift-account swift-container swift-object memcached python3-swift)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "swift: already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

export DEBIAN_FRONTEND=noninteractive
# Package scripts must not start services: start.sh runs Swift on loopback with its own config.
policy_rc=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy_rc" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy_rc" >/dev/null
  $SUDO chmod +x "$policy_rc"
  created_policy=1
fi
trap '[ "$created_policy" = 1 ] && $SUDO rm -f "$policy_rc"' EXIT

if ! apt-cache show swift-proxy >/dev/null 2>&1; then
  $SUDO apt-get update -q
fi
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "swift: installed ${missing[*]}"
