#!/usr/bin/env bash
# Runs the repository's pinned pnpm (package.json's packageManager) with the given arguments.
# A pnpm already on PATH at that version is used as is; otherwise a private copy is installed once
# under .tools/ and put first on PATH for this command and its children (turbo looks pnpm up
# there). The user's global pnpm is never replaced.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(node -p 'require("./package.json").packageManager.replace(/^pnpm@/, "")')
if [ "$(pnpm --version 2>/dev/null || true)" != "$version" ]; then
  prefix="$PWD/.tools/pnpm-$version"
  if [ "$("$prefix/node_modules/.bin/pnpm" --version 2>/dev/null || true)" != "$version" ]; then
    echo "› pnpm $version is not on PATH (found: $(pnpm --version 2>/dev/null || echo none)): installing a private copy in .tools/; your own pnpm is left as it is" >&2
    npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error "pnpm@$version" >&2
  fi
  export PATH="$prefix/node_modules/.bin:$PATH"
fi
exec pnpm "$@"
