"""The one clock. Stored times are naive UTC; tests move the clock instead of sleeping."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
_offset = timedelta(0)


def now():
    return datetime.now(UTC).replace(tzinfo=None) + _offset


def advance(delta):
    global _offset
    _offset += delta


def set_offset(delta):
    global _offset
    _offset = delta


def reset():
    set_offset(timedelta(0))


def to_local(dt):
    return dt.replace(tzinfo=UTC).astimezone(WIB)


def today_local():
    """Today's date in Jakarta: the H-1 rule counts calendar days where the buyer is."""
    return to_local(now()).date()
