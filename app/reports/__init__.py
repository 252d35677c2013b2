"""Management reports (SPEC §9, docs/reports.md): one module per report, each a query that aggregates in the
database, a pandas DataFrame of the result and an openpyxl workbook (buku.py).

Every report module has `JUDUL`, `hitung(s, user)` (the figures, which the dashboard shows too) and
`buku(s, user)` (the workbook's bytes); `rincian` streams every line instead (write-only mode)."""

JENIS = ("belanja", "umkm", "penilaian", "kinerja", "rincian")
