#!/usr/bin/env bash
# Regenerates docs/ from the code: the AsyncAPI 3.0 document, a JSON Schema per message and version, and
# events.md. Refuses a breaking change to a published schema (docs/events.md#versioning).
#
#   eng/generate-docs.sh           # write docs/
#   eng/generate-docs.sh --check   # write nothing; fail when docs/ is out of date
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet run --project tools/EventDocs -- "$@"
