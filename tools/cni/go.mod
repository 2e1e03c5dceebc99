// Builds the CNI plugins baked into the kind node image (see tools/README.md).
module rebound.dev/tools/cni

go 1.26.8

require github.com/containernetworking/plugins v1.10.0 // indirect
