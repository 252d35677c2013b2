"""Excel reports (Manajemen, Admin): spending, UMKM participation, ratings — built by a later issue."""
