#!/usr/bin/env bash
# Load tests and benchmarks: builds in Release, starts the whole system (or drives the running one with
# --Target) and runs a scenario: all (default), baselines, place-orders, find-max, drain or smoke.
# Reports go to load-tests/results/<run>/. See load-tests/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
eng/install-prerequisites.sh
exec dotnet run -c Release --project load-tests/EcommerceEda.LoadTests -- "$@"
