"""Counting the SQL statements a block of code sends (SQLAlchemy's before_cursor_execute on the engine)."""

from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


class Hitungan:
    def __init__(self):
        self.statements = []

    @property
    def n(self):
        return len(self.statements)


@contextmanager
def hitung_sql():
    """with hitung_sql() as h: ...; h.n is the number of statements sent meanwhile."""
    h = Hitungan()
    engine = db.engine

    def listener(conn, cursor, statement, parameters, context, executemany):
        h.statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield h
    finally:
        event.remove(engine, "before_cursor_execute", listener)
