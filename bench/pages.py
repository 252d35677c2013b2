"""Time each page of issue 14 on the scale database against the best raw SQL for the same rows, in one run.

    .venv/bin/python -m bench.pages --db postgresql://postgres@127.0.0.1:5432/portal_scale [--port 5097]

Starts gunicorn (2 workers, bench/wsgi.py counts each request's SQL statements), signs in per role, requests
each page `--n` times (after 2 warm-ups) and prints: page | median | p95 | raw SQL | ratio | statements.
"""

import argparse
import os
import time

import psycopg2

from .common import Session, gunicorn, median, p95, stop

PAGE = 25  # FAB's and the portal's list page size


def subjects(cur):
    """The people and rows measured: the first satker's staff, its busiest supplier, a Katalog order."""
    cur.execute("SELECT id, instansi_id, kode FROM satker WHERE kode = 'SK00001'")
    satker_id, instansi_id, kode = cur.fetchone()
    n = kode.lower()
    cur.execute("SELECT id FROM ab_user WHERE username = %s", (f"pembeli-{n}-1",))
    (pembeli_id,) = cur.fetchone()
    cur.execute("SELECT id FROM ab_user WHERE username = %s", (f"bendahara-{n}",))
    (bendahara_id,) = cur.fetchone()
    cur.execute(
        "SELECT penyedia_id, count(*) FROM pesanan GROUP BY penyedia_id ORDER BY count(*) DESC, penyedia_id LIMIT 1"
    )
    penyedia_id = cur.fetchone()[0]
    cur.execute(
        "SELECT id FROM pesanan_katalog WHERE satker_id = %s AND status = 'selesai' ORDER BY id LIMIT 1", (satker_id,)
    )
    (katalog_id,) = cur.fetchone()
    cur.execute("SELECT nama FROM produk WHERE status = 'tayang' ORDER BY id LIMIT 1 OFFSET 500")
    keyword = cur.fetchone()[0].split()[0].lower()
    cur.execute("SELECT id FROM kategori WHERE level = 2 ORDER BY id LIMIT 1")
    (kategori_id,) = cur.fetchone()
    return dict(
        satker=satker_id,
        instansi=instansi_id,
        pembeli=f"pembeli-{n}-1",
        pembeli_id=pembeli_id,
        pp=f"pp-{n}",
        ppk=f"ppk-{n}",
        bendahara=f"bendahara-{n}",
        bendahara_id=bendahara_id,
        penyedia=f"penyedia-{penyedia_id}",
        penyedia_id=penyedia_id,
        verifikator=f"verifikator-{instansi_id}",
        admin="admin-skala",
        katalog=katalog_id,
        keyword=keyword,
        kategori=kategori_id,
    )


