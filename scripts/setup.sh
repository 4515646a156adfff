#!/usr/bin/env bash
# Brings a fresh machine with Node >= 20.19 to a state where the demo and the tests run:
# pnpm at the pinned version, the workspace's dependencies, and (with --test) the servers and
# browser the test suite drives: redis-server and Debian's chromium. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.21.0
export COREPACK_INTEGRITY_KEYS=0 TURBO_TELEMETRY_DISABLED=1

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Celeriac needs Node >= 20.19, found "+process.version); process.exit(1) }'

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "› installing pnpm $PNPM_VERSION"
  npm install --global --silent "pnpm@$PNPM_VERSION"
fi

apt_install() {
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "› installing ${missing[*]} with apt-get"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

if [ "${1:-}" = "--test" ]; then
  apt_install redis-server:redis-server chromium:chromium
fi

pnpm install --frozen-lockfile --reporter=silent
