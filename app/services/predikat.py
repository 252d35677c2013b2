"""Predicates that read the same on a row and on its model class, so one rule serves two purposes.

A transition's `party` and `visible` functions decide the buttons of one order (called with the order) and
the home page's queues (called with the model class, giving a SQL clause: Workflow.where). Written with these
helpers instead of `and`/`or`/`if` on columns, the same function body works both ways; a plain `if` on a
column fails loudly in SQL mode ("Boolean value of this clause is not defined") rather than silently differ.
"""

from sqlalchemy import and_, false, or_, true
from sqlalchemy.sql.elements import ClauseElement


def sql_mode(obj):
    """Called with the model class (building a query) rather than a row?"""
    return isinstance(obj, type)


def _sql(x):
    return isinstance(x, ClauseElement) or hasattr(x, "__clause_element__")


def _value(part):
    return part() if callable(part) and not _sql(part) else part


def semua(*parts):
    """AND: a Python bool for a row, a clause for the class. Parts are read in order and a plain False stops
    the reading (a callable part is called only when reached: a lookup the roles rule out is never made)."""
    clauses = []
    for part in parts:
        part = _value(part)
        if _sql(part):
            clauses.append(part)
        elif not part:
            return False
    return and_(*clauses) if clauses else True


def salah_satu(*parts):
    """OR, in the same two modes; a plain True stops the reading."""
    clauses = []
    for part in parts:
        part = _value(part)
        if _sql(part):
            clauses.append(part)
        elif part:
            return True
    return or_(*clauses) if clauses else False


def kosong(value):
    """IS NULL / is None (also an empty string on a row)."""
    return value.is_(None) if _sql(value) else not value


def ada(value):
    """IS NOT NULL / truthy."""
    return value.isnot(None) if _sql(value) else bool(value)


def klausa(value):
    """A predicate's result as a SQL clause (a folded True/False becomes true()/false())."""
    if _sql(value):
        return value
    return true() if value else false()
