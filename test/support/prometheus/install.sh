#!/usr/bin/env bash
# Installs `promtool` (Debian package `prometheus`) for the metrics and alert-rule tests.
# Idempotent: does nothing when promtool is already on PATH. Called from .ci/run.
set -euo pipefail

if command -v promtool >/dev/null 2>&1; then
  promtool --version 2>&1 | head -n 1
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install.sh: promtool missing and not root (no sudo)" >&2; exit 1; }
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
# Try the existing package lists first; refresh them only when the package is not found.
if ! $SUDO apt-get install -y --no-install-recommends prometheus; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends prometheus
fi

command -v promtool >/dev/null 2>&1 || { echo "install.sh: prometheus installed but promtool not on PATH" >&2; exit 1; }
promtool --version 2>&1 | head -n 1
