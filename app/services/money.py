"""Rupiah arithmetic: integers for amounts, Decimal for percentages, one rounding rule.

Rule: each tax is computed per line on that line's subtotal and rounded half-up to the
whole Rupiah (ROUND_HALF_UP); order figures are the sums of the rounded line figures.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency

PPN_DEFAULT = Decimal("11")
# An addendum's quantity change may move the order total by at most this much (SPEC §6.8).
ADENDUM_QTY_MAX_PERSEN = Decimal("10")


def geser_persen(old_total, new_total):
    """How far, in percent of the old total, a change moves it (Decimal, no float)."""
    if not old_total:
        return Decimal(0)
    return abs(Decimal(int(new_total) - int(old_total))) * 100 / Decimal(int(old_total))


def percent_of(amount, percent):
    if isinstance(amount, float) or isinstance(percent, float):
        raise TypeError("money must not be float")
    value = Decimal(int(amount)) * Decimal(percent) / Decimal(100)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class LineAmounts:
    subtotal: int
    ppn: int
    ppnbm: int

    @property
    def total(self):
        return self.subtotal + self.ppn + self.ppnbm


def line_amounts(unit_price, qty, ppn_percent, ppnbm_percent):
    subtotal = int(unit_price) * int(qty)
    return LineAmounts(subtotal, percent_of(subtotal, ppn_percent), percent_of(subtotal, ppnbm_percent))


def order_amounts(lines):
    lines = list(lines)
    return LineAmounts(
        sum(x.subtotal for x in lines),
        sum(x.ppn for x in lines),
        sum(x.ppnbm for x in lines),
    )


def format_rupiah(amount, locale="id"):
    """`Rp 1.250.000` (Indonesian grouping, no decimals)."""
    if amount is None:
        return "-"
    return format_currency(Decimal(int(amount)), "IDR", format="¤ #,##0", currency_digits=False, locale=locale)


def parse_rupiah(text):
    """Read what a user types: `Rp 1.250.000`, `1.250.000`, `1250000` -> 1250000."""
    cleaned = str(text).replace("Rp", "").replace(" ", "").replace(".", "")
    if "," in cleaned:
        whole, _, frac = cleaned.partition(",")
        if frac.strip("0"):
            raise ValueError("Rupiah has no fraction")
        cleaned = whole
    if not cleaned.isdigit():
        raise ValueError("not a Rupiah amount")
    return int(cleaned)
