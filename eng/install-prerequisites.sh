#!/usr/bin/env bash
# Installs the RabbitMQ and PostgreSQL server binaries that the AppHost's Local infrastructure mode and
# the tests run (they run them as their own processes, on their own ports: no system service is used), and
# with --tests what else the test suite uses: the Chromium the saga view's browser test drives and docker-compose,
# which checks the generated Compose file (it needs no Docker engine for that).
#
#   eng/install-prerequisites.sh                  # install when missing
#   eng/install-prerequisites.sh --unless-docker  # nothing to do when a Docker engine answers
#   eng/install-prerequisites.sh --tests          # Chromium and docker-compose too (the test suite)
set -euo pipefail

tests=false
case "${1:-}" in
  --unless-docker)
    if timeout 10 docker info >/dev/null 2>&1; then
      echo "A Docker engine answers: the AppHost will use containers."
      exit 0
    fi
    ;;
  --tests) tests=true ;;
esac

have_binaries() {
  [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || command -v rabbitmq-server >/dev/null || return 1
  compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || command -v postgres >/dev/null || return 1
  ! $tests || { command -v chromium >/dev/null && command -v docker-compose >/dev/null; } || return 1
}

if have_binaries; then
  exit 0
fi

packages=(rabbitmq-server postgresql)
if $tests; then
  packages+=(chromium docker-compose)
fi
if ! command -v apt-get >/dev/null; then
  echo "RabbitMQ and PostgreSQL are missing. Install rabbitmq-server (3.10+) and postgresql (15+) with your" >&2
  echo "package manager (macOS: brew install rabbitmq postgresql@16), or run with Docker." >&2
  $tests && echo "The test suite also wants Chromium and docker-compose on PATH." >&2
  exit 1
fi

if [[ $EUID -eq 0 ]]; then
  sudo=()
elif sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "Prerequisites are missing and this user may not install packages. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${packages[*]}" >&2
  exit 1
fi

echo "Installing ${packages[*]} ..."
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
have_binaries
echo "Installed ${packages[*]}."
