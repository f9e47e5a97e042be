#!/usr/bin/env bash
# Runs every check CI runs: installs the test tools (dynalite, the IAM
# action list and the CloudFormation schemas from npm; Go modules from the
# module proxy), then gofmt, go mod tidy, go vet, golangci-lint (the
# standard linters with staticcheck, exhaustive and depguard's import
# rules; .golangci.yml), the release configuration's test, and every test
# with the race detector. The release build itself is
# scripts/release-check.sh, kept out of here because building goreleaser
# takes longer than everything else together.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step's line says when it starts: seconds since the start, wall
# clock and CPU (user + system of every finished command), so a step's cost
# is the difference to the next line. The machine may be shared: compare
# CPU when the wall clock is in doubt.
times_file=$(mktemp)
trap 'rm -f "$times_file"' EXIT
step() {
  times >"$times_file" # in this shell: a subshell would not see the children
  cpu=$(awk 'NR == 2 { split($1, u, "m"); split($2, s, "m"); printf "%d", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$times_file")
  printf '==> [%4ds wall, %5ds cpu] %s\n' "$SECONDS" "$cpu" "$*" >&2
}

# npm's downloads overlap the Go work; the tests need them at the end.
npm ci --no-audit --no-fund --loglevel=error &
npm_pid=$!

step "go mod download"
go mod download
step gofmt
gofmt_out=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$gofmt_out" ]; then
  echo "gofmt would change:"; echo "$gofmt_out"; exit 1
fi
step "go mod tidy -diff"
go mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }
step "go vet"
go vet ./...
go -C tools/goreleaser vet ./...
step golangci-lint
go tool -modfile=tools/golangci-lint/go.mod golangci-lint run ./...
step "release configuration"
# goreleaser's own strict config loader and the settings that matter,
# without building goreleaser (tools/goreleaser/config_test.go).
go -C tools/goreleaser test ./...
wait "$npm_pid" || { echo "npm ci failed"; exit 1; }
step "go test -race"
# internal/e2e deploys the examples against moto (../shared/moto), which
# takes minutes: more than go test's default 10-minute limit on a busy
# machine.
go test -race -timeout 30m ./...
step done
