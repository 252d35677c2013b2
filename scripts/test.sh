#!/usr/bin/env bash
# The whole suite: lint, then SQLite, then PostgreSQL (when reachable), then the real browser.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/ruff check .
$BIN/ruff format --check .

echo "== tests on SQLite"
$BIN/pytest -m "not browser" -n 2 "$@"

# A database of its own per run, so a run here and a CI run at the same time cannot collide.
PG_DB="portal_test_$$"
if $BIN/python -c "import psycopg2; psycopg2.connect('postgresql://postgres@127.0.0.1:5432/postgres').close()" 2>/dev/null; then
  echo "== tests on PostgreSQL ($PG_DB)"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $PG_DB" >/dev/null
  # two xdist workers, each on its own database ($PG_DB_gw0, $PG_DB_gw1: tests/conftest.py creates them)
  trap 'for d in $PG_DB ${PG_DB}_gw0 ${PG_DB}_gw1; do psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done' EXIT
  TEST_DATABASE_URL=${TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/$PG_DB} $BIN/pytest -m "not browser" -n 2 "$@"
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
