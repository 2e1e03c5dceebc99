#!/usr/bin/env bash
# Measures a cold build of the kind node image, as on a fresh machine: empty Go module and build caches and an empty
# $REBOUND_HOME (in a temporary folder, removed afterwards; your own caches are untouched), so every binary is built
# and the root filesystem debootstrapped. The node image it makes is tagged as usual in Docker's store; the base
# image is rebuilt too (its old tag is removed first). Needs `npm run setup:kind` done. Run: npm run bench:kind-image
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$(mktemp -d /tmp/rebound-cold-image.XXXXXX)"
trap 'chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
export GOMODCACHE="$scratch/gomod" GOCACHE="$scratch/gocache" REBOUND_HOME="$scratch/home"
image="$(bash "$here/tools/node-image/build.sh" --name)"
base="$(bash "$here/tools/node-image/build.sh" --base-name)"
docker rmi "$image" "$base" >/dev/null 2>&1 || true
echo "cold node image build on $(nproc) cores, $(go env GOVERSION), scratch caches in $scratch"
start=$SECONDS
last=$SECONDS
bash "$here/tools/node-image/build.sh" 2>&1 | while IFS= read -r line; do
  if [[ "$line" == "rebound: step "* ]]; then
    echo "  $((SECONDS - start)) s: ${line#rebound: }"
  elif [[ "$line" == *"rebound: built "* ]]; then
    echo "  $((SECONDS - start)) s: ${line#*rebound: }"
  fi
done
echo "total cold node image build: $((SECONDS - start)) s"
