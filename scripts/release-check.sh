#!/usr/bin/env bash
# Checks the release with goreleaser itself, pinned in tools/goreleaser
# (its own module, so its dependencies stay out of ours): `goreleaser check`,
# then a snapshot build for this machine into dist/ (ignored by git).
# Building goreleaser takes a while on a cold cache (about 25 minutes on two
# cores), which is why scripts/test.sh only runs the configuration's test.
set -euo pipefail
cd "$(dirname "$0")/.."

go tool -modfile=tools/goreleaser/go.mod goreleaser check
go tool -modfile=tools/goreleaser/go.mod goreleaser build --snapshot --clean --single-target "$@"
