#!/usr/bin/env bash
# Brings a fresh machine with Node >= 20.19 to a state where the demo and the tests run: the
# repository's pinned pnpm (a private copy when the one on PATH differs, see scripts/pnpm.sh), the
# workspace's dependencies, and (with --test) the programs the test suite drives: redis-server,
# rabbitmq-server (the @celeriac/amqp tests start their own node on free ports, never the system
# one), Debian's chromium, and Debian's Python Celery (python3-celery, python3-redis, python3-amqp:
# the tests of @celeriac/celery and @celeriac/amqp run real Celery workers and clients with
# /usr/bin/python3). What is already present is kept; nothing is installed without saying so
# first. Set CELERIAC_SKIP_APT=1 to install system packages yourself. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export COREPACK_INTEGRITY_KEYS=0 TURBO_TELEMETRY_DISABLED=1

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Celeriac needs Node >= 20.19, found "+process.version); process.exit(1) }'

# Each argument is CHECK:PACKAGE; CHECK is a command that must be on PATH, an absolute path that
# must be executable (a server outside a user's PATH), or py:MODULE, a module that /usr/bin/python3
# (Debian's, not a pyenv one first on PATH) must import.
apt_install() {
  local missing=()
  for pair in "$@"; do
    local check="${pair%:*}"
    if [ "${check#py:}" != "$check" ]; then
      /usr/bin/python3 -c "import ${check#py:}" >/dev/null 2>&1 || missing+=("${pair##*:}")
    elif [ "${check#/}" != "$check" ]; then
      [ -x "$check" ] || missing+=("${pair##*:}")
    else
      command -v "$check" >/dev/null 2>&1 || missing+=("${pair##*:}")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "${CELERIAC_SKIP_APT:-}" = 1 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "› the tests need ${missing[*]} (redis-server, rabbitmq-server: the Redis and RabbitMQ tests start their own on free ports; chromium: the browser tests; python3-celery, python3-redis, python3-amqp: the Celery tests, with /usr/bin/python3). Install them, then run this again." >&2
    exit 1
  fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "› the tests need ${missing[*]}, which are missing: installing them with ${sudo:+sudo }apt-get (set CELERIAC_SKIP_APT=1 to install them yourself)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

if [ "${1:-}" = "--test" ]; then
  apt_install redis-server:redis-server /usr/lib/rabbitmq/bin/rabbitmq-server:rabbitmq-server chromium:chromium py:celery:python3-celery py:redis:python3-redis py:amqp:python3-amqp
fi

bash scripts/pnpm.sh install --frozen-lockfile --reporter=silent
