#!/usr/bin/env bash
# Runs the whole test suite: unit tests, integration tests against a real RabbitMQ and PostgreSQL that the
# tests start themselves, and an end-to-end test of the AppHost.
set -euo pipefail
cd "$(dirname "$0")/.."
eng/install-prerequisites.sh
exec dotnet test "$@"
