#!/usr/bin/env bash
# Starts the whole system: the Aspire AppHost with its dashboard, RabbitMQ, PostgreSQL and the four services.
set -euo pipefail
cd "$(dirname "$0")/.."
eng/install-prerequisites.sh --unless-docker
exec dotnet run --project AppHost -- "$@"
