#!/usr/bin/env bash
# Builds rebound's kind node image offline, from Debian's packages and binaries built here from Go modules; no
# registry is needed. `rebound cluster image` runs it (so does `cluster up --provider kind` when the image is
# missing); it prints one "step i/n" line per stage and the image's name last.
#
#   tools/node-image/build.sh            build what is missing, print the node image's name
#   tools/node-image/build.sh --name     print the name the image would have, build nothing
#   tools/node-image/build.sh --base-name   the same for the base image (Debian's root filesystem alone)
#
# What it makes, each cached and keyed by version:
#   $REBOUND_HOME/cache/rootfs-<debian>-<hash>.tar   the root filesystem (debootstrap of NODE_IMAGE_DEBIAN)
#   rebound.local/kind-base:<debian>-<hash>          that root filesystem as a Docker image
#   rebound.local/kind-node:<kubernetes>-<hash>      the node image: systemd, containerd, kubelet, kubeadm, kubectl,
#                                                    crictl, CNI plugins, and these images preloaded in containerd:
#     registry.k8s.io/pause, kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy (the names and
#     tags kubeadm uses), registry.k8s.io/etcd and coredns/coredns (tagged with the versions built here; rebound's
#     kind config points kubeadm at those tags), registry.rebound.local/node-tools (the pod network's helper) and
#     registry.rebound.local/app:v1 (the examples' HTTP app, tools/app).
# <hash> covers this folder, tools/app and the versions it uses, so any change to the recipe makes a new image.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="$(dirname "$here")"
# shellcheck source=../versions.env
. "$tools/versions.env"
home="${REBOUND_HOME:-$HOME/.rebound}"

recipe_hash() {
  {
    (cd "$tools" && find node-image app -type f -print0 | sort -z | xargs -0 sha256sum)
    grep -E '^(KUBERNETES|ETCD|CNI_PLUGINS|CRI_TOOLS|COREDNS)_VERSION=|^NODE_IMAGE_DEBIAN=' "$tools/versions.env"
  } | sha256sum | cut -c1-12
}
hash="$(recipe_hash)"
# The packages of the root filesystem; a change here makes a new root filesystem.
packages=systemd,systemd-sysv,dbus,containerd,runc,iptables,nftables,iproute2,conntrack,ethtool,util-linux,mount,kmod,procps,ca-certificates,socat,libseccomp2,curl
rootfs_key="$NODE_IMAGE_DEBIAN-$(echo "$packages" | sha256sum | cut -c1-12)"
base_image="rebound.local/kind-base:$rootfs_key"
node_image="rebound.local/kind-node:$KUBERNETES_VERSION-$hash"
tools_image="registry.rebound.local/node-tools:$KUBERNETES_VERSION"
app_image="registry.rebound.local/app:v1"

if [[ "${1:-}" == "--name" ]]; then
  echo "$node_image"
  exit 0
fi
if [[ "${1:-}" == "--base-name" ]]; then
  echo "$base_image"
  exit 0
fi

fail() {
  echo "rebound: node image: $*" >&2
  exit 1
}
command -v docker >/dev/null 2>&1 || fail "docker is not on PATH; run \`npm run setup:kind\` first."
docker info >/dev/null 2>&1 || fail "the Docker engine does not answer (docker info failed); run \`npm run setup:kind\` first."

if docker image inspect "$node_image" >/dev/null 2>&1; then
  echo "rebound: node image $node_image is built"
  echo "$node_image"
  exit 0
fi

