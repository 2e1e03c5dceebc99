#!/usr/bin/env bash
# Builds the example operator (scenarios/operators/echo) as two images, for the kind examples that compare two
# versions of an operator the way users do, by image tag:
#   registry.rebound.local/echo-operator:v1   reconciles at once
#   registry.rebound.local/echo-operator:v2   waits 1 s before each reconcile (ECHO_RECONCILE_DELAY baked in)
# The controller is bundled into one file with esbuild and runs on this machine's own node binary, on top of the
# kind node image's base (Debian). Needs the compiled TypeScript (npm run build) and the base image (setup:kind).
# Rebuilt only when the bundle or node changes. Load them into a kind cluster with
#   rebound cluster load --provider kind --image registry.rebound.local/echo-operator:v1 --image ...:v2
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
controller="$root/dist/scenarios/operators/echo/controller.js"
[[ -f "$controller" ]] || { echo "rebound: $controller is missing; run npm run build first." >&2; exit 1; }
base="$(bash "$root/tools/node-image/build.sh" --base-name)"
docker image inspect "$base" >/dev/null 2>&1 || { echo "rebound: the base image $base is missing; run npm run setup:kind first." >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/rebound-operator-image.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$root/node_modules/.bin/esbuild" "$controller" --bundle --platform=node --format=cjs --log-level=warning \
  --outfile="$work/controller.cjs"
node_binary="$(command -v node)"
cp "$node_binary" "$work/node"
key="$( (cat "$work/controller.cjs" "$work/node"; echo "$base") | sha256sum | cut -c1-12)"

for version in v1:0s v2:1s; do
  tag="${version%%:*}"
  delay="${version#*:}"
  image="registry.rebound.local/echo-operator:$tag"
  if [[ "$(docker image inspect --format '{{index .Config.Labels "rebound.dev/recipe"}}' "$image" 2>/dev/null)" == "$key" ]]; then
    echo "rebound: $image is built"
    continue
  fi
  cat > "$work/Dockerfile" <<DOCKERFILE
FROM $base
COPY node /usr/local/bin/node
COPY controller.cjs /operator/controller.cjs
ENV ECHO_RECONCILE_DELAY=$delay
LABEL rebound.dev/recipe=$key
ENTRYPOINT ["/usr/local/bin/node", "/operator/controller.cjs"]
DOCKERFILE
  DOCKER_BUILDKIT=0 docker build -q -t "$image" "$work" >/dev/null 2>"$work/build.err" || { cat "$work/build.err" >&2; exit 1; }
  echo "rebound: built $image (reconcile delay $delay)"
done
# The images these replaced (untagged now) take 330 MB each.
docker image prune --force --filter label=rebound.dev/recipe >/dev/null
