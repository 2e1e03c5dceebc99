#!/usr/bin/env bash
# Builds one family of the local cluster's binaries from the Go module proxy into the cache.
#
#   tools/build.sh kubernetes|etcd|kwok          the local cluster
#   tools/build.sh kubernetes-node|kind|cni|crictl|coredns   the kind node image and the kind binary
#   tools/build.sh actionlint                   the linter of the nightly CI recipe (docs/examples/nightly.yml)
#
# Output: $REBOUND_HOME/bin/<family>-<version>/ (REBOUND_HOME defaults to ~/.rebound), marked complete by a
# BUILD-INFO file written last, so an interrupted build is never taken for a finished one. The versions live in
# tools/versions.env; each family has its own go.mod in tools/<dir>/. rebound calls this script when a binary is
# missing (`rebound cluster build` does it on demand); `go build -v` prints each package as it is compiled, which
# the caller turns into progress.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
. "$here/versions.env"

family="${1:-}"
home="${REBOUND_HOME:-$HOME/.rebound}"

if ! command -v go >/dev/null 2>&1; then
  echo "rebound: the Go toolchain (go ${GO_MIN} or newer) is needed to build the local cluster's binaries once; install it (https://go.dev/doc/install, or your distribution's golang package) and run the command again." >&2
  exit 3
fi

case "$family" in
  kubernetes|kubernetes-node)
    version="$KUBERNETES_VERSION"
    dir="$here/k8s"
    minor="${version#v1.}"; minor="${minor%%.*}"
    pkg="k8s.io/component-base/version"
    cgo="k8s.io/client-go/pkg/version"
    date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    ldflags="-s -w"
    for p in "$pkg" "$cgo"; do
      ldflags+=" -X $p.gitVersion=$version -X $p.gitMajor=1 -X $p.gitMinor=$minor"
      ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=$date"
    done
    packages=(
      k8s.io/kubernetes/cmd/kube-apiserver
      k8s.io/kubernetes/cmd/kube-controller-manager
      k8s.io/kubernetes/cmd/kube-scheduler
      k8s.io/kubernetes/cmd/kubectl
    )
    # The node's agents, for the kind node image; the control plane's images reuse the binaries above.
    [[ "$family" == kubernetes-node ]] && packages=(
      k8s.io/kubernetes/cmd/kubelet
      k8s.io/kubernetes/cmd/kubeadm
      k8s.io/kubernetes/cmd/kube-proxy
    )
    ;;
  etcd)
    version="$ETCD_VERSION"
    dir="$here/etcd"
    ldflags="-s -w"
    packages=(go.etcd.io/etcd/server/v3)
    ;;
  kwok)
    version="$KWOK_VERSION"
    dir="$here/kwok"
    ldflags="-s -w"
    packages=(sigs.k8s.io/kwok/cmd/kwok)
    ;;
  kind)
    version="$KIND_VERSION"
    dir="$here/kind"
    ldflags="-s -w"
    packages=(sigs.k8s.io/kind)
    ;;
  cni)
    version="$CNI_PLUGINS_VERSION"
    dir="$here/cni"
    ldflags="-s -w"
    packages=(
      github.com/containernetworking/plugins/plugins/main/bridge
      github.com/containernetworking/plugins/plugins/main/loopback
      github.com/containernetworking/plugins/plugins/ipam/host-local
      github.com/containernetworking/plugins/plugins/meta/portmap
    )
    ;;
  crictl)
    version="$CRI_TOOLS_VERSION"
    dir="$here/cri-tools"
    ldflags="-s -w"
    packages=(sigs.k8s.io/cri-tools/cmd/crictl)
    ;;
  coredns)
    version="$COREDNS_VERSION"
    dir="$here/coredns"
    ldflags="-s -w"
    packages=(.)
    ;;
  actionlint)
    version="$ACTIONLINT_VERSION"
    dir="$here/actionlint"
    ldflags="-s -w"
    packages=(github.com/rhysd/actionlint/cmd/actionlint)
    ;;
  *)
    echo "usage: tools/build.sh kubernetes|etcd|kwok|kubernetes-node|kind|cni|crictl|coredns|actionlint" >&2
    exit 2
    ;;
esac

out="$home/bin/$family-$version"
if [[ -f "$out/BUILD-INFO" ]]; then
  echo "rebound: $family $version already built in $out"
  exit 0
fi

tmp="$out.partial.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

cd "$dir"
echo "rebound: building $family $version into $out (go $(go env GOVERSION))"
start=$SECONDS
# A single package is written to a file named after the family (go would name etcd's "server"); several go to
# the folder, each named after its command.
target="$tmp/"
[[ ${#packages[@]} -eq 1 ]] && target="$tmp/$family"
CGO_ENABLED=0 GOFLAGS="-mod=mod" go build -v -trimpath -ldflags "$ldflags" -o "$target" "${packages[@]}"
{
  echo "family=$family"
  echo "version=$version"
  echo "go=$(go env GOVERSION)"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "seconds=$((SECONDS - start))"
} > "$tmp/BUILD-INFO"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "rebound: built $family $version in $((SECONDS - start)) s"
