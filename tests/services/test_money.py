from decimal import Decimal

import pytest

from app.services import money


@pytest.mark.parametrize(
    "amount,percent,expected",
    [(100, "11", 11), (4_545, "11", 500), (4_540, "11", 499), (5, "10", 1), (4, "10", 0), (0, "11", 0)],
)
def test_percent_of_rounds_half_up(amount, percent, expected):
    assert money.percent_of(amount, Decimal(percent)) == expected


def test_float_refused():
    with pytest.raises(TypeError):
        money.percent_of(100, 11.0)


def test_line_and_order_amounts():
    a = money.line_amounts(33_333, 3, Decimal("11"), Decimal("10"))
    b = money.line_amounts(1_005, 7, Decimal("11"), Decimal("0"))
    assert (a.subtotal, a.ppn, a.ppnbm) == (99_999, 11_000, 10_000)
    total = money.order_amounts([a, b])
    assert total.total == a.total + b.total == 128_808


@pytest.mark.parametrize("locale,expected", [("id", "Rp 1.250.000"), ("en", "IDR 1,250,000")])
def test_format_rupiah(locale, expected):
    assert money.format_rupiah(1_250_000, locale=locale).replace("\xa0", " ") == expected


@pytest.mark.parametrize(
    "text,expected",
    [("Rp 1.250.000", 1_250_000), ("1.250.000", 1_250_000), ("1250000", 1_250_000), ("15.000,00", 15_000)],
)
def test_parse_rupiah(text, expected):
    assert money.parse_rupiah(text) == expected


@pytest.mark.parametrize("text", ["abc", "12,5", "-5", ""])
def test_parse_rupiah_refuses(text):
    with pytest.raises(ValueError):
        money.parse_rupiah(text)


def test_indonesian_dates(app):
    from datetime import date, datetime, time

    from flask_babel import force_locale

    from app.formatting import jam, tanggal, waktu

    with app.test_request_context(), force_locale("id"):
        assert tanggal(date(2026, 11, 22)) == "22 November 2026"
        assert tanggal(date(2026, 8, 17)) == "17 Agustus 2026"
        assert waktu(datetime(2026, 11, 22, 7, 30)) == "22 November 2026 14.30 WIB"  # stored UTC, shown WIB
        assert jam(time(9, 5)) == "09.05 WIB"


@pytest.mark.parametrize(
    "old,new,expected", [(1000, 1100, "10"), (1000, 1101, "10.1"), (1000, 900, "10"), (999_000, 1_098_900, "10")]
)
def test_addendum_shift_is_exact(old, new, expected):
    assert money.geser_persen(old, new) == Decimal(expected)
    assert (money.geser_persen(old, new) > money.ADENDUM_QTY_MAX_PERSEN) == (Decimal(expected) > 10)
