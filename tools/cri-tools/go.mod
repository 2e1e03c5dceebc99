// Builds crictl, baked into the kind node image (see tools/README.md).
module rebound.dev/tools/cri-tools

go 1.24.1

require sigs.k8s.io/cri-tools v1.34.0 // indirect
