#!/usr/bin/env bash
# Copies the programs built on this host into the build context of
# deploy/Dockerfile.prebuilt (deploy/bin/, ignored by git):
#   deploy/stage-binaries.sh [BUILD_NET_DIR [DEST]]     (defaults: build/net, deploy/bin)
# Build first (scripts/setup); the image runs them on Debian 12 like this host.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="${1:-$root/build/net}"
dest="${2:-$root/deploy/bin}"
for p in kura-node kura kura-forward; do
  [[ -x "$src/$p" ]] || { echo "stage-binaries: $src/$p is missing: build kura first (scripts/setup)" >&2; exit 1; }
done
mkdir -p "$dest"
install -m 755 "$src/kura-node" "$src/kura" "$src/kura-forward" "$dest/"
echo "staged kura-node, kura, kura-forward from $src in $dest"
