"""The report figures against hand-computed totals on a small fixed dataset: an E-Order order finished and paid,
one only committed (to a non-UMKM supplier), one committed and then cancelled, one ordered but not yet
confirmed, a Katalog order paid (Selesai) and one auto-cancelled in negotiation; two satker and more."""

import io
from decimal import Decimal

import pytest
import xlsxwriter
from openpyxl import load_workbook

from app.reports import belanja, buku, fakta, kinerja, penilaian, rincian, saringan, umkm
from app.services.errors import NotFound
from tests.laporan_data import EO_PAJAK, EO_SEBELUM, KT_PAJAK_BARANG, KT_SEBELUM_BARANG, laporan_data  # noqa: F401


def _s(user, **args):
    return saringan.baca(args, user)


def test_belanja_totals_match_hand_computed(data):
    k = data["k"]["pesanan"]
    ongkir, ongkir_pajak = k.ongkir, k.ongkir_ppn + k.ongkir_ppnbm
    h = belanja.hitung(_s(data["manajemen"]), data["manajemen"])
    t = h["total"]
    # committed: the finished and the confirmed E-Order orders and the paid Katalog order; never the cancelled,
    # the auto-cancelled, nor the one still waiting for the supplier's confirmation
    assert t["pesanan_komitmen"] == 3
    assert t["komitmen_sebelum"] == 2 * EO_SEBELUM + KT_SEBELUM_BARANG + ongkir
    assert t["komitmen_pajak"] == 2 * EO_PAJAK + KT_PAJAK_BARANG + ongkir_pajak
    assert t["komitmen_total"] == t["komitmen_sebelum"] + t["komitmen_pajak"]
    assert t["komitmen_total"] == data["selesai"]["pesanan"].total + data["diproses"]["pesanan"].total + k.total
    # realised: finished and paid only
    assert t["pesanan_realisasi"] == 2
    assert t["realisasi_sebelum"] == EO_SEBELUM + KT_SEBELUM_BARANG + ongkir
    # UMKM share: everything but the non-UMKM supplier's order, before tax
    assert t["umkm_sebelum"] == t["komitmen_sebelum"] - EO_SEBELUM
    assert t["porsi_umkm"] == (Decimal(t["umkm_sebelum"]) / Decimal(t["komitmen_sebelum"])).quantize(Decimal("0.0001"))
    # the breakdowns add up to the total
    for key in ("satker", "alur", "metode", "penyedia", "bulan"):
        assert sum(r["komitmen_sebelum"] for r in h[key]) == t["komitmen_sebelum"], key
        assert sum(r["realisasi_total"] for r in h[key]) == t["realisasi_total"], key
    for level in h["kategori"][:1]:
        assert sum(r["komitmen_sebelum"] for r in level) == t["komitmen_sebelum"]
    alur = {r["alur"]: r for r in h["alur"]}
    assert alur["E-Order"]["komitmen_sebelum"] == 2 * EO_SEBELUM
    assert alur["Katalog Elektronik"]["komitmen_total"] == k.total
    assert len(h["satker"]) == 3  # two E-Order buyers' BUMD and the Katalog satker


def test_satker_targets_red_amber_green(data, app):
    satker = {r["satker"]: r for r in belanja.hitung(_s(data["manajemen"]), data["manajemen"])["satker"]}
    non_umkm = satker[data["diproses"]["pembeli"].satker.nama]
    assert non_umkm["porsi_umkm"] == Decimal("0")
    assert non_umkm["kode_umkm"] == "merah"
    assert satker[data["selesai"]["pembeli"].satker.nama]["kode_umkm"] == "hijau"
    app.config["REPORT_TARGET_UMKM_PERSEN"] = "100.01"
    try:
        again = belanja.hitung(_s(data["manajemen"]), data["manajemen"])["satker"]
        assert {r["satker"]: r["kode_umkm"] for r in again}[data["selesai"]["pembeli"].satker.nama] == "kuning"
    finally:
        app.config["REPORT_TARGET_UMKM_PERSEN"] = "40"


def test_scope_per_role(data, f):
    k = data["k"]
    ppk = k["ppk"]
    mine = belanja.hitung(_s(ppk), ppk)["total"]
    assert mine["pesanan_komitmen"] == 1 and mine["komitmen_total"] == k["pesanan"].total
    pembeli = data["selesai"]["pembeli"]
    assert belanja.hitung(_s(pembeli), pembeli)["total"]["komitmen_total"] == data["selesai"]["pesanan"].total
    supplier = data["diproses"]["penyedia_user"]
    assert belanja.hitung(_s(supplier), supplier)["total"]["komitmen_total"] == data["diproses"]["pesanan"].total
    # a filter naming another satker or instansi is not found, never a set of zeros
    other = data["selesai"]["pembeli"].satker
    with pytest.raises(NotFound):
        saringan.baca({"satker": str(other.id)}, ppk)
    with pytest.raises(NotFound):
        saringan.baca({"instansi": str(other.instansi_id)}, ppk)
    # the own satker is fine
    assert saringan.baca({"satker": str(ppk.satker_id)}, ppk).satker_id == ppk.satker_id


