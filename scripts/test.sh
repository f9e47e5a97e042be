#!/usr/bin/env bash
# Runs every test CI runs: installs the test tools (dynalite, the IAM
# action list and the CloudFormation schemas from npm; Go modules from the
# module proxy), then gofmt, go mod tidy, go vet, the release
# configuration's test, and every test: with the race detector on the
# packages whose own code runs goroutines (app, internal/local,
# internal/deployer), without it elsewhere, where it would double the
# compilation for code that runs one goroutine at a time. The linters are
# scripts/lint.sh (CI runs it too) and the release build
# scripts/release-check.sh, kept out of here because compiling golangci-lint
# and goreleaser takes longer than the tests.
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
step "release configuration"
# goreleaser's own strict config loader and the settings that matter,
# without building goreleaser (tools/goreleaser/config_test.go).
go -C tools/goreleaser test ./...
wait "$npm_pid" || { echo "npm ci failed"; exit 1; }
step "go test"
# Test scratch (t.TempDir, state files that are fsynced after every step,
# builds) goes to memory when the machine has a tmpfs that may hold
# programs and TMPDIR is not set: the deployer's tests save state
# thousands of times.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  shm=$(mktemp -d /dev/shm/gochalice-test.XXXXXX)
  printf '#!/bin/sh\nexit 0\n' >"$shm/probe" && chmod +x "$shm/probe"
  if "$shm/probe" 2>/dev/null; then
    rm -f "$shm/probe"
    export TMPDIR="$shm"
    trap 'rm -f "$times_file"; rm -rf "$shm"' EXIT
  else
    rm -rf "$shm"
  fi
fi
race_pkgs=(./app/... ./internal/local/ ./internal/deployer/)
mapfile -t other_pkgs < <(go list ./... | grep -vxF -f <(go list "${race_pkgs[@]}"))
[ "${#other_pkgs[@]}" -gt 10 ] || { echo "go list ./... failed: fix the error above"; go list ./... >/dev/null; exit 1; }
# Both halves run at once, so that the long packages of each (the
# deployer's crash tests; internal/e2e, which deploys the examples against
# moto, ../shared/moto) overlap. -timeout 30m: e2e takes minutes, more
# than go test's default 10-minute limit on a busy machine.
go test -race -timeout 30m "${race_pkgs[@]}" &
race_pid=$!
status=0
go test -timeout 30m "${other_pkgs[@]}" || status=$?
wait "$race_pid" || status=$?
[ "$status" -eq 0 ] || exit "$status"
step done
