#!/usr/bin/env bash
# Generates deploy/ — Docker Compose and Kubernetes manifests for a real cluster (three RabbitMQ nodes, each service
# in two replicas, a managed PostgreSQL) — from the AppHost, as Aspire's own manifest publisher describes it.
#
#   ./eng/publish.sh                          # regenerate deploy/compose and deploy/kubernetes
#   ./eng/publish.sh --check                  # fail if deploy/ is not what the AppHost generates now
#   ./eng/publish.sh --registry ghcr.io/you   # the images' registry (default ghcr.io/ecommerce-eda)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build tools/Deploy -v quiet -nologo -clp:ErrorsOnly
# Published, the AppHost describes the broker and the database as the images they are in production, and no simulators.
dotnet AppHost/bin/Debug/net10.0/EcommerceEda.AppHost.dll --publisher manifest --output-path "$work/aspire-manifest.json" >/dev/null
dotnet tools/Deploy/bin/Debug/net10.0/EcommerceEda.Deploy.dll "$work/aspire-manifest.json" deploy "$@"