@pytest.mark.parametrize(
    "args",
    [
        {"dari": "2026-13-01"},
        {"dari": "kemarin"},
        {"dari": "2026-05-02", "sampai": "2026-05-01"},
        {"dari": "2020-01-01", "sampai": "2026-01-01"},
        {"alur": "semuanya"},
        {"satker": "99999999999999999999"},
        {"kategori": "-1"},
    ],
)
def test_bad_filters_are_refused_with_a_message(data, args):
    from app.services.errors import DomainError

    with pytest.raises(DomainError) as e:
        saringan.baca(args, data["manajemen"])
    assert str(e.value)


def test_filters_flow_satker_category(data):
    m = data["manajemen"]
    kt = belanja.hitung(_s(m, alur="katalog"), m)["total"]
    assert kt["pesanan_komitmen"] == 1
    sat = data["selesai"]["pembeli"].satker_id
    assert belanja.hitung(_s(m, satker=str(sat)), m)["total"]["komitmen_sebelum"] == EO_SEBELUM
    # a category leaves shipping (no product) out
    kat = data["selesai"]["produk"].kategori_id
    t = belanja.hitung(_s(m, kategori=str(kat)), m)["total"]
    assert t["komitmen_sebelum"] == 2 * EO_SEBELUM + KT_SEBELUM_BARANG
    # a period with nothing in it
    assert belanja.hitung(_s(m, dari="2025-01-01", sampai="2025-01-31"), m)["total"]["pesanan_komitmen"] == 0


def test_umkm_participation(data):
    m = data["manajemen"]
    h = umkm.hitung(_s(m), m)
    # active UMKM: the finished E-Order supplier and the Katalog supplier (the non-UMKM one is not counted)
    assert h["aktif"] == 2
    assert sum(r["umkm_baru"] for r in h["baru"]) == 2
    jenis = {r["is_umkm"]: r for r in h["jenis"]}
    assert jenis[False]["komitmen_sebelum"] == EO_SEBELUM
    assert sum(r["komitmen_sebelum"] for r in h["wilayah"][0]) == jenis[True]["komitmen_sebelum"]
    assert [r["penyedia"] for r in h["top"]][0] == data["k"]["penyedia"].nama
    # the supplier of the order still waiting for confirmation has products and no committed order
    assert data["dipesan"]["penyedia"].nama in {r["nama"] for r in h["tanpa_pesanan"]}


def test_penilaian(data):
    m = data["manajemen"]
    h = penilaian.hitung(_s(m), m)
    ringkasan = {r["sumber"]: r for r in h["ringkasan"]}
    assert ringkasan["E-Order: produk"]["jumlah"] == 1
    assert ringkasan["E-Order: produk"]["rata"] == Decimal("5.00")
    assert sum(r["jumlah"] for r in h["distribusi"]) == h["jumlah"]
    assert h["distribusi"][0]["b5"] >= 1


def test_kinerja_stages_cancellations_payment(data):
    m = data["manajemen"]
    h = kinerja.hitung(_s(m), m)
    stages = {r["tahap"]: r for r in h["eorder"]}
    assert stages["Dipesan → Diproses"]["jumlah"] == 3  # the finished, the confirmed, the cancelled-after
    assert stages["Dipesan → Selesai (seluruhnya)"]["jumlah"] == 1
    katalog = {r["tahap"]: r for r in h["katalog"]}
    assert katalog["BAST → Dibayar"]["jumlah"] == 1
    sebab = {(r["alur"], r["sebab"]): r["jumlah"] for r in h["pembatalan"]}
    assert sebab[("E-Order", "Dibatalkan atas ajuan pembatalan")] == 1
    assert sebab[("E-Order", "Semua pembatalan")] == 1
    assert sebab[("Katalog Elektronik", "Batal otomatis: batas waktu negosiasi (Penyedia tidak menjawab)")] == 1
    assert h["pembayaran"]["satker"][0]["jumlah"] == 1
    assert h["pembayaran"]["terlambat"] == []


