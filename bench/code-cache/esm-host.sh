#!/usr/bin/env bash
# Builds an older commit's session host (e.g. the ESM host before the code-cache entry, 20825aa)
# and its simulator preload under /tmp/wa-host-<commit>, for bench/code-cache/ab.ts (ESM_HOST,
# ESM_PRELOAD). Uses this checkout's node_modules; Baileys' receive patch is already in them.
# Usage: bash bench/code-cache/esm-host.sh <commit>   (prints the two env assignments)
set -euo pipefail
commit="$1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="/tmp/wa-host-${commit}"
rm -rf "$out" && mkdir -p "$out"
git -C "$root" archive "$commit" | tar -x -C "$out"
ln -s "$root/node_modules" "$out/node_modules"
# Through the symlink esbuild sees node_modules' real path, so the build's own check that Baileys
# came from ./node_modules cannot hold; the patch itself is checked by this checkout's build.
sed -i 's/if (!(patchedInput in result.metafile.inputs)) throw/if (false) throw/' "$out/scripts/build-host.mjs"
(cd "$out" && node scripts/build-host.mjs >/dev/null)
"$root/node_modules/.bin/esbuild" "$out/test/wa-sim/trust-sim.ts" --format=esm --platform=node --outfile="$out/dist/test/wa-sim/trust-sim.js" --log-level=warning
echo "ESM_HOST=$out/dist/host/session-host.mjs ESM_PRELOAD=$out/dist/test/wa-sim/trust-sim.js"
