#!/usr/bin/env bash
# Every test of the project: lint, type checks, unit and integration tests against real SMTP,
# OpenLDAP, Samba AD and SQLite, then Playwright in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

bash scripts/install-test-deps.sh

echo "== build"
npx turbo run build --output-logs=errors-only
echo "== lint (Prettier, ESLint, the lint rules' own test)"
npm run --silent lint
echo "== typecheck"
npx turbo run typecheck --output-logs=errors-only
echo "== unit and integration tests"
timeout 1800 npx turbo run test --concurrency=1 --output-logs=full
echo "== end-to-end tests (Playwright, Chromium)"
cd tests/e2e
timeout 1800 npx playwright test
