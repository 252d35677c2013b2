"""The portal for the benchmarks: `gunicorn bench.wsgi:app`. With BENCH_COUNT_SQL=1 (refused in production)
each response carries `X-SQL-Statements`, the number of SQL statements the request sent, so bench/pages.py
reads the count of the very request it timed. The app itself has no counting code."""

import os

from flask import g
from sqlalchemy import event

from app import create_app
from app.extensions import db

app = create_app()

if os.environ.get("BENCH_COUNT_SQL") == "1":
    if app.config.get("ENV_NAME") == "production" or os.environ.get("PORTAL_ENV") == "production":
        raise RuntimeError("BENCH_COUNT_SQL is for benchmarks, never in production")

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args):
        try:
            g.bench_sql = g.get("bench_sql", 0) + 1
        except RuntimeError:  # outside a request (startup)
            pass

    @app.after_request
    def _header(resp):
        resp.headers["X-SQL-Statements"] = str(g.get("bench_sql", 0))
        return resp
