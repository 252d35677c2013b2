"""Column types shared by every aggregate."""

from decimal import Decimal

from sqlalchemy import BigInteger, Integer
from sqlalchemy.types import TypeDecorator

# Whole Rupiah. BigInteger, never Numeric: SQLite binds Numeric through float.
Rupiah = BigInteger


class Persen(TypeDecorator):
    """A percentage held exactly as hundredths in an integer column; Decimal in Python."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return int((Decimal(str(value)) * 100).to_integral_value())

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(Decimal("0.01"))