steps=6
step() { echo "rebound: step $1/$steps: $2"; }
start=$SECONDS
work="$(mktemp -d "${TMPDIR:-/tmp}/rebound-node-image.XXXXXX")"
builder="rebound-node-image-build-$$"
cleanup() {
  docker rm -f "$builder" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# Legacy builder: it needs no buildx plugin and runs the few RUN steps through the engine's default runtime.
build() {
  DOCKER_BUILDKIT=0 docker build -q "$@" >/dev/null 2>"$work/build.err" || { cat "$work/build.err" >&2; return 1; }
}

step 1 "binaries (Go modules, cached in $home/bin)"
for family in kubernetes kubernetes-node etcd cni crictl coredns; do
  bash "$tools/build.sh" "$family" | sed 's/^/  /'
done
bin="$home/bin"
k8s="$bin/kubernetes-$KUBERNETES_VERSION"
node="$bin/kubernetes-node-$KUBERNETES_VERSION"

step 2 "root filesystem (debootstrap $NODE_IMAGE_DEBIAN, cached in $home/cache)"
rootfs_tar="$home/cache/rootfs-$rootfs_key.tar"
if [[ ! -f "$rootfs_tar" ]]; then
  command -v debootstrap >/dev/null 2>&1 || fail "debootstrap is missing; run \`npm run setup:kind\` first."
  mirror="${REBOUND_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
  mkdir -p "$home/cache"
  rootfs="$work/rootfs"
  debootstrap --variant=minbase --include="$packages" "$NODE_IMAGE_DEBIAN" "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 ||
    { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap failed (log above); is $mirror reachable?"; }
  # What a node never uses: package caches and lists, documentation, and the units that only make sense on a
  # real machine (kind's images drop the same ones).
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/{doc,man,locale}/*
  rm -f "$rootfs"/etc/systemd/system/*.wants/* "$rootfs"/lib/systemd/system/multi-user.target.wants/*
  rm -f "$rootfs"/lib/systemd/system/local-fs.target.wants/* "$rootfs"/lib/systemd/system/sockets.target.wants/*udev*
  rm -f "$rootfs"/lib/systemd/system/sockets.target.wants/*initctl* "$rootfs"/lib/systemd/system/basic.target.wants/*
  find "$rootfs"/lib/systemd/system/sysinit.target.wants/ -name 'systemd-tmpfiles-setup.service' -delete
  echo "ReadKMsg=no" >> "$rootfs/etc/systemd/journald.conf"
  tar -C "$rootfs" -cf "$rootfs_tar.partial" .
  mv "$rootfs_tar.partial" "$rootfs_tar"
  rm -rf "$rootfs"
fi

step 3 "base image $base_image"
if ! docker image inspect "$base_image" >/dev/null 2>&1; then
  docker import --change 'ENV container=docker' --change 'CMD ["/bin/bash"]' "$rootfs_tar" "$base_image" >/dev/null
fi

step 4 "component images"
images="$work/images"
mkdir -p "$images"
# image NAME CONTEXT: builds CONTEXT (a folder with a Dockerfile) as NAME and saves it for containerd to import.
image() {
  build -t "$1" "$2"
  docker save "$1" -o "$images/$(echo "$1" | tr '/:' '__').tar"
  echo "  $1"
}
# scratch NAME BINARY PATH_IN_IMAGE [ENTRYPOINT]: a static binary alone in an image.
scratch() {
  local ctx="$work/ctx-$RANDOM"
  mkdir -p "$ctx"
  cp "$2" "$ctx/binary"
  {
    echo "FROM scratch"
    echo "COPY binary $3"
    echo "ENV PATH=/usr/local/bin:/usr/bin:/bin"
    [[ -n "${4:-}" ]] && echo "ENTRYPOINT [\"$4\"]"
  } > "$ctx/Dockerfile"
  image "$1" "$ctx"
}
command -v gcc >/dev/null 2>&1 || fail "gcc is missing (the pod sandbox's pause binary is compiled here); install gcc."
gcc -static -O2 -o "$work/pause" "$here/pause/pause.c" || fail "could not compile the pause binary statically (is libc6-dev installed?)"
scratch "registry.k8s.io/pause:3.10.1" "$work/pause" /pause /pause
(cd "$tools/app" && CGO_ENABLED=0 go build -trimpath -ldflags '-s -w' -o "$work/app" .) || fail "could not build the example app (tools/app)"
scratch "$app_image" "$work/app" /app /app
for component in kube-apiserver kube-controller-manager kube-scheduler; do
  scratch "registry.k8s.io/$component:$KUBERNETES_VERSION" "$k8s/$component" "/usr/local/bin/$component"
done
scratch "registry.k8s.io/etcd:$ETCD_VERSION" "$bin/etcd-$ETCD_VERSION/etcd" /usr/local/bin/etcd
scratch "registry.k8s.io/coredns/coredns:$COREDNS_VERSION" "$bin/coredns-$COREDNS_VERSION/coredns" /coredns /coredns
# kube-proxy (iptables mode) and the pod network's helper need iptables, ip and a shell: the base image has them.
ctx="$work/ctx-kube-proxy"
mkdir -p "$ctx"
cp "$node/kube-proxy" "$ctx/"
printf 'FROM %s\nCOPY kube-proxy /usr/local/bin/kube-proxy\n' "$base_image" > "$ctx/Dockerfile"
image "registry.k8s.io/kube-proxy:$KUBERNETES_VERSION" "$ctx"
ctx="$work/ctx-node-tools"
mkdir -p "$ctx"
cp "$k8s/kubectl" "$ctx/"
printf 'FROM %s\nCOPY kubectl /usr/local/bin/kubectl\n' "$base_image" > "$ctx/Dockerfile"
image "$tools_image" "$ctx"

step 5 "node image layers"
ctx="$work/ctx-node"
mkdir -p "$ctx/bin" "$ctx/cni"
cp -a "$here/files" "$ctx/files"
sed -i "s|@NODE_TOOLS_IMAGE@|$tools_image|" "$ctx/files/kind/manifests/default-cni.yaml"
echo "$KUBERNETES_VERSION" > "$ctx/files/kind/version"
cp "$node/kubelet" "$node/kubeadm" "$k8s/kubectl" "$ctx/bin/"
cp "$bin/crictl-$CRI_TOOLS_VERSION/crictl" "$ctx/"
cp "$bin/cni-$CNI_PLUGINS_VERSION"/{bridge,loopback,host-local,portmap} "$ctx/cni/"
cat > "$ctx/Dockerfile" <<EOF
FROM $base_image
COPY files/ /
COPY bin/ /usr/bin/
COPY crictl /usr/local/bin/crictl
COPY cni/ /opt/cni/bin/
RUN systemctl enable containerd.service kubelet.service >/dev/null 2>&1 \\
 && systemctl mask getty.target console-getty.service systemd-binfmt.service apt-daily.timer apt-daily-upgrade.timer >/dev/null 2>&1 \\
 && mkdir -p /etc/kubernetes/manifests /etc/cni/net.d /opt/cni/bin
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]
EOF
build -t "$node_image-layers" "$ctx"

step 6 "preloading images into the node's containerd"
docker run -d --name "$builder" --privileged --cgroupns=private --tmpfs /run --tmpfs /tmp \
  --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
  -v "$images:/preload:ro" "$node_image-layers" >/dev/null
for _ in $(seq 1 120); do
  docker exec "$builder" ctr version >/dev/null 2>&1 && break
  sleep 0.5
done
docker exec "$builder" ctr version >/dev/null 2>&1 || { docker logs "$builder" 2>&1 | tail -n 20 >&2; fail "containerd did not start in the node container (its log above)"; }
for tar in "$images"/*.tar; do
  docker exec "$builder" ctr -n k8s.io images import "/preload/$(basename "$tar")" >/dev/null ||
    fail "containerd could not import $(basename "$tar")"
done
docker exec "$builder" ctr -n k8s.io images ls -q | grep -v '^sha256:' | sed 's/^/  /'
docker stop -t 30 "$builder" >/dev/null
docker commit "$builder" "$node_image-preloaded" >/dev/null
# The builder's boot left identity files behind; a node must make its own.
printf 'FROM %s\nRUN rm -f /kind/product_uuid /kind/product_name /kind/resolv.conf /kind/cgroups-without-misc /etc/machine-id && touch /etc/machine-id\n' \
  "$node_image-preloaded" | build -t "$node_image" -
docker rmi "$node_image-preloaded" "$node_image-layers" >/dev/null 2>&1 || true
# Node images of earlier recipes take 2 GB each; remove those no container uses (docker refuses the others).
for old in $(docker images rebound.local/kind-node --format '{{.Repository}}:{{.Tag}}'); do
  [[ "$old" == "$node_image" ]] || docker rmi "$old" >/dev/null 2>&1 || true
done
echo "rebound: built $node_image in $((SECONDS - start)) s"
echo "$node_image"
