#!/usr/bin/env bash
# Runs the whole test suite: unit tests, integration tests against a real RabbitMQ and PostgreSQL that the
# tests start themselves, an end-to-end test of the AppHost (the saga view in headless Chromium among them), and the
# AsyncAPI parser's check of docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
eng/install-prerequisites.sh --tests
if ! command -v node >/dev/null; then
  echo "Node.js is missing: the AsyncAPI document is validated with the AsyncAPI parser (apt-get install nodejs npm)." >&2
  exit 1
fi
npm ci --prefix tools/asyncapi --no-audit --no-fund --loglevel=error
exec dotnet test "$@"
