#!/usr/bin/env bash
# Runs every check CI runs: installs the test tools (dynalite and the IAM
# action list from npm, Go modules and staticcheck from the module proxy),
# then go vet, the goreleaser configuration (check and a snapshot build),
# staticcheck and all tests with the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund --loglevel=error
go mod download
gofmt_out=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$gofmt_out" ]; then
  echo "gofmt would change:"; echo "$gofmt_out"; exit 1
fi
go vet ./...
# The release configuration, checked and built for one target with the
# goreleaser pinned in tools/goreleaser/go.mod (its own module, so its
# dependencies stay out of ours); the build lands in dist/ (ignored by git).
go tool -modfile=tools/goreleaser/go.mod goreleaser check
GOOS=linux GOARCH=amd64 go tool -modfile=tools/goreleaser/go.mod goreleaser build --snapshot --clean --single-target
go tool staticcheck ./...
go test -race ./...
