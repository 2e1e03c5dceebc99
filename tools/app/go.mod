// The example HTTP app of the kind examples, built into the node image as registry.rebound.local/app.
module rebound.dev/tools/app

go 1.24.0