def pages(s):
    """(label, role, path, raw SQL or None, params): the raw SQL reads the same rows the page shows."""
    kw = f"%{s['keyword']}%"
    # the page's rows and their total, and the two lists the page also shows (categories, the suppliers'
    # kota/kabupaten for the region filter). A keyword's matches are all read to sort them, so its total rides
    # on the rows (one pass); a browse takes its page from the sort's index and counts apart (as the portal).
    cols = "p.id, p.nama, p.harga, p.gambar, p.tkdn_persen, p.is_pdn, y.nama, y.is_umkm, y.rating_total, y.rating_count"
    lists = (
        "SELECT id, nama, parent_id, level FROM kategori WHERE aktif ORDER BY level, nama; "
        "SELECT DISTINCT kota.code, kota.nama FROM wilayah kota JOIN wilayah kec ON kec.parent_code = kota.code "
        "JOIN wilayah kel ON kel.parent_code = kec.code JOIN penyedia y ON y.kelurahan_code = kel.code "
        "ORDER BY kota.nama"
    )
    search = (
        # the portal's shape: product-name and supplier-name matches as two disjoint indexed branches
        f"SELECT {cols}, count(*) OVER () FROM (SELECT * FROM produk WHERE status = 'tayang' AND "
        "lower(nama) LIKE %(kw)s UNION ALL SELECT * FROM produk WHERE status = 'tayang' AND penyedia_id IN "
        "(SELECT id FROM penyedia WHERE lower(nama) LIKE %(kw)s) AND NOT lower(nama) LIKE %(kw)s) p "
        "JOIN penyedia y ON y.id = p.penyedia_id ORDER BY {order} LIMIT 12; " + lists
    )
    browse = (
        f"SELECT {cols} FROM produk p JOIN penyedia y ON y.id = p.penyedia_id "
        "WHERE p.status = 'tayang' AND {where} ORDER BY {order} LIMIT 12; "
        "SELECT count(*) FROM produk p WHERE p.status = 'tayang' AND {where}; " + lists
    )
    cat_where = (
        "p.kategori_id IN (WITH RECURSIVE d(id) AS (SELECT %(kat)s UNION ALL SELECT k.id FROM kategori k "
        "JOIN d ON k.parent_id = d.id) SELECT id FROM d)"
    )
    return [
        (
            "Floor: a signed-in page with no data (404 in the layout)",
            "pembeli",
            "/tidak-ada-halaman-ini",
            None,
            {},
        ),
        (
            "Shop search, keyword in product name",
            "pembeli",
            f"/toko/?q={s['keyword']}",
            search.format(order="p.created_at DESC, p.id DESC"),
            {"kw": kw},
        ),
        (
            "Shop browse by category, by price",
            "pembeli",
            f"/toko/?kategori={s['kategori']}&sort=harga_asc",
            browse.format(where=cat_where, order="p.harga, p.id"),
            {"kat": s["kategori"]},
        ),
        (
            "Riwayat Pesanan (Pembeli), page 1",
            "pembeli",
            "/pesananku/list/",
            "SELECT o.id, o.nomor, o.total, o.status, o.created_at, y.nama FROM pesanan o "
            "JOIN penyedia y ON y.id = o.penyedia_id WHERE o.satker_id = %(satker)s "
            "AND (o.status <> 'draft' OR o.pembeli_id = %(pembeli)s) ORDER BY o.id DESC LIMIT 25; "
            "SELECT count(*) FROM pesanan o WHERE o.satker_id = %(satker)s "
            "AND (o.status <> 'draft' OR o.pembeli_id = %(pembeli)s)",
            {"satker": s["satker"], "pembeli": s["pembeli_id"]},
        ),
        (
            "Pesanan Masuk (Penyedia), page 1",
            "penyedia",
            "/pesanan-masuk/list/",
            "SELECT o.id, o.nomor, o.total, o.status, o.created_at, k.nama FROM pesanan o "
            "JOIN satker k ON k.id = o.satker_id WHERE o.penyedia_id = %(p)s AND o.status <> 'draft' "
            "ORDER BY o.id DESC LIMIT 25; SELECT count(*) FROM pesanan WHERE penyedia_id = %(p)s AND status <> 'draft'",
            {"p": s["penyedia_id"]},
        ),
        (
            "Admin: all E-Order orders",
            "admin",
            "/semua-pesanan/list/",
            "SELECT o.id, o.nomor, o.total, o.status, o.created_at, k.nama, y.nama FROM pesanan o "
            "JOIN satker k ON k.id = o.satker_id JOIN penyedia y ON y.id = o.penyedia_id ORDER BY o.id DESC LIMIT 25; "
            "SELECT count(*) FROM (SELECT 1 FROM pesanan LIMIT 10000) c",
            {},
        ),
        (
            "Pesanan Katalog (PP, the satker's orders)",
            "pp",
            "/katalog/",
            "SELECT o.id, o.nomor, o.total, o.status, o.created_at, y.nama FROM pesanan_katalog o "
            "JOIN penyedia y ON y.id = o.penyedia_id WHERE o.satker_id = %(satker)s ORDER BY o.id DESC LIMIT 25; "
            "SELECT count(*) FROM pesanan_katalog WHERE satker_id = %(satker)s",
            {"satker": s["satker"]},
        ),
        (
            "PPK: Pembayaran Pesanan",
            "ppk",
            "/pembayaran/ppk",
            "SELECT o.id, o.nomor, o.total, o.status, y.nama, b.metode, b.total, "
            "(SELECT count(*) FROM adendum a WHERE a.pesanan_id = o.id) FROM pesanan_katalog o "
            "JOIN penyedia y ON y.id = o.penyedia_id LEFT JOIN pembayaran b ON b.pesanan_id = o.id "
            "WHERE o.satker_id = %(satker)s AND o.status IN ('pesanan_tiba', 'ls_dokumen', 'pilih_bendahara', "
            "'menunggu_bendahara', 'dikembalikan', 'kode_bayar_terbit', 'kode_kedaluwarsa', 'kkp_menunggu', "
            "'selesai') ORDER BY o.id DESC LIMIT 25",
            {"satker": s["satker"]},
        ),
        (
            "Bendahara queue",
            "bendahara",
            "/pembayaran/",
            "SELECT o.id, o.nomor, o.status, b.total, y.nama, k.kode, k.status FROM pembayaran b "
            "JOIN pesanan_katalog o ON o.id = b.pesanan_id JOIN penyedia y ON y.id = o.penyedia_id "
            "LEFT JOIN kode_bayar k ON k.pesanan_id = o.id AND k.status = 'aktif' "
            "WHERE b.bendahara_id = %(b)s ORDER BY o.id DESC LIMIT 25",
            {"b": s["bendahara_id"]},
        ),
        (
            "Verifikator queue",
            "verifikator",
            "/verifikasi/",
            "SELECT r.id, r.submitted_at, r.batas_waktu, u.username, i.nama FROM profil_pengguna r "
            "JOIN ab_user u ON u.id = r.user_id JOIN instansi i ON i.id = r.instansi_id "
            "WHERE r.instansi_id = %(i)s AND r.status = 'menunggu' ORDER BY r.batas_waktu LIMIT 25; "
            "SELECT r.id, r.submitted_at, r.batas_waktu, u.username, i.nama FROM akses_pengguna r "
            "JOIN ab_user u ON u.id = r.user_id JOIN instansi i ON i.id = r.instansi_id "
            "WHERE r.instansi_id = %(i)s AND r.status = 'menunggu' ORDER BY r.batas_waktu LIMIT 25",
            {"i": s["instansi"]},
        ),
        ("Katalog order detail", "pp", f"/katalog/{s['katalog']}", None, {}),
        (
            "Admin: Log Audit",
            "admin",
            "/auditlogview/list/",
            "SELECT * FROM audit_log ORDER BY id DESC LIMIT 25; "
            "SELECT count(*) FROM (SELECT 1 FROM audit_log LIMIT 10000) c",
            {},
        ),
    ]


