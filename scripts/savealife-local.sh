#!/usr/bin/env bash
# Serves examples/savealife on http://127.0.0.1:8000 with no AWS account:
# dynalite (a real DynamoDB implementation, from npm) stands in for
# DynamoDB, and `gochalice local` runs the app with the dev stage's
# environment variables from examples/savealife/.chalice/config.json.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${DYNALITE_PORT:-4567}
[ -d node_modules/dynalite ] || npm ci --no-audit --no-fund --loglevel=error
node node_modules/dynalite/cli.js --host 127.0.0.1 --port "$port" --createTableMs 0 >/dev/null &
dynalite=$!
trap 'kill $dynalite 2>/dev/null || true' EXIT

export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
go run ./examples/savealife/cmd/devtable savealife-donors
go run ./cmd/gochalice local --project-dir examples/savealife --stage dev "$@"
