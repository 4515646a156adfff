#!/usr/bin/env bash
# Brings a fresh machine with Node >= 20.19 to a state where the demo and the tests run: the
# repository's pinned pnpm (a private copy when the one on PATH differs, see scripts/pnpm.sh), the
# workspace's dependencies, and (with --test) the programs the test suite drives: redis-server and
# Debian's chromium. What is already present is kept; nothing is installed without saying so
# first. Set CELERIAC_SKIP_APT=1 to install system packages yourself. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export COREPACK_INTEGRITY_KEYS=0 TURBO_TELEMETRY_DISABLED=1

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Celeriac needs Node >= 20.19, found "+process.version); process.exit(1) }'

apt_install() {
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair##*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "${CELERIAC_SKIP_APT:-}" = 1 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "› the tests need ${missing[*]} on PATH (redis-server: the Redis tests start their own on a free port; chromium: the browser tests). Install them, then run this again." >&2
    exit 1
  fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "› the tests need ${missing[*]}, which are not on PATH: installing them with ${sudo:+sudo }apt-get (set CELERIAC_SKIP_APT=1 to install them yourself)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

if [ "${1:-}" = "--test" ]; then
  apt_install redis-server:redis-server chromium:chromium
fi

bash scripts/pnpm.sh install --frozen-lockfile --reporter=silent
