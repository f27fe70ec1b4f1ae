#!/usr/bin/env bash
# The Vitest suites (unit and integration) on Node.js 26 as well, after the full run on 24.
# better-sqlite3 is rebuilt for Node 26 (with npm_config_nodedir, which use-node.sh sets, or node-gyp
# would build it against ~/.npmrc's /usr headers), the suites run, and on the way out, pass or fail,
# it is rebuilt for the Node that was on PATH before, so the tree is left as it was found.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

before_path="$PATH"
before_nodedir="${npm_config_nodedir:-}"
rebuild_back() {
  echo "== rebuilding better-sqlite3 for $(PATH="$before_path" node --version) again"
  if [ -n "$before_nodedir" ]; then
    PATH="$before_path" npm_config_nodedir="$before_nodedir" npm rebuild better-sqlite3 >/dev/null
  else
    (unset npm_config_nodedir && PATH="$before_path" npm rebuild better-sqlite3 >/dev/null)
  fi
  PATH="$before_path" node -e "new (require('better-sqlite3'))(':memory:').close()"
}

# shellcheck source=./use-node.sh
source scripts/use-node.sh 26
trap rebuild_back EXIT
echo "== rebuilding better-sqlite3 for $(node --version)"
npm rebuild better-sqlite3 >/dev/null
node -e "new (require('better-sqlite3'))(':memory:').close()"

echo "== unit and integration tests on $(node --version)"
npx turbo run build --output-logs=errors-only
if [ $# -gt 0 ]; then
  # A subset while working on it: scripts/test-node26.sh test/operations/health.test.ts (server test files).
  (cd apps/server && npx vitest run "$@")
else
  timeout 1800 npx turbo run test --concurrency=1 --output-logs=full
fi