def raw(cur, sql, params, n):
    times = []
    for _ in range(n + 1):
        t = time.perf_counter()
        for stmt in [x for x in sql.split("; ") if x.strip()]:
            cur.execute(stmt, params)
            cur.fetchall()
        times.append((time.perf_counter() - t) * 1000)
    return median(times[1:])


def run(db, port, n, workers, tmp):
    conn = psycopg2.connect(db)
    conn.autocommit = True
    cur = conn.cursor()
    s = subjects(cur)
    proc = gunicorn(db, port, workers, tmp)
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        sessions = {}
        for label, role, path, sql, params in pages(s):
            sess = sessions.get(role) or sessions.setdefault(role, Session(base).login(s[role]))
            times, stmts, size, status = [], set(), 0, set()
            for i in range(n + 2):
                code, content, headers, ms = sess.request(path)
                status.add(code)
                if i >= 2:
                    times.append(ms)
                    stmts.add(int(headers.get("X-SQL-Statements", -1)))
                    size = len(content)
            raw_ms = raw(cur, sql, params, n) if sql else None
            rows.append((label, median(times), p95(times), raw_ms, sorted(stmts), size, sorted(status)))
    finally:
        stop(proc)
    return s, rows


def table(rows):
    """The figures; "over floor" is the page's p95 less the floor's median (what the page's own data costs)."""
    floor = next((med for label, med, *_ in rows if label.startswith("Floor")), 0)
    out = ["| page | median | p95 | raw SQL | ratio (p95/raw) | over floor | SQL statements | page size | HTTP |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---|"]  # fmt: skip
    for label, med, p, raw_ms, stmts, size, status in rows:
        ratio = f"{p / raw_ms:.1f}×" if raw_ms else "—"
        raw_s = f"{raw_ms:.1f} ms" if raw_ms is not None else "—"
        over = f"{p - floor:.0f} ms" if not label.startswith("Floor") else "—"
        st = "/".join(str(x) for x in stmts)
        out.append(
            f"| {label} | {med:.0f} ms | {p:.0f} ms | {raw_s} | {ratio} | {over} | {st} | {size // 1024} KB | "
            f"{'/'.join(map(str, status))} |"
        )
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--db", default=os.environ.get("BENCH_DATABASE_URL"), required=not os.environ.get("BENCH_DATABASE_URL")
    )
    ap.add_argument("--port", type=int, default=5097)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--tmp", default="/tmp/bench-portal")
    a = ap.parse_args()
    s, rows = run(a.db, a.port, a.n, a.workers, a.tmp)
    print(f"subjects: {s}")
    print(table(rows))


if __name__ == "__main__":
    main()
