#!/usr/bin/env bash
# Runs golangci-lint v2 (pinned in tools/golangci-lint/go.mod) with
# .golangci.yml: the standard linters (errcheck, govet, ineffassign,
# staticcheck, unused) and exhaustive switches over enums. (The import
# rules are a test: internal/imports_test.go.) CI runs it after
# scripts/test.sh (.ci/run). It is kept out of the test command because
# compiling golangci-lint alone takes about 2.5 minutes of a cold run on
# two cores; later runs take seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
go tool -modfile=tools/golangci-lint/go.mod golangci-lint run ./...
printf '==> golangci-lint: %ds\n' "$((SECONDS - start))" >&2
