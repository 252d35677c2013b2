"""Rupiah arithmetic: integers for amounts, Decimal for percentages, one rounding rule.

Rule: each tax is computed per line on that line's subtotal and rounded half-up to the
whole Rupiah (ROUND_HALF_UP); order figures are the sums of the rounded line figures.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency

from .batas import ascii_angka

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


@dataclass(frozen=True)
class Rincian:
    """The figures of one Katalog order (or a proposal, a preview): goods, additional services and
    shipping, each taxed per line by the rule above; `subtotal` is goods + services before tax, and
    shipping stays its own figure, so total = subtotal + ppn + ppnbm + ongkir (the order's CHECK)."""

    barang: tuple  # LineAmounts per goods line, in the order given
    layanan: tuple  # LineAmounts per service (quantity 1)
    ongkir: LineAmounts  # shipping: its amount and, for Kurir Penyedia, its taxes

    @property
    def subtotal(self):
        return sum(x.subtotal for x in self.barang) + sum(x.subtotal for x in self.layanan)

    @property
    def subtotal_barang(self):
        return sum(x.subtotal for x in self.barang)

    @property
    def subtotal_layanan(self):
        return sum(x.subtotal for x in self.layanan)

    @property
    def ppn(self):
        return sum(x.ppn for x in (*self.barang, *self.layanan, self.ongkir))

    @property
    def ppnbm(self):
        return sum(x.ppnbm for x in (*self.barang, *self.layanan, self.ongkir))

    @property
    def total(self):
        return self.subtotal + self.ppn + self.ppnbm + self.ongkir.subtotal


def rincian(barang, layanan=(), ongkir=(0, 0, 0)):
    """barang: (unit price, qty, ppn %, ppnbm %) per line; layanan: (price, ppn %, ppnbm %) per service;
    ongkir: (amount, ppn %, ppnbm %)."""
    return Rincian(
        tuple(line_amounts(h, q, a, b) for h, q, a, b in barang),
        tuple(line_amounts(h, 1, a, b) for h, a, b in layanan),
        line_amounts(ongkir[0], 1, ongkir[1], ongkir[2]),
    )


# --- Pembayaran (SPEC §6 step 9) ---------------------------------------------------------------
# Uang Persediaan (UP: kode bayar or KKP) may pay an order up to and including this total; LS has no ceiling.
BATAS_UP = 200_000_000
METODE_LS, METODE_UP_KODE_BAYAR, METODE_UP_KKP = "ls", "up_kode_bayar", "up_kkp"
METODE_BAYAR = (METODE_LS, METODE_UP_KODE_BAYAR, METODE_UP_KKP)
# The tax regime of each method and who deducts the taxes: under LS the satker's treasurer withholds
# (PMK 59/2022); under UP the platform ("Pihak Lain") collects and its invoice counts as the faktur pajak.
REZIM_PAJAK = {METODE_LS: "PMK 59/2022", METODE_UP_KODE_BAYAR: "PMK 58/2023", METODE_UP_KKP: "PMK 58/2023"}
PEMUNGUT_PAJAK = {METODE_LS: "satker", METODE_UP_KODE_BAYAR: "platform", METODE_UP_KKP: "platform"}


def metode_diizinkan(metode, total):
    """LS pays any amount; both UP methods only a total of at most BATAS_UP (200.000.000 allowed)."""
    if metode not in METODE_BAYAR:
        return False
    return metode == METODE_LS or int(total) <= BATAS_UP


def biaya_transaksi(total, persen, tetap):
    """Payment gateway + bank fee: `persen` of the total (Decimal, half-up to the Rupiah) plus a fixed
    Rupiah amount; never more than the total itself."""
    if isinstance(persen, float) or isinstance(tetap, float):
        raise TypeError("money must not be float")
    fee = percent_of(int(total), Decimal(str(persen))) + int(tetap)
    return max(0, min(fee, int(total)))


@dataclass(frozen=True)
class RincianBayar:
    """The figures of paying an order by one method: what the satker pays and what the Penyedia receives."""

    metode: str
    rezim: str
    pemungut: str  # "satker" (withholds) or "platform" (collects)
    diizinkan: bool
    total: int  # paid by the satker (the order total, taxes included)
    biaya: int  # transaction fee (payment gateway + bank)
    diterima: int  # paid out to the Penyedia: total - biaya


def rincian_bayar(metode, total, persen, tetap):
    biaya = biaya_transaksi(total, persen, tetap)
    return RincianBayar(
        metode=metode,
        rezim=REZIM_PAJAK[metode],
        pemungut=PEMUNGUT_PAJAK[metode],
        diizinkan=metode_diizinkan(metode, total),
        total=int(total),
        biaya=biaya,
        diterima=int(total) - biaya,
    )


def format_rupiah(amount, locale="id"):
    """`Rp 1.250.000` (Indonesian grouping, no decimals)."""
    if amount is None:
        return "-"
    return format_currency(Decimal(int(amount)), "IDR", format="¤ #,##0", currency_digits=False, locale=locale)


# Rp 10 triliun: far above any order, and keeps BIGINT, Decimal arithmetic and terbilang safe
ANGKA_MAKS = 10**13


def parse_rupiah(text):
    """Read what a user types: `Rp 1.250.000`, `1.250.000`, `1250000` -> 1250000."""
    cleaned = ascii_angka(str(text)).replace("Rp", "").replace(" ", "").replace(".", "")
    if "," in cleaned:
        whole, _, frac = cleaned.partition(",")
        if frac.strip("0"):
            raise ValueError("Rupiah has no fraction")
        cleaned = whole
    if not (cleaned.isascii() and cleaned.isdigit()) or int(cleaned) > ANGKA_MAKS:
        raise ValueError("not a Rupiah amount")
    return int(cleaned)


def porsi(bagian, keseluruhan):
    """A share as an exact fraction (Decimal, 4 places: 0.4213 = 42,13 %), None when there is no whole."""
    if isinstance(bagian, float) or isinstance(keseluruhan, float):
        raise TypeError("money must not be float")
    if not keseluruhan:
        return None
    return (Decimal(int(bagian)) / Decimal(int(keseluruhan))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def rupiah_bulat(value):
    """A database SUM as whole Rupiah (PostgreSQL returns numeric as Decimal, SQLite an int, NULL when empty)."""
    if value is None:
        return 0
    if isinstance(value, float):
        raise TypeError("money must not be float")
    return int(value)
