#!/usr/bin/env bash
# The packages as a user gets them: packs every public package, installs the tarballs with plain
# npm into fresh temporary projects, compiles a small app with that project's TypeScript and runs
# it (enqueue a task, wait for its result) in three shapes:
#   esm-ts7           ESM, TypeScript 7, standard decorators, vitest 4 beside @celeriac/core
#   esm-ts5-standard  ESM, TypeScript 5.9, standard decorators, vitest 3 beside @celeriac/core
#   cjs-ts5-legacy    CommonJS + node10 resolution + legacy decorators (NestJS's default), with
#                     @celeriac/nestjs in a Nest application context
# npm's strict peer resolution would fail with ERESOLVE if a peer range excluded vitest 3 or 4.
# Every project also installs @celeriac/prometheus and @celeriac/opentelemetry (src/observe.ts) and
# @celeriac/amqp with what it needs (src/amqp.ts).
# The ESM projects also install @celeriac/cli and run its `celeriac` binary on the compiled app;
# esm-ts7 mounts @celeriac/dashboard in a Fastify server and fetches its page (src/dashboard.ts).
# Needs a build first (`pnpm build`) and the npm registry. Usage: consumer-test.sh [shape...]
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work=$(mktemp -d "${TMPDIR:-/tmp}/celeriac-consumer-XXXXXX")
trap 'rm -rf "$work"' EXIT

bash scripts/check-packages.sh "$work/packs" >/dev/null
pack() { ls "$work/packs/celeriac-$1-"*.tgz; }

shapes=("$@")
[ ${#shapes[@]} -eq 0 ] && shapes=(esm-ts7 esm-ts5-standard cjs-ts5-legacy)
for shape in "${shapes[@]}"; do
  echo "› consumer project: $shape"
  dir="$work/$shape"
  mkdir -p "$dir/src"
  cp -r "$root/scripts/consumer/$shape/." "$dir/"
  cp "$root/scripts/consumer/src/"*.ts "$dir/src/"
  # @celeriac/amqp needs @celeriac/celery, which needs @celeriac/redis: none of them is on the registry here.
  tarballs=("$(pack core)" "$(pack memory)" "$(pack redis)" "$(pack celery)" "$(pack amqp)" "$(pack prometheus)" "$(pack opentelemetry)")
  [ "$shape" = cjs-ts5-legacy ] && tarballs+=("$(pack nestjs)")
  # The CLI serves the dashboard (celeriac dashboard), which takes @celeriac/fastify's auth hook.
  [ "$shape" != cjs-ts5-legacy ] && tarballs+=("$(pack cli)" "$(pack dashboard)" "$(pack fastify)")
  (
    cd "$dir"
    npm install --no-audit --no-fund --loglevel=error "${tarballs[@]}"
    echo "  $(./node_modules/.bin/tsc --version), $(node -p 'require("./package.json").type ?? "commonjs"')"
    ./node_modules/.bin/tsc -p .
    for entry in dist/*.js; do node "$entry" | sed 's/^/  /'; done
    if [ -x node_modules/.bin/celeriac ]; then
      registered=$(./node_modules/.bin/celeriac inspect registered --app dist/app.js --json)
      echo "$registered" | grep -q '"name":"math.square"' || { echo "  celeriac inspect registered: $registered" >&2; exit 1; }
      echo "  celeriac $(./node_modules/.bin/celeriac --version): inspect registered lists the app's tasks"
    fi
  )
done
echo "› consumer projects passed: ${shapes[*]}"
