#!/usr/bin/env bash
# Measures a cold build of the local cluster's binaries, as on a fresh machine: empty Go module cache, empty Go
# build cache, empty rebound cache (all in a temporary folder, removed afterwards; your own caches are untouched).
# Run: npm run bench:build
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$(mktemp -d /tmp/rebound-cold-build.XXXXXX)"
trap 'chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
export GOMODCACHE="$scratch/gomod" GOCACHE="$scratch/gocache" REBOUND_HOME="$scratch/home"
echo "cold build on $(nproc) cores, $(go env GOVERSION), scratch caches in $scratch"
total=0
for family in kubernetes etcd kwok; do
  start=$SECONDS
  bash "$here/tools/build.sh" "$family" > "$scratch/$family.log" 2>&1 || { tail -20 "$scratch/$family.log"; exit 1; }
  took=$((SECONDS - start))
  total=$((total + took))
  echo "$family: ${took} s ($(grep -c . "$scratch/$family.log") lines of go build -v output)"
done
echo "total cold build: ${total} s"
