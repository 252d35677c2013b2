"""The one clock. Stored times are naive UTC; tests move the clock instead of sleeping.

now() = real UTC time + an in-process offset (advance/set_offset/reset: tests, the demo seed)
                      + a shared offset read from CLOCK_OFFSET_FILE (development and testing only).

The shared offset lets several processes (the web app, the Huey consumer, `flask portal clock`) see
the same moved clock. It is a small text file holding the offset in seconds, replaced atomically on
every change; now() re-reads it only when the file's (inode, mtime, size) changed, so a call costs one
stat(). create_app() turns it on from the setting and never in production (it refuses to start).
"""

import logging
import os
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

WIB = ZoneInfo("Asia/Jakarta")
_ZERO = timedelta(0)
_offset = _ZERO
_shared_path = None  # CLOCK_OFFSET_FILE, absolute; None: no shared offset
_shared_cache = (None, _ZERO)  # ((st_ino, st_mtime_ns, st_size), offset)


def now():
    return datetime.now(UTC).replace(tzinfo=None) + _offset + shared_offset()


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


# --- the shared offset (CLOCK_OFFSET_FILE; never in production) --------------------------------------


def sisa(batas):
    """(hours, minutes) left until a deadline; (0, 0) once it has passed; None when there is none."""
    if batas is None:
        return None
    seconds = max(0, int((batas - now()).total_seconds()))
    return (seconds // 3600, (seconds % 3600) // 60)


def init_app(app, env):
    """Use the app's CLOCK_OFFSET_FILE (relative paths are under the instance folder), except in production.

    Process-wide, like the in-process offset: the last app created in a process decides."""
    path = app.config.get("CLOCK_OFFSET_FILE") or None
    if env == "production":
        path = None  # create_app refuses the setting first (production_problems); this is the second lock
    use_shared_file(os.path.join(app.instance_path, path) if path else None)


def production_problems(config):
    if config.get("CLOCK_OFFSET_FILE"):
        return ["CLOCK_OFFSET_FILE must be unset: the shared movable clock is for development and tests only"]
    return []


def use_shared_file(path):
    """Honour the offset in `path` from now on (None: stop). Tests call this directly."""
    global _shared_path, _shared_cache
    _shared_path = os.path.abspath(path) if path else None
    _shared_cache = (None, _ZERO)


def shared_file():
    return _shared_path


def shared_offset():
    """The offset in the shared file; zero when there is none. One stat() per call, a read on change."""
    global _shared_cache
    path = _shared_path
    if path is None:
        return _ZERO
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return _ZERO
    key = (st.st_ino, st.st_mtime_ns, st.st_size)
    cached_key, value = _shared_cache
    if key != cached_key:
        value = _read(path)
        _shared_cache = (key, value)
    return value


def _read(path):
    try:
        with open(path, encoding="ascii") as fh:
            text = fh.read().strip()
        # Decimal, not float: whole microseconds, exactly as written
        return timedelta(microseconds=int(Decimal(text) * 1_000_000)) if text else _ZERO
    except (OSError, ValueError, ArithmeticError, OverflowError) as e:
        log.warning("clock: %s unreadable (%s); shared offset taken as zero", path, e)
        return _ZERO


def set_shared_offset(delta):
    """Write the shared offset (atomically: readers see the old or the new value, never half)."""
    if _shared_path is None:
        raise RuntimeError("CLOCK_OFFSET_FILE is not set: there is no shared clock to move")
    os.makedirs(os.path.dirname(_shared_path), exist_ok=True)
    tmp = f"{_shared_path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(f"{delta.total_seconds():.6f}\n")
    os.replace(tmp, _shared_path)
    return shared_offset()


def advance_shared(delta):
    return set_shared_offset(shared_offset() + delta)


def reset_shared():
    return set_shared_offset(_ZERO)


_PART = r"(?:(\d+)\s*[x*]\s*)?(\d+)\s*([dhms])"
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_duration(text):
    """'72h', '3d', '90m', '1d2h30m', '3x24h' -> timedelta; ValueError for anything else."""
    compact = (text or "").strip().lower()
    if not re.fullmatch(rf"(?:\s*{_PART})+", compact):
        raise ValueError(f"not a duration: {text!r} (use e.g. 72h, 3d, 90m, 1d2h30m, 3x24h)")
    total = _ZERO
    for times, amount, unit in re.findall(_PART, compact):
        total += timedelta(**{_UNITS[unit]: int(times or 1) * int(amount)})
    return total


def format_duration(delta):
    """timedelta -> '3d 0h 0m 0s' (negative with a leading '-')."""
    seconds = int(round(delta.total_seconds()))
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    d, rest = divmod(seconds, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{d}d {h}h {m}m {s}s"
