#!/usr/bin/env bash
# Runs every check CI runs: installs the test tools (dynalite and the IAM
# action list from npm, Go modules and staticcheck from the module proxy),
# then go vet, staticcheck and all tests with the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund --loglevel=error
go mod download
gofmt_out=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$gofmt_out" ]; then
  echo "gofmt would change:"; echo "$gofmt_out"; exit 1
fi
go vet ./...
go tool staticcheck ./...
go test -race ./...
