#!/usr/bin/env bash
# The quick loop before a commit (CONTRIBUTING.md): build, lint, typecheck and the unit and
# integration tests that need no root, no Debian service (slapd, Samba AD) and no browser. About two
# to three minutes on 2 cores; `npm test` runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

# Tests that start slapd or Samba AD, or need root (a full disk on a loop mount); `npm test` runs them.
NEEDS_SERVICES=(
  'test/directory/openldap-directory.test.ts'
  'test/directory/active-directory.test.ts'
  'test/attack/ldap-injection.test.ts'
  'test/routes/otp/directory-method.test.ts'
  'test/durability/disk-full.test.ts'
  'test/lock/directory-mode.test.ts'
)
# The suites that run on both engines keep their SQLite half here; their PostgreSQL half (a cluster per file) is for `npm test`.
export LATCHKEY_TEST_SKIP_POSTGRES=1
excludes=()
for t in "${NEEDS_SERVICES[@]}"; do excludes+=(--exclude "$t"); done

echo "== build"
npx turbo run build --output-logs=errors-only
echo "== lint"
npm run --silent lint
echo "== typecheck"
npx turbo run typecheck --output-logs=errors-only
echo "== unit tests (no root, no directory services, no browser)"
for dir in packages/contracts apps/console apps/client apps/server; do
  (cd "$dir" && npx vitest run "${excludes[@]}")
done
