#!/usr/bin/env bash
# The whole suite: lint, then SQLite, then PostgreSQL (when reachable), then the real browser.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/ruff check .
$BIN/ruff format --check .

echo "== tests on SQLite"
$BIN/pytest -m "not browser" -n 2 "$@"

PG_URL=${TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/portal_test}
if $BIN/python -c "import psycopg2,sys; psycopg2.connect('postgresql://postgres@127.0.0.1:5432/postgres').close()" 2>/dev/null; then
  echo "== tests on PostgreSQL"
  psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='portal_test'" | grep -q 1 \
    || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE portal_test" >/dev/null
  TEST_DATABASE_URL=$PG_URL $BIN/pytest -m "not browser" -p no:xdist "$@"
else
  echo "PostgreSQL not reachable at 127.0.0.1:5432; PostgreSQL run skipped" >&2
  [ -n "${CI:-}" ] && exit 1
fi

if [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "== browser test (chromium)"
  $BIN/pytest -m browser -p no:xdist "$@"
else
  echo "chromium not installed; browser test skipped" >&2
  [ -n "${CI:-}" ] && exit 1
fi