def test_nearest_rank_percentile():
    assert kinerja._nearest_rank([5, 1, 3, 2, 4], "0.5") == 3
    assert kinerja._nearest_rank([5, 1, 3, 2, 4], "0.9") == 5
    assert kinerja._nearest_rank([7], "0.9") == 7
    assert kinerja._nearest_rank([], "0.5") is None


def test_workbook_layout(data, app):
    m = data["manajemen"]
    with app.test_request_context():
        wb = load_workbook(io.BytesIO(belanja.buku_laporan(_s(m), m)))
    assert wb.sheetnames[0] == "Sampul" and "Grafik" in wb.sheetnames
    cover = wb["Sampul"]
    texts = [c.value for row in cover.iter_rows() for c in row if c.value]
    assert "Laporan Belanja" in texts and "Komitmen" in texts
    ws = wb["Per Satker"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    assert all(c.font.bold for c in ws[1])
    headers = [c.value for c in ws[1]]
    col = headers.index("Komitmen Sebelum Pajak") + 1
    assert "Rp" in ws.cell(row=2, column=col).number_format and "#,##0" in ws.cell(row=2, column=col).number_format
    assert "%" in ws.cell(row=2, column=headers.index("Porsi UMKM") + 1).number_format
    last = ws.max_row
    assert ws.cell(row=last, column=1).value == "Jumlah"
    total = belanja.hitung(_s(m), m)["total"]
    assert ws.cell(row=last, column=col).value == total["komitmen_sebelum"]
    assert ws._charts, "a native chart on the breakdown sheet"
    assert ws.column_dimensions["B"].width > 8


def test_every_aggregate_workbook_builds(data, app):
    m = data["manajemen"]
    with app.test_request_context():
        for mod in (umkm, penilaian, kinerja):
            wb = load_workbook(io.BytesIO(mod.buku_laporan(_s(m), m)))
            assert wb.sheetnames[0] == "Sampul" and len(wb.sheetnames) > 3


def test_detail_export_rows_and_sheet_split(data, app, tmp_path):
    m = data["manajemen"]
    s = _s(m)
    expected = rincian.perkiraan(s, m)
    # every line placed in the period, whatever its status (cancelled ones too), drafts aside
    assert expected >= 6
    app.config["REPORT_XLSX_MAX_ROWS"] = 3
    try:
        path = tmp_path / "r.xlsx"
        with app.test_request_context():
            written = rincian.tulis(s, m, str(path))
    finally:
        app.config["REPORT_XLSX_MAX_ROWS"] = rincian.EXCEL_ROWS - 1
    assert written == expected
    wb = load_workbook(path, read_only=True)
    sheets = [n for n in wb.sheetnames if n.startswith("Rincian")]
    assert len(sheets) == -(-expected // 3)
    rows = [r for n in sheets for r in wb[n].iter_rows(min_row=2, values_only=True)]
    assert len(rows) == expected
    nomor = {r[1] for r in rows}
    assert data["batal"]["pesanan"].nomor in nomor and data["k_batal"]["pesanan"].nomor in nomor
    assert data["selesai"]["pesanan"].nomor in nomor
    header = next(wb[sheets[0]].iter_rows(max_row=1, values_only=True))
    assert header[0] == "Alur" and "Setelah Pajak" in header


def test_sheet_names_are_valid_and_unique():
    used = set()
    assert buku.nama_lembar("Per [Satker]: a/b", used) == "Per  Satker   a b"
    assert buku.nama_lembar("x" * 40, used) == "x" * 31
    assert buku.nama_lembar("x" * 40, used) == "x" * 27 + " (2)"


def test_lines_union_sums_match_orders(data):
    """Lines, services and shipping of a Katalog order add up to the order's own figures."""
    m = data["manajemen"]
    k = data["k"]["pesanan"]
    rows = fakta.agregat(_s(m, alur="katalog"), m)
    assert rows[0]["komitmen_sebelum"] == k.subtotal + k.ongkir
    assert rows[0]["komitmen_pajak"] == k.ppn + k.ppnbm


def test_detail_export_writes_text_as_text(app, tmp_path):
    """A product named like a formula or a link stays text in the detail export (no formula injection)."""
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    with app.test_request_context():
        penulis = rincian._Penulis(wb)
        values = ["E-Order", '=HYPERLINK("http://x")', "http://contoh.go.id"] + [None] * (len(rincian.KOLOM) - 3)
        penulis.tulis(values)
        penulis.selesai()
    wb.close()
    ws = load_workbook(path)["Rincian"]
    assert ws["B2"].data_type == "s" and ws["B2"].value == '=HYPERLINK("http://x")'
    assert ws["C2"].hyperlink is None and ws["C2"].value == "http://contoh.go.id"
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
