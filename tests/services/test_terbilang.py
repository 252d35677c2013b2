"""Terbilang (Indonesian number words for Rupiah). Pure functions: no app, no database."""

from decimal import Decimal

import pytest

from app.services.terbilang import terbilang, terbilang_rupiah


@pytest.fixture(autouse=True)
def _clean():
    """Overrides conftest's autouse fixture of the same name: these tests need no app and no database."""
    yield


@pytest.mark.parametrize(
    "n,expected",
    [
        (0, "nol"),
        (1, "satu"),
        (2, "dua"),
        (9, "sembilan"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (21, "dua puluh satu"),
        (99, "sembilan puluh sembilan"),
        (100, "seratus"),
        (101, "seratus satu"),
        (110, "seratus sepuluh"),
        (111, "seratus sebelas"),
        (115, "seratus lima belas"),
        (200, "dua ratus"),
        (999, "sembilan ratus sembilan puluh sembilan"),
        (1_000, "seribu"),
        (1_001, "seribu satu"),
        (1_100, "seribu seratus"),
        (1_999, "seribu sembilan ratus sembilan puluh sembilan"),
        (2_000, "dua ribu"),
        (10_000, "sepuluh ribu"),
        (11_000, "sebelas ribu"),
        (21_000, "dua puluh satu ribu"),
        (25_000, "dua puluh lima ribu"),
        (100_000, "seratus ribu"),
        (101_000, "seratus satu ribu"),
        (999_999, "sembilan ratus sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan"),
        (1_000_000, "satu juta"),
        (1_000_001, "satu juta satu"),
        (1_001_000, "satu juta seribu"),
        (1_250_000, "satu juta dua ratus lima puluh ribu"),
        (11_000_000, "sebelas juta"),
        (200_000_000, "dua ratus juta"),
        (1_000_000_000, "satu miliar"),
        (2_000_000_000, "dua miliar"),
        (1_000_001_000, "satu miliar seribu"),
        (1_000_000_000_000, "satu triliun"),
        (1_000_000_000_001, "satu triliun satu"),
        (
            999_999_999_999_999,
            "sembilan ratus sembilan puluh sembilan triliun sembilan ratus sembilan puluh sembilan miliar "
            "sembilan ratus sembilan puluh sembilan juta sembilan ratus sembilan puluh sembilan ribu "
            "sembilan ratus sembilan puluh sembilan",
        ),
    ],
)
def test_terbilang(n, expected):
    assert terbilang(n) == expected


def test_no_satu_ribu_and_no_stray_spaces():
    for n in (1_000, 1_001_000, 5_001_000, 7_001_000_000, 10**12 + 1_000):
        words = terbilang(n)
        assert "satu ribu" not in words
        assert "  " not in words and words == words.strip()


@pytest.mark.parametrize(
    "n,expected",
    [
        (0, "Nol rupiah"),
        (1_000, "Seribu rupiah"),
        (1_250_000, "Satu juta dua ratus lima puluh ribu rupiah"),
        (200_000_000, "Dua ratus juta rupiah"),
        (1_000_000_000_000, "Satu triliun rupiah"),
    ],
)
def test_terbilang_rupiah_sentence_case(n, expected):
    assert terbilang_rupiah(n) == expected


@pytest.mark.parametrize(
    "bad",
    [-1, -1_000_000, 10**15, 10**18, 1.0, 1250000.0, float("nan"), Decimal("1000"), "1000", None, True],
)
def test_refusals(bad):
    with pytest.raises(ValueError):
        terbilang(bad)
    with pytest.raises(ValueError):
        terbilang_rupiah(bad)
