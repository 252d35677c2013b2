"""Report workbooks over a whole database: seconds and peak memory (RSS) per workbook, each in a fresh process.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/portal_scale .venv/bin/python bench/laporan.py
    .venv/bin/python bench/laporan.py --url sqlite:////tmp/x/portal.db --jenis rincian

Run it on two dataset sizes (`flask portal seed-scale --orders N`) to see the detail export's memory stay
flat: the export reads the orders in windows of ids and writes through openpyxl's write-only mode. Prints one
line per workbook: lines read, seconds, peak RSS in MB, file size. Figures, never asserts (bench/README.md).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JENIS = ("belanja", "umkm", "penilaian", "kinerja", "rincian")


def child(jenis, out):
    sys.path.insert(0, ROOT)
    from app import create_app
    from app.extensions import db
    from app.reports import rincian, saringan, tugas
    from app.services.workflow import SYSTEM

    app = create_app()
    with app.app_context(), app.test_request_context():
        s = saringan.baca({"dari": os.environ.get("BENCH_DARI", "2024-01-01")}, SYSTEM)
        lines = rincian.perkiraan(s, SYSTEM)
        t = time.perf_counter()
        if jenis == "rincian":
            rincian.tulis(s, SYSTEM, out)
        else:
            with open(out, "wb") as f:
                f.write(tugas.langsung(jenis, s, SYSTEM))
        seconds = time.perf_counter() - t
        db.session.remove()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"jenis": jenis, "lines": lines, "ms": int(seconds * 1000), "peak_mb": peak_mb,
                      "bytes": os.path.getsize(out)}))  # fmt: skip


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default=os.environ.get("DATABASE_URL"))
    ap.add_argument("--jenis", default=",".join(JENIS))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--out", default="/tmp/bench-laporan.xlsx")
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.out)
    env = {**os.environ, "DATABASE_URL": args.url or "", "FLASK_APP": "run.py"}
    print(f"{'workbook':<10} {'lines':>10} {'seconds':>8} {'peak MB':>8} {'file MB':>8}")
    for jenis in args.jenis.split(","):
        out = subprocess.run(
            [sys.executable, __file__, "--child", jenis, "--out", args.out],
            env=env, cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        r = json.loads(out)
        seconds = f"{r['ms'] // 1000}.{r['ms'] % 1000 // 100}"
        file_mb = f"{r['bytes'] // 2**20}.{r['bytes'] % 2**20 * 10 // 2**20}"
        print(f"{r['jenis']:<10} {r['lines']:>10,} {seconds:>8} {r['peak_mb']:>8} {file_mb:>8}")


if __name__ == "__main__":
    main()
