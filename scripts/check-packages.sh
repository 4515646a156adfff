#!/usr/bin/env bash
# Packs every public package as npm would publish it and lints the tarballs: publint (package.json
# fields, files that exist) and Are The Types Wrong (types resolve under node10, node16 and
# bundler resolution). Leaves the tarballs in the directory given (default: a temporary one) for
# the consumer test. Needs a build first (`pnpm build`).
#
# attw's `cjs-resolves-to-esm` is ignored on purpose: the packages are ESM only and need
# Node >= 20.19 (engines), where `require()` of ESM works; the consumer test proves it from a
# CommonJS project.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
bin="$PWD/node_modules/.bin"
for dir in packages/*/; do
  if node -e 'process.exit(require(process.argv[1]).private ? 0 : 1)' "$PWD/$dir/package.json"; then continue; fi
  name=$(node -p 'require(process.argv[1]).name' "$PWD/$dir/package.json")
  echo "› $name"
  tarball=$(cd "$dir" && pnpm pack --pack-destination "$out" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).filename))')
  if tar tzf "$tarball" | grep -qE '\.tsbuildinfo$|\.test\.ts$|\.test-d\.ts$'; then
    echo "  $tarball ships build info or tests" >&2
    exit 1
  fi
  "$bin/publint" run --strict "$dir" | sed 's/^/  /'
  "$bin/attw" "$tarball" --quiet --ignore-rules cjs-resolves-to-esm | sed 's/^/  /'
done
echo "› tarballs in $out"
