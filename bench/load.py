"""The bounded load test: gunicorn with 4 workers on the scale database, locust 2 minutes, 50 users, then a
check that no transition was lost or duplicated (each order's status and version against its audit log).

    python3 -m venv /tmp/locust && /tmp/locust/bin/pip install -r bench/requirements.txt
    .venv/bin/python -m bench.load --db postgresql://postgres@127.0.0.1:5432/portal_scale \
        --locust /tmp/locust/bin/locust
"""

import argparse
import csv
import json
import os
import subprocess
from datetime import UTC, datetime

import psycopg2

from .common import ROOT, gunicorn, stop


def work(cur, users):
    cur.execute("SELECT username FROM ab_user WHERE username LIKE 'pembeli-sk%%' ORDER BY id LIMIT 200")
    pembeli = [r[0] for r in cur.fetchall()]
    cur.execute(
        "SELECT penyedia_id, array_agg(id) FROM pesanan WHERE status IN ('dipesan', 'diproses') "
        "GROUP BY penyedia_id ORDER BY count(*) DESC LIMIT 40"
    )
    penyedia = [{"username": f"penyedia-{pid}", "orders": ids} for pid, ids in cur.fetchall()]
    cur.execute("SELECT kode FROM satker ORDER BY id LIMIT 10")
    queues = []
    for (kode,) in cur.fetchall():
        n = kode.lower()
        queues += [("ppk", f"ppk-{n}"), ("bendahara", f"bendahara-{n}"), ("pp", f"pp-{n}")]
    cur.execute("SELECT username FROM ab_user WHERE username LIKE 'verifikator-%%' ORDER BY id LIMIT 5")
    queues += [("verifikator", u) for (u,) in cur.fetchall()] + [("admin", "admin-skala")]
    cur.execute("SELECT id FROM produk WHERE status = 'tayang' ORDER BY id LIMIT 2000")
    produk = [r[0] for r in cur.fetchall()]
    cur.execute("SELECT id FROM kategori WHERE level >= 2 ORDER BY id")
    kategori = [r[0] for r in cur.fetchall()]
    keywords = ["kursi", "kertas", "laptop", "batik", "snack", "premium", "berkah", "tinta", "meja", "kopi"]
    return dict(pembeli=pembeli, penyedia=penyedia, queues=queues, produk=produk, kategori=kategori,
                keywords=keywords)  # fmt: skip


CHECK = """
SELECT count(*) AS checked,
       count(*) FILTER (WHERE p.version <> a.n) AS version_mismatch,
       count(*) FILTER (WHERE p.status <> a.last_to) AS status_mismatch
FROM pesanan p
JOIN LATERAL (
    SELECT count(*) AS n,
           (SELECT to_status FROM audit_log l WHERE l.entity = 'pesanan' AND l.entity_id = p.id
            ORDER BY l.id DESC LIMIT 1) AS last_to
    FROM audit_log l WHERE l.entity = 'pesanan' AND l.entity_id = p.id AND l.to_status IS NOT NULL
) a ON true
WHERE p.updated_at >= %(since)s
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--locust", required=True, help="the locust executable of the bench venv")
    ap.add_argument("--port", type=int, default=5098)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--time", default="2m")
    ap.add_argument("--tmp", default="/tmp/bench-portal-load")
    a = ap.parse_args()
    os.makedirs(a.tmp, exist_ok=True)
    conn = psycopg2.connect(a.db)
    conn.autocommit = True
    cur = conn.cursor()
    path = os.path.join(a.tmp, "work.json")
    with open(path, "w") as fh:
        json.dump(work(cur, a.users), fh)
    since = datetime.now(UTC).replace(tzinfo=None)  # the portal's clock is naive UTC
    cur.execute("SELECT count(*) FROM audit_log WHERE entity = 'pesanan'")
    audit_before = cur.fetchone()[0]
    proc = gunicorn(a.db, a.port, 4, a.tmp)
    try:
        subprocess.run(
            [a.locust, "-f", os.path.join(ROOT, "bench", "locustfile.py"), "--headless", "-u", str(a.users),
             "-r", "10", "-t", a.time, "--host", f"http://127.0.0.1:{a.port}", "--csv", os.path.join(a.tmp, "load"),
             "--only-summary"],
            env=dict(os.environ, BENCH_WORK=path), check=False,
        )  # fmt: skip
    finally:
        stop(proc)
    with open(os.path.join(a.tmp, "load_stats.csv")) as fh:
        rows = list(csv.DictReader(fh))
    print("| request | count | failures | median | p95 | max |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['Name']} | {r['Request Count']} | {r['Failure Count']} | {r['50%']} ms | {r['95%']} ms | "
              f"{r['Max Response Time'].split('.')[0]} ms |")  # fmt: skip
    fails = os.path.join(a.tmp, "load_failures.csv")
    if os.path.exists(fails):
        with open(fails) as fh:
            for r in csv.DictReader(fh):
                print(f"failure: {r['Method']} {r['Name']} {r['Error']} x{r['Occurrences']}")
    cur.execute(CHECK, {"since": since})
    checked, vmis, smis = cur.fetchone()
    cur.execute("SELECT count(*) FROM audit_log WHERE entity = 'pesanan'")
    audit_after = cur.fetchone()[0]
    print(f"transitions recorded during the run: {audit_after - audit_before}")
    print(f"orders changed: {checked}; version != audit rows: {vmis}; status != last audit: {smis}")


if __name__ == "__main__":
    main()
