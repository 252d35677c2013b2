"""Reference data (regions, categories) and the deterministic demo data set.

`load_reference()` is idempotent and runs on every `flask portal init`.
`load_demo()` builds a realistic Jakarta E-Order data set (Faker id_ID, fixed seeds, so two runs give
the same data). Orders are created only through the E-Order service layer; the service clock is moved
back while they are made so their history spreads over the last months, and restored afterwards.

The demo users all share DEMO_PASSWORD: a documented demo credential, never for production.
"""

import csv
import io
import os
import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from faker import Faker
from flask import current_app
from PIL import Image
from reportlab.lib.pagesizes import A5
from reportlab.pdfgen import canvas
from sqlalchemy import func, insert, select, update

from app import foto_demo
from app.extensions import db
from app.models import (
    AksesPengguna,
    Alamat,
    EmailOutbox,
    Instansi,
    Kategori,
    LayananTambahan,
    Penyedia,
    Pesanan,
    PesananKatalog,
    PortalUser,
    Produk,
    ProdukVarian,
    ProfilPengguna,
    Rup,
    Satker,
    Ulasan,
    Wilayah,
)
from app.roles import (
    ROLE_ADMIN,
    ROLE_AUDITOR,
    ROLE_BENDAHARA,
    ROLE_MANAJEMEN,
    ROLE_PEMBELI,
    ROLE_PENYEDIA,
    ROLE_PP,
    ROLE_PPK,
    ROLE_VERIFIKATOR,
    ROLE_VERIFIKATOR_TTE,
)
from app.services import clock, documents, eorder, katalog, tte, tte_aktivasi

SEED_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed_data")
DEMO_PASSWORD = "Demo12345!"  # documented demo credential; never for production
DEMO_DOMAIN = "demo.portal.local"
SEED = 2026

# --- categories: level-1 roots, the 18 pilot categories (SPEC §3), level-3 subcategories ------------------
# Each level-3 entry lists the demo product templates: (name, lowest price, highest price, unit).

ROOTS = {"barang": "Barang", "digital": "Digital", "jasa": "Jasa"}

KATALOG = {
    "Perlengkapan Alat Tulis": (
        "barang",
        {
            "Kertas & Buku": [
                ("Kertas HVS A4 70 gsm (1 rim)", 45000, 58000, "rim"),
                ("Kertas HVS F4 80 gsm (1 rim)", 55000, 68000, "rim"),
                ("Buku Tulis Sampul Batik 58 Lembar (isi 10)", 35000, 50000, "pack"),
                ("Buku Agenda Kulit Sintetis Logo Custom", 45000, 85000, "pcs"),
                ("Sticky Notes 3x3 inci (isi 12 pad)", 25000, 40000, "pack"),
                ("Buku Kwitansi Rangkap 2", 8000, 15000, "buku"),
            ],
            "Alat Tulis": [
                ("Pulpen Gel Hitam 0,5 mm (1 lusin)", 24000, 40000, "lusin"),
                ("Pensil 2B Kayu (1 lusin)", 18000, 30000, "lusin"),
                ("Spidol Whiteboard Isi Ulang (1 lusin)", 60000, 95000, "lusin"),
                ("Stabilo Highlighter 5 Warna", 25000, 40000, "set"),
                ("Set Penghapus dan Rautan Pelajar", 8000, 15000, "set"),
            ],
            "Map & Ordner": [
                ("Map Plastik Kancing Folio (1 lusin)", 25000, 40000, "lusin"),
                ("Ordner Lever Arch Besar", 25000, 38000, "pcs"),
                ("Box File Kardus Motif Batik", 15000, 28000, "pcs"),
                ("Map Snelhecter Plastik (isi 12)", 20000, 35000, "pack"),
                ("Document Keeper 60 Sheet", 30000, 50000, "pcs"),
            ],
        },
    ),
    "Perkakas": (
        "barang",
        {
            "Perkakas Tangan": [
                ("Set Obeng Presisi 32 in 1", 65000, 120000, "set"),
                ("Tang Kombinasi 8 inci", 45000, 85000, "pcs"),
                ("Kunci Pas Ring Set 8-24 mm", 150000, 280000, "set"),
                ("Palu Kambing Gagang Fiber", 45000, 75000, "pcs"),
                ("Gergaji Kayu 18 inci", 40000, 70000, "pcs"),
            ],
            "Perkakas Listrik": [
                ("Bor Listrik 10 mm 350 Watt", 250000, 450000, "unit"),
                ("Gerinda Tangan 4 inci", 300000, 550000, "unit"),
                ("Obeng Baterai Cordless 12V", 350000, 650000, "unit"),
                ("Solder Listrik 60 Watt dan Timah", 55000, 95000, "set"),
                ("Kabel Roll 15 Meter 4 Lubang", 120000, 220000, "unit"),
            ],
            "Alat Ukur": [
                ("Meteran Gulung 5 Meter", 25000, 45000, "pcs"),
                ("Multimeter Digital", 120000, 250000, "unit"),
                ("Waterpass Aluminium 60 cm", 55000, 95000, "pcs"),
                ("Meteran Laser 40 Meter", 350000, 650000, "unit"),
                ("Jangka Sorong Digital 150 mm", 150000, 280000, "unit"),
            ],
        },
    ),
    "Perawatan Tubuh": (
        "barang",
        {
            "Sabun & Pembersih Tangan": [
                ("Sabun Cuci Tangan Cair Sereh 500 ml", 18000, 30000, "botol"),
                ("Hand Sanitizer Gel 500 ml", 25000, 45000, "botol"),
                ("Sabun Batang Herbal Kopi (isi 3)", 30000, 50000, "pack"),
                ("Sabun Cair Refill 5 Liter", 75000, 120000, "jeriken"),
                ("Tisu Basah Antiseptik (isi 50)", 12000, 20000, "pack"),
            ],
            "Perawatan Rambut": [
                ("Sampo Lidah Buaya 250 ml", 25000, 40000, "botol"),
                ("Minyak Kemiri Penyubur Rambut 100 ml", 30000, 55000, "botol"),
                ("Pomade Water Based 80 g", 35000, 60000, "pot"),
                ("Sampo Anti Ketombe Refill 1 Liter", 60000, 95000, "botol"),
            ],
            "Perlengkapan Kebersihan Diri": [
                ("Paket Toiletries Tamu (sikat gigi, sabun, sampo)", 15000, 28000, "paket"),
                ("Handuk Katun 70x140 cm", 45000, 85000, "pcs"),
                ("Masker Kain 3 Lapis (isi 10)", 30000, 50000, "pack"),
                ("Deodoran Roll On Tawas 50 ml", 20000, 35000, "pcs"),
                ("Minyak Kayu Putih 60 ml", 18000, 30000, "botol"),
            ],
        },
    ),
    "Perangkat Lunak": (
        "digital",
        {
            "Aplikasi Perkantoran": [
                ("Lisensi Aplikasi Absensi Online (per pengguna/tahun)", 120000, 250000, "lisensi"),
                ("Aplikasi Persuratan Elektronik (per unit kerja/tahun)", 3500000, 5000000, "paket"),
                ("Lisensi Office Suite Tahunan", 900000, 1500000, "lisensi"),
                ("Aplikasi Kasir dan Inventori (per outlet/tahun)", 1200000, 2500000, "lisensi"),
            ],
            "Keamanan & Antivirus": [
                ("Antivirus Endpoint 1 Tahun (per perangkat)", 180000, 350000, "lisensi"),
                ("Sertifikat SSL Domain Tervalidasi 1 Tahun", 450000, 900000, "lisensi"),
                ("Layanan Backup Data Cloud 100 GB (per bulan)", 150000, 300000, "paket"),
            ],
            "Layanan Cloud & Website": [
                ("Hosting Website Instansi 10 GB (1 tahun)", 900000, 1800000, "paket"),
                ("Pembuatan Website Profil Instansi", 3500000, 5000000, "paket"),
                ("Aplikasi Survei Kepuasan Masyarakat (1 tahun)", 2500000, 4500000, "paket"),
                ("Domain .id dan Email Bisnis (1 tahun)", 350000, 650000, "paket"),
            ],
        },
    ),
    "Peralatan Pendidikan": (
        "barang",
        {
            "Alat Peraga": [
                ("Globe Bumi Diameter 30 cm", 150000, 280000, "unit"),
                ("Kerangka Tulang Manusia 85 cm", 850000, 1600000, "unit"),
                ("Peta Indonesia Dinding Laminasi", 65000, 120000, "lembar"),
                ("Puzzle Kayu Peta Provinsi", 45000, 90000, "set"),
                ("Alat Peraga Bangun Ruang Akrilik", 250000, 450000, "set"),
            ],
            "Buku Pelajaran": [
                ("Buku Cerita Rakyat Betawi Bergambar", 35000, 65000, "eksemplar"),
                ("Kamus Bahasa Indonesia-Inggris", 85000, 150000, "eksemplar"),
                ("Buku Panduan Kewirausahaan UMKM", 60000, 95000, "eksemplar"),
                ("Atlas Indonesia dan Dunia", 55000, 95000, "eksemplar"),
            ],
            "Perlengkapan Laboratorium": [
                ("Mikroskop Monokuler Pelajar", 1200000, 2500000, "unit"),
                ("Gelas Ukur Kaca 100 ml (isi 6)", 90000, 160000, "set"),
                ("Kit Praktikum Listrik Dasar", 450000, 850000, "set"),
                ("Jas Laboratorium Katun", 85000, 140000, "pcs"),
            ],
        },
    ),
    "Peralatan Olahraga": (
        "barang",
        {
            "Bola & Raket": [
                ("Bola Futsal Ukuran 4", 120000, 250000, "pcs"),
                ("Bola Voli Kulit Sintetis", 150000, 300000, "pcs"),
                ("Raket Badminton Carbon (sepasang)", 250000, 550000, "set"),
                ("Shuttlecock Bulu Angsa (1 slop)", 90000, 150000, "slop"),
                ("Bola Basket Ukuran 7", 180000, 350000, "pcs"),
            ],
            "Alat Kebugaran": [
                ("Matras Yoga 8 mm", 85000, 150000, "pcs"),
                ("Dumbbell Vinyl 2 kg (sepasang)", 90000, 160000, "set"),
                ("Tali Skipping Bearing", 30000, 60000, "pcs"),
                ("Resistance Band Set 5 Tingkat", 60000, 120000, "set"),
            ],
            "Perlengkapan Senam & Jalan Sehat": [
                ("Kaos Jalan Sehat Sablon Custom", 40000, 70000, "pcs"),
                ("Topi Olahraga Sablon Logo", 25000, 45000, "pcs"),
                ("Peluit Wasit dan Tali", 15000, 30000, "pcs"),
                ("Kerucut Latihan Cone (isi 10)", 50000, 90000, "set"),
            ],
        },
    ),
    "Peralatan Kantor": (
        "barang",
        {
            "Furnitur Kantor": [
                ("Kursi Kerja Ergonomis Jaring", 650000, 1500000, "unit"),
                ("Meja Kerja Kayu Jati Belanda 120 cm", 1200000, 2500000, "unit"),
                ("Lemari Arsip Besi 4 Laci", 1800000, 3200000, "unit"),
                ("Rak Buku Kayu 5 Susun", 450000, 900000, "unit"),
            ],
            "Mesin Kantor": [
                ("Mesin Penghancur Kertas 10 Lembar", 900000, 1800000, "unit"),
                ("Mesin Laminating A3", 450000, 850000, "unit"),
                ("Mesin Jilid Spiral Kawat", 750000, 1500000, "unit"),
                ("Mesin Penghitung Uang", 1200000, 2500000, "unit"),
            ],
            "Perlengkapan Meja": [
                ("Stapler HD-10 dan Isi (1 set)", 25000, 45000, "set"),
                ("Tempat Pulpen Anyaman Rotan", 30000, 60000, "pcs"),
                ("Papan Nama Meja Akrilik", 45000, 90000, "pcs"),
                ("Kalkulator 12 Digit", 85000, 150000, "unit"),
                ("Pembolong Kertas 2 Lubang", 30000, 60000, "pcs"),
            ],
        },
    ),
    "Peralatan Elektronik": (
        "barang",
        {
            "Komputer & Laptop": [
                ("Laptop 14 inci Core i5 RAM 16 GB", 4500000, 5000000, "unit"),
                ("Mini PC Kantor SSD 256 GB", 3200000, 4800000, "unit"),
                ("Monitor LED 24 inci", 1300000, 2100000, "unit"),
                ("Keyboard dan Mouse Wireless", 150000, 300000, "set"),
                ("SSD Eksternal 1 TB", 1100000, 1700000, "unit"),
            ],
            "Printer & Scanner": [
                ("Printer Ink Tank 3-in-1", 2200000, 3200000, "unit"),
                ("Scanner Dokumen ADF A4", 3500000, 5000000, "unit"),
                ("Tinta Printer Botol 4 Warna", 280000, 420000, "set"),
                ("Printer Thermal Struk 58 mm", 450000, 800000, "unit"),
            ],
            "Audio Visual": [
                ("Proyektor LCD 3600 Lumens", 4200000, 5000000, "unit"),
                ("Speaker Aktif 15 inci Bluetooth", 1800000, 3200000, "unit"),
                ("Mikrofon Wireless Dual", 450000, 950000, "set"),
                ("Televisi LED 43 inci Smart", 3800000, 5000000, "unit"),
                ("Webcam Full HD Rapat Daring", 350000, 750000, "unit"),
            ],
        },
    ),
    "Pakaian dan Aksesoris Perempuan": (
        "barang",
        {
            "Batik Wanita": [
                ("Blus Batik Betawi Motif Ondel-Ondel", 150000, 280000, "pcs"),
                ("Dress Batik Tulis Pesisiran", 250000, 550000, "pcs"),
                ("Kain Batik Cap Motif Tumpal 2 Meter", 120000, 250000, "lembar"),
                ("Outer Batik Kombinasi", 175000, 320000, "pcs"),
            ],
            "Hijab & Kerudung": [
                ("Kerudung Segi Empat Voal Motif", 45000, 90000, "pcs"),
                ("Pashmina Ceruty Babydoll", 35000, 65000, "pcs"),
                ("Hijab Instan Seragam Kantor", 40000, 75000, "pcs"),
                ("Ciput Rajut (isi 3)", 25000, 40000, "pack"),
            ],
            "Tas & Aksesoris Wanita": [
                ("Tas Anyaman Pandan", 85000, 180000, "pcs"),
                ("Tas Kerja Kulit Sintetis", 180000, 350000, "pcs"),
                ("Dompet Tenun Ikat", 55000, 110000, "pcs"),
                ("Bros Etnik Kuningan", 25000, 55000, "pcs"),
            ],
        },
    ),
    "Pakaian dan Aksesoris Laki-Laki": (
        "barang",
        {
            "Batik Pria": [
                ("Kemeja Batik Betawi Lengan Panjang", 175000, 350000, "pcs"),
                ("Kemeja Batik Tulis Katun Primisima", 350000, 750000, "pcs"),
                ("Kemeja Batik Cap Lengan Pendek", 130000, 220000, "pcs"),
                ("Seragam Batik Kantor Motif Custom", 160000, 260000, "pcs"),
            ],
            "Kemeja & Seragam": [
                ("Kemeja PDH Drill Lengan Panjang", 150000, 250000, "pcs"),
                ("Kaos Polo Bordir Logo Instansi", 85000, 140000, "pcs"),
                ("Jaket Parasut Bordir Nama", 175000, 300000, "pcs"),
                ("Rompi Lapangan Multi Saku", 150000, 240000, "pcs"),
                ("Wearpack Safety Scotlight", 180000, 300000, "pcs"),
            ],
            "Topi & Aksesoris Pria": [
                ("Peci Hitam Beludru Nasional", 40000, 80000, "pcs"),
                ("Topi Baseball Bordir Logo", 35000, 65000, "pcs"),
                ("Ikat Pinggang Kulit Sapi", 85000, 180000, "pcs"),
                ("Dasi Batik Sutra", 65000, 120000, "pcs"),
            ],
        },
    ),
    "Peralatan Dapur": (
        "barang",
        {
            "Peralatan Masak": [
                ("Panci Presto 8 Liter", 350000, 650000, "unit"),
                ("Wajan Baja Ringan 40 cm", 85000, 150000, "pcs"),
                ("Kompor Gas 2 Tungku", 350000, 700000, "unit"),
                ("Dandang Aluminium 30 cm", 150000, 280000, "unit"),
                ("Rice Cooker 3 Liter", 350000, 650000, "unit"),
            ],
            "Peralatan Saji": [
                ("Chafing Dish Stainless Prasmanan", 450000, 850000, "unit"),
                ("Set Piring Keramik (isi 12)", 150000, 280000, "set"),
                ("Dispenser Minuman Kaca 8 Liter", 180000, 350000, "unit"),
                ("Termos Nasi Stainless 10 Liter", 280000, 450000, "unit"),
            ],
            "Wadah Penyimpanan": [
                ("Kontainer Makanan BPA Free (isi 6)", 75000, 140000, "set"),
                ("Toples Kaca Kedap Udara 2 Liter", 45000, 85000, "pcs"),
                ("Cooler Box 45 Liter", 350000, 600000, "unit"),
                ("Galon Air Isi Ulang 19 Liter", 45000, 75000, "pcs"),
            ],
        },
    ),
    "Jasa Sewa Peralatan Elektronik": (
        "jasa",
        {
            "Sewa Sound System": [
                ("Sewa Sound System 2000 Watt (per hari)", 1500000, 3000000, "paket"),
                ("Sewa Mikrofon Wireless dan Operator (per hari)", 350000, 700000, "paket"),
                ("Sewa Sound System Portable Rapat (per hari)", 500000, 1000000, "paket"),
                ("Sewa Mixer Audio 12 Channel (per hari)", 400000, 800000, "unit"),
            ],
            "Sewa Proyektor & Layar": [
                ("Sewa Proyektor dan Layar 70 inci (per hari)", 350000, 650000, "paket"),
                ("Sewa LED Screen P3 3x2 Meter (per hari)", 3500000, 5000000, "paket"),
                ("Sewa Televisi 55 inci dan Standing (per hari)", 500000, 900000, "unit"),
                ("Sewa Laptop Presentasi (per hari)", 150000, 300000, "unit"),
            ],
            "Sewa Genset & Penerangan": [
                ("Sewa Genset Silent 20 kVA (per hari)", 1800000, 3200000, "unit"),
                ("Sewa Lampu Sorot LED 200 Watt (per hari)", 100000, 200000, "unit"),
                ("Sewa Kabel dan Panel Listrik Acara (per hari)", 400000, 800000, "paket"),
            ],
        },
    ),
    "Jasa Sewa Alat Transportasi": (
        "jasa",
        {
            "Sewa Bus": [
                ("Sewa Bus Pariwisata 45 Kursi (per hari)", 2800000, 4500000, "unit"),
                ("Sewa Bus Medium 31 Kursi (per hari)", 2000000, 3200000, "unit"),
                ("Sewa Bus Antar Jemput Peserta Dalam Kota (per hari)", 1800000, 2800000, "unit"),
            ],
            "Sewa Mobil & Minibus": [
                ("Sewa Minibus 15 Kursi dan Sopir (per hari)", 1200000, 1800000, "unit"),
                ("Sewa Mobil MPV, Sopir dan BBM (per hari)", 650000, 950000, "unit"),
                ("Sewa Elf Long 19 Kursi (per hari)", 1100000, 1600000, "unit"),
                ("Sewa Mobil Pick Up Angkut Barang (per hari)", 350000, 600000, "unit"),
            ],
            "Sewa Kendaraan Lainnya": [
                ("Sewa Motor Matic (per hari)", 90000, 150000, "unit"),
                ("Sewa Sepeda Listrik Acara (per hari)", 120000, 200000, "unit"),
                ("Sewa Golf Car 4 Kursi (per hari)", 1200000, 2000000, "unit"),
                ("Sewa Truk Engkel Box (per hari)", 900000, 1400000, "unit"),
            ],
        },
    ),
    "Jasa Layanan": (
        "jasa",
        {
            "Jasa Kebersihan": [
                ("Jasa Cuci Karpet Kantor (per m2)", 12000, 25000, "m2"),
                ("Jasa Pembersihan Pasca Acara", 1500000, 3000000, "paket"),
                ("Jasa Fogging dan Disinfeksi Ruangan (per 100 m2)", 350000, 650000, "paket"),
                ("Jasa Cuci AC Split (per unit)", 75000, 120000, "unit"),
            ],
            "Jasa Percetakan": [
                ("Cetak Spanduk Flexi 3x1 Meter", 75000, 130000, "lembar"),
                ("Cetak Brosur A4 Art Paper (per 100 lembar)", 150000, 280000, "paket"),
                ("Cetak Buku Laporan Tahunan Full Color", 85000, 160000, "eksemplar"),
                ("Cetak Kartu Nama (1 box isi 100)", 35000, 60000, "box"),
                ("Cetak X-Banner 60x160 cm dan Rangka", 85000, 150000, "set"),
            ],
            "Jasa Fotografi & Dokumentasi": [
                ("Jasa Dokumentasi Foto Acara (per hari)", 1500000, 3000000, "paket"),
                ("Jasa Video Highlight Kegiatan", 2500000, 4500000, "paket"),
                ("Jasa Live Streaming Acara (per hari)", 3000000, 5000000, "paket"),
                ("Jasa Foto Produk UMKM (per 10 produk)", 350000, 700000, "paket"),
            ],
        },
    ),
    "Hadiah Souvenir": (
        "barang",
        {
            "Plakat & Trofi": [
                ("Plakat Akrilik Grafir Logo", 150000, 350000, "pcs"),
                ("Plakat Kayu Jati Ukir", 250000, 550000, "pcs"),
                ("Piala Juara Set 1-2-3", 450000, 950000, "set"),
                ("Medali Logam Custom dan Tali", 25000, 55000, "pcs"),
            ],
            "Souvenir Kerajinan": [
                ("Miniatur Ondel-Ondel 30 cm", 85000, 175000, "pcs"),
                ("Gantungan Kunci Monas (isi 12)", 30000, 60000, "pack"),
                ("Kotak Tisu Anyaman Rotan", 45000, 90000, "pcs"),
                ("Tumbler Bambu Ukir Nama", 55000, 110000, "pcs"),
            ],
            "Merchandise Custom": [
                ("Tumbler Stainless Grafir Logo 500 ml", 65000, 120000, "pcs"),
                ("Tote Bag Kanvas Sablon Logo", 25000, 45000, "pcs"),
                ("Payung Lipat Sablon Logo", 45000, 85000, "pcs"),
                ("Paket Seminar Kit (tas, buku, pulpen)", 65000, 120000, "paket"),
                ("Lanyard dan ID Card Holder Custom", 12000, 25000, "pcs"),
            ],
        },
    ),
    "Jasa Akomodasi & Kegiatan": (
        "jasa",
        {
            "Sewa Ruang Rapat": [
                ("Paket Rapat Fullday (ruang, 2 snack, makan siang)", 250000, 450000, "orang"),
                ("Paket Rapat Halfday (ruang, 1 snack, makan siang)", 150000, 250000, "orang"),
                ("Sewa Aula Kapasitas 200 Orang (per hari)", 3500000, 5000000, "paket"),
            ],
            "Jasa Event Organizer": [
                ("Jasa EO Seminar 100 Peserta", 3500000, 5000000, "paket"),
                ("Jasa MC Acara Resmi", 1000000, 2500000, "orang"),
                ("Jasa Penyelenggaraan Bazar UMKM (per hari)", 4000000, 5000000, "paket"),
                ("Jasa Registrasi Peserta dan Penerima Tamu (per hari)", 750000, 1500000, "paket"),
            ],
            "Dekorasi & Tenda": [
                ("Sewa Tenda Sarnafil 5x5 Meter", 750000, 1300000, "unit"),
                ("Sewa Kursi Futura dan Sarung", 8000, 15000, "unit"),
                ("Dekorasi Panggung Acara Resmi", 2500000, 4500000, "paket"),
                ("Sewa Meja Bulat dan Taplak", 45000, 85000, "unit"),
                ("Rangkaian Bunga Meja Podium", 250000, 450000, "pcs"),
            ],
        },
    ),
    "Jasa Tenaga Kerja": (
        "jasa",
        {
            "Tenaga Kebersihan": [
                ("Tenaga Kebersihan Harian", 180000, 250000, "orang/hari"),
                ("Tenaga Kebersihan Acara (shift 8 jam)", 200000, 275000, "orang/hari"),
                ("Tenaga Angkut Barang (Porter)", 150000, 220000, "orang/hari"),
            ],
            "Tenaga Keamanan": [
                ("Tenaga Keamanan Acara (per shift)", 250000, 375000, "orang/hari"),
                ("Petugas Parkir Acara", 150000, 220000, "orang/hari"),
                ("Satpam Bersertifikat Gada Pratama", 300000, 450000, "orang/hari"),
            ],
            "Tenaga Administrasi": [
                ("Tenaga Entri Data Harian", 200000, 300000, "orang/hari"),
                ("Tenaga Pendamping UMKM (Fasilitator)", 350000, 550000, "orang/hari"),
                ("Penerjemah Bahasa Inggris (per hari)", 1000000, 2000000, "orang/hari"),
                ("Tenaga Kasir Bazar", 175000, 250000, "orang/hari"),
            ],
        },
    ),
    "Makanan & Minuman": (
        "barang",
        {
            "Snack Box": [
                ("Snack Box Kue Basah Isi 3", 12000, 18000, "box"),
                ("Snack Box Kue Betawi (Kue Cubit, Kue Rangi, Dodol)", 15000, 22000, "box"),
                ("Snack Box Premium Isi 4 dan Air Mineral", 20000, 30000, "box"),
                ("Snack Box Roti Manis dan Risoles", 14000, 20000, "box"),
                ("Snack Box Sehat Buah Potong", 18000, 28000, "box"),
                ("Kue Kering Nastar Toples 500 g", 85000, 150000, "toples"),
                ("Roti Buaya Betawi Ukuran Sedang", 150000, 300000, "pcs"),
                ("Lemper Ayam (isi 10)", 30000, 45000, "pack"),
            ],
            "Nasi Kotak": [
                ("Nasi Kotak Ayam Bakar Komplit", 30000, 45000, "box"),
                ("Nasi Kotak Rendang Sapi", 35000, 55000, "box"),
                ("Nasi Uduk Betawi Kotak", 22000, 32000, "box"),
                ("Nasi Kotak Ikan Gurame Asam Manis", 38000, 55000, "box"),
                ("Nasi Tumpeng Mini", 35000, 50000, "box"),
                ("Nasi Box Ayam Geprek", 22000, 30000, "box"),
                ("Prasmanan Menu Betawi (per orang)", 65000, 95000, "orang"),
                ("Nasi Liwet Kotak Sunda", 30000, 42000, "box"),
            ],
            "Minuman Kemasan": [
                ("Air Mineral Botol 600 ml (1 dus isi 24)", 45000, 60000, "dus"),
                ("Es Kopi Susu Gula Aren Botol 250 ml", 15000, 22000, "botol"),
                ("Bir Pletok Betawi Botol 350 ml", 12000, 20000, "botol"),
                ("Teh Melati Cup 220 ml (1 dus isi 24)", 35000, 50000, "dus"),
                ("Jus Buah Segar Cup 300 ml", 12000, 18000, "cup"),
                ("Wedang Jahe Merah Instan (isi 10 sachet)", 30000, 45000, "pack"),
                ("Kopi Arabika Bubuk 250 g", 65000, 110000, "pack"),
            ],
        },
    ),
}

# --- organisations --------------------------------------------------------------------------------------

INSTANSI = [
    ("PEMPROV-DKI", "Pemerintah Provinsi DKI Jakarta", "pemda"),
    ("KEMENKOPUKM", "Kementerian Koperasi dan Usaha Kecil dan Menengah", "kementerian"),
]

SATKER = [  # (instansi kode, kode, nama, jenis, alamat)
    ("PEMPROV-DKI", "BUMD-TJ", "PT Transportasi Jakarta", "bumd",
     "Jl. Mayjen Sutoyo No. 1, Cawang, Kramatjati, Jakarta Timur 13630"),
    ("PEMPROV-DKI", "BUMD-PAMJAYA", "Perumda Air Minum Jaya (PAM Jaya)", "bumd",
     "Jl. Penjernihan II No. 1, Bendungan Hilir, Tanah Abang, Jakarta Pusat 10210"),
    ("PEMPROV-DKI", "BUMD-MRTJ", "PT MRT Jakarta (Perseroda)", "bumd",
     "Wisma Nusantara Lt. 21, Jl. M.H. Thamrin No. 59, Menteng, Jakarta Pusat 10350"),
    ("PEMPROV-DKI", "BUMD-PASARJAYA", "Perumda Pasar Jaya", "bumd",
     "Jl. Cikini Raya No. 90, Cikini, Menteng, Jakarta Pusat 10330"),
    ("PEMPROV-DKI", "BUMD-JAKPRO", "PT Jakarta Propertindo (Perseroda)", "bumd",
     "Jl. K.H. Mas Mansyur, Karet Tengsin, Tanah Abang, Jakarta Pusat 10220"),
    ("PEMPROV-DKI", "SKPD-BPPBJ", "Badan Pelayanan Pengadaan Barang/Jasa (BPPBJ)", "skpd",
     "Balai Kota DKI Jakarta Blok G, Jl. Medan Merdeka Selatan No. 8-9, Gambir, Jakarta Pusat 10110"),
    ("PEMPROV-DKI", "SKPD-PPKUKM", "Dinas Perindustrian, Perdagangan, Koperasi, Usaha Kecil dan Menengah", "skpd",
     "Jl. Perintis Kemerdekaan, Pulo Gadung, Jakarta Timur 13260"),
    ("PEMPROV-DKI", "SKPD-DISDIK", "Dinas Pendidikan", "skpd",
     "Jl. Jenderal Gatot Subroto Kav. 40-41, Kuningan Timur, Setiabudi, Jakarta Selatan 12950"),
    ("PEMPROV-DKI", "SKPD-DINKES", "Dinas Kesehatan", "skpd",
     "Jl. Kesehatan No. 10, Petojo Selatan, Gambir, Jakarta Pusat 10160"),
    ("PEMPROV-DKI", "SKPD-DISPAREKRAF", "Dinas Pariwisata dan Ekonomi Kreatif", "skpd",
     "Jl. Kuningan Barat No. 2, Mampang Prapatan, Jakarta Selatan 12710"),
    ("PEMPROV-DKI", "SKPD-DKPKP", "Dinas Ketahanan Pangan, Kelautan dan Pertanian", "skpd",
     "Jl. Gunung Sahari Raya No. 11, Pasar Baru, Sawah Besar, Jakarta Pusat 10720"),
    ("KEMENKOPUKM", "KEMENKOP-SETMEN", "Sekretariat Kementerian Koperasi dan UKM", "satker",
     "Jl. H.R. Rasuna Said Kav. 3-4, Kuningan, Setiabudi, Jakarta Selatan 12940"),
    ("KEMENKOPUKM", "KEMENKOP-DUMI", "Deputi Bidang Usaha Mikro", "satker",
     "Jl. H.R. Rasuna Said Kav. 3-4, Kuningan, Setiabudi, Jakarta Selatan 12940"),
]  # fmt: skip

# (nama, UMKM?, PKP (charges PPN)?, SKPD pembina kode, specialities: level-2 or level-3 category names)
# The first two are the demo Penyedia users' companies; Andrew's products are fixed below.
PENYEDIA = [
    ("Kedai Bakso Andrew", True, True, "SKPD-PPKUKM", []),
    ("Konveksi Berkah Jaya", True, True, "SKPD-PPKUKM",
     ["Kemeja & Seragam", "Topi & Aksesoris Pria", "Perlengkapan Senam & Jalan Sehat"]),
    ("Catering Dapur Bu Sri", True, True, "SKPD-DKPKP", ["Nasi Kotak", "Snack Box"]),
    ("Toko Alat Tulis Sinar Ilmu", True, True, "SKPD-PPKUKM", ["Perlengkapan Alat Tulis"]),
    ("CV Mitra Teknik Mandiri", True, True, "SKPD-PPKUKM", ["Perkakas"]),
    ("UD Sumber Rejeki Perkakas", True, False, "SKPD-PPKUKM", ["Perkakas Tangan", "Alat Ukur"]),
    ("Sabun Herbal Nusantara", True, False, "SKPD-PPKUKM", ["Sabun & Pembersih Tangan", "Perawatan Rambut"]),
    ("Rumah Wangi Betawi", True, False, "SKPD-DISPAREKRAF", ["Perawatan Tubuh"]),
    ("PT Solusi Digital Nusantara", False, True, None, ["Perangkat Lunak"]),
    ("CV Kode Kreatif Jakarta", True, True, "SKPD-DISPAREKRAF", ["Aplikasi Perkantoran", "Layanan Cloud & Website"]),
    ("CV Edukasi Cerdas Indonesia", True, True, "SKPD-PPKUKM", ["Peralatan Pendidikan"]),
    ("Toko Olahraga Juara", True, True, "SKPD-PPKUKM", ["Peralatan Olahraga"]),
    ("CV Meubel Jati Makmur", True, True, "SKPD-PPKUKM", ["Furnitur Kantor", "Perlengkapan Meja"]),
    ("Toko Elektronik Cahaya Abadi", True, True, "SKPD-PPKUKM", ["Peralatan Elektronik", "Mesin Kantor"]),
    ("Batik Betawi Ibu Ani", True, False, "SKPD-DISPAREKRAF", ["Batik Wanita", "Batik Pria", "Tas & Aksesoris Wanita"]),
    ("Butik Hijab Anggun", True, False, "SKPD-PPKUKM", ["Hijab & Kerudung", "Tas & Aksesoris Wanita"]),
    ("Toko Peralatan Dapur Bunda", True, True, "SKPD-PPKUKM", ["Peralatan Dapur"]),
    ("Sound System Gema Suara", True, True, "SKPD-DISPAREKRAF", ["Sewa Sound System", "Sewa Genset & Penerangan"]),
    ("Rental Proyektor Terang Benderang", True, False, "SKPD-PPKUKM", ["Jasa Sewa Peralatan Elektronik"]),
    ("Trans Wisata Ceria", True, True, "SKPD-DISPAREKRAF", ["Jasa Sewa Alat Transportasi"]),
    ("CV Armada Jaya Rental", True, True, "SKPD-PPKUKM", ["Sewa Mobil & Minibus", "Sewa Kendaraan Lainnya"]),
    ("Percetakan Maju Bersama", True, True, "SKPD-PPKUKM", ["Jasa Percetakan", "Merchandise Custom"]),
    ("CV Bersih Kilat", True, True, "SKPD-PPKUKM", ["Jasa Kebersihan", "Tenaga Kebersihan"]),
    ("Kerajinan Ondel-Ondel Mandiri", True, False, "SKPD-DISPAREKRAF", ["Souvenir Kerajinan", "Plakat & Trofi"]),
    ("Plakat dan Trofi Prima", True, True, "SKPD-PPKUKM", ["Plakat & Trofi", "Merchandise Custom"]),
    ("EO Kreasi Acara Jakarta", True, True, "SKPD-DISPAREKRAF",
     ["Jasa Event Organizer", "Sewa Ruang Rapat", "Jasa Fotografi & Dokumentasi"]),
    ("Tenda dan Dekorasi Sejahtera", True, False, "SKPD-PPKUKM", ["Dekorasi & Tenda"]),
    ("CV Karya Tenaga Mandiri", True, True, "SKPD-PPKUKM", ["Tenaga Keamanan", "Tenaga Administrasi"]),
    ("Warung Kopi Pak Darmo", True, False, "SKPD-DKPKP", ["Minuman Kemasan"]),
    ("Roti dan Kue Ibu Lina", True, False, "SKPD-DKPKP", ["Snack Box"]),
    ("Dapur Sehat Mak Ijah", True, False, "SKPD-DKPKP", ["Nasi Kotak", "Minuman Kemasan"]),
    ("PT Graha Elektrindo Nusantara", False, True, None, ["Komputer & Laptop", "Printer & Scanner", "Audio Visual"]),
    ("Toko Buku dan ATK Pelita", True, True, "SKPD-PPKUKM", ["Perlengkapan Alat Tulis", "Buku Pelajaran"]),
    ("Koperasi Wanita Mandiri Sejahtera", True, False, "SKPD-PPKUKM", ["Peralatan Dapur", "Souvenir Kerajinan"]),
]  # fmt: skip

ANDREW = "Kedai Bakso Andrew"
ANDREW_ALAMAT = ("Jl. Balai Pustaka Timur No. 17", "31.75.02.1005")  # Rawamangun, Pulo Gadung
SNACK_BOX = "Snack Box Gurih Andrew"

# (nama, level-3 (or level-2) category, harga, ketersediaan, min, max, stok, satuan, status, deskripsi)
ANDREW_PRODUK = [
    (SNACK_BOX, "Snack Box", 25000, "ready", 10, 200, 500, "box", "tayang",
     "Snack box isi risoles ragout, lemper ayam, kue sus vla dan air mineral gelas. "
     "Dikemas rapi per kotak, cocok untuk rapat dan pelatihan."),
    ("Nasi Kotak Bakso Urat Komplit", "Nasi Kotak", 35000, "h1", 10, 300, 400, "box", "tayang",
     "Nasi putih, bakso urat, tahu bakso, sayur dan sambal terpisah dalam kotak."),
    ("Mie Ayam Bakso Kotak", "Nasi Kotak", 28000, "h1", 10, 250, 300, "box", "tayang",
     "Mie ayam kecap dengan dua butir bakso sapi, kuah dikemas terpisah agar tetap segar."),
    ("Paket Bakso Kuah Prasmanan (50 porsi)", "Makanan & Minuman", 1750000, "po", 1, 10, 20, "paket", "tayang",
     "Gerobak bakso prasmanan lengkap dengan penjual untuk 50 porsi, termasuk mangkuk dan sendok. "
     "Cocok untuk acara halalbihalal dan syukuran kantor."),
    ("Es Teh Manis Cup 350 ml", "Minuman Kemasan", 6000, "ready", 20, 500, 1000, "cup", "tayang",
     "Teh melati seduh dengan gula asli, cup tersegel. Disajikan dingin."),
    ("Bakso Sapi Beku (isi 50)", "Makanan & Minuman", 85000, "ready", 5, 100, 300, "pack", "tayang",
     "Bakso sapi tanpa pengawet dan boraks, dikemas vakum beku. Tahan 3 bulan di freezer."),
    ("Snack Box Manis Andrew", "Snack Box", 22000, "ready", 10, 200, 300, "box", "draft",
     "Snack box isi bolu pandan, pastel, dan teh kotak."),
    ("Es Kopi Susu Gula Aren Andrew 250 ml", "Minuman Kemasan", 18000, "ready", 10, 300, 400, "botol", "diajukan",
     "Kopi robusta Temanggung dengan susu segar dan gula aren, botol 250 ml."),
]  # fmt: skip

# --- demo users: (username, role, organisation kode or penyedia nama, nrk, gender) -----------------------

USERS = [
    ("admin", ROLE_ADMIN, "SKPD-BPPBJ", "170001", "m"),
    ("pembeli", ROLE_PEMBELI, "BUMD-TJ", "198765", "f"),
    ("pembeli2", ROLE_PEMBELI, "BUMD-PAMJAYA", "198766", "m"),
    ("penyedia", ROLE_PENYEDIA, ANDREW, None, "m"),
    ("penyedia2", ROLE_PENYEDIA, "Konveksi Berkah Jaya", None, "f"),
    ("verifikator", ROLE_VERIFIKATOR, "SKPD-BPPBJ", "170002", "f"),
    ("pp", ROLE_PP, "SKPD-DISDIK", "180011", "m"),
    ("ppk", ROLE_PPK, "SKPD-DISDIK", "180012", "f"),
    ("bendahara", ROLE_BENDAHARA, "SKPD-DISDIK", "180013", "f"),
    ("auditor", ROLE_AUDITOR, "SKPD-BPPBJ", "170003", "m"),
    ("manajemen", ROLE_MANAJEMEN, "SKPD-BPPBJ", "170004", "m"),
]

# NIP (ASN: birth date + appointment month + sex + sequence) and position, printed on the letters they sign;
# BUMD staff are no civil servants (no NIP), a Penyedia's user only has a position in the company.
JABATAN = {
    "admin": ("197803152003121001", "Kepala Subbagian Tata Usaha"),
    "verifikator": ("198507212010012004", "Analis Pengadaan Barang/Jasa"),
    "pp": ("198811032012121002", "Pejabat Pengadaan"),
    "ppk": ("198305122008012003", "Kepala Subbagian Umum dan Kepegawaian"),
    "bendahara": ("199002142014022001", "Bendahara Pengeluaran"),
    "auditor": ("197912092005011003", "Auditor Ahli Muda"),
    "manajemen": ("197506182000121002", "Kepala Biro Perekonomian"),
    "bud": ("198112302006041001", "Kuasa Bendahara Umum Daerah"),
    "penyedia": (None, "Pemilik"),
    "penyedia2": (None, "Direktur"),
}

# (username, nama, jenis, jalan, kelurahan code, kode pos, lat, lon)
ALAMAT = [
    ("pembeli", "Kantor Pusat PT Transportasi Jakarta", "utama",
     "Jl. Mayjen Sutoyo No. 1, Cawang", "31.75.04.1007", "13630", -6.2436, 106.8697),
    ("pembeli", "Terminal Kampung Rambutan (lokasi kegiatan)", "kegiatan",
     "Jl. Lingkar Luar Selatan, Terminal Kampung Rambutan", "31.75.09.1005", "13830", -6.3088, 106.8823),
    ("pembeli2", "Kantor Pusat Perumda PAM Jaya", "utama",
     "Jl. Penjernihan II No. 1, Pejompongan", "31.71.07.1002", "10210", -6.2066, 106.8063),
    # the PP's Utama address: Katalog "Produk dari Daerahmu" (Jakarta Selatan) and the checkout's shipping address
    ("pp", "Kantor Dinas Pendidikan", "utama",
     "Jl. Jenderal Gatot Subroto Kav. 40-41, Kuningan Timur", "31.74.02.1008", "12950", -6.2297, 106.8297),
]  # fmt: skip

# --- texts ----------------------------------------------------------------------------------------------

DESKRIPSI = {
    "Makanan & Minuman": [
        "Dimasak segar setiap hari dari bahan pilihan tanpa pengawet dan MSG berlebih.",
        "Bersertifikat halal dan PIRT; cocok untuk rapat, pelatihan, dan acara kantor.",
        "Dikemas higienis per porsi, lengkap dengan label tanggal produksi.",
    ],
    "jasa": [
        "Dikerjakan oleh tim berpengalaman melayani instansi pemerintah dan BUMD di Jakarta.",
        "Harga sudah termasuk transportasi di wilayah DKI Jakarta; di luar itu dikenakan biaya tambahan.",
        "Jadwal dapat disesuaikan dengan rundown kegiatan; koordinasi teknis H-2 sebelum acara.",
    ],
    "digital": [
        "Termasuk instalasi, pelatihan singkat pengguna, dan dukungan teknis pada jam kerja.",
        "Data disimpan di pusat data dalam negeri sesuai ketentuan pelindungan data pribadi.",
        "Lisensi resmi dengan faktur dan bukti aktivasi atas nama instansi pembeli.",
    ],
    "barang": [
        "Produk asli buatan UMKM Jakarta dengan kualitas terkontrol.",
        "Garansi tukar barang bila cacat produksi maksimal 7 hari setelah diterima.",
        "Dapat dicetak atau dibordir logo instansi untuk pemesanan dalam jumlah besar.",
        "Dikemas aman dan dikirim ke seluruh wilayah DKI Jakarta.",
    ],
}
KETERSEDIAAN_TEKS = {
    "ready": "Stok tersedia; pesanan sebelum pukul 12.00 WIB dikirim di hari yang sama.",
    "h1": "Pesan paling lambat H-1 sebelum tanggal kegiatan.",
    "po": "Dikerjakan berdasarkan pesanan (pre-order), estimasi 3-7 hari kerja.",
}
ALASAN_TOLAK_PRODUK = [
    "Foto produk belum sesuai ketentuan (latar putih, minimal 500x500 piksel).",
    "Harga tidak wajar dibandingkan harga pasar; lampirkan rincian harga.",
    "Deskripsi belum mencantumkan spesifikasi dan masa berlaku layanan.",
    "Kategori produk tidak sesuai; ajukan ulang pada kategori yang benar.",
]
ULASAN = {
    "makanan": {
        5: [
            "Rasanya enak, porsinya pas, peserta rapat puas semua.",
            "Datang tepat waktu sebelum acara dimulai dan masih hangat. Terima kasih!",
            "Kemasan rapi dan bersih, cocok untuk acara kantor. Akan pesan lagi.",
        ],
        4: [
            "Enak dan sesuai pesanan, hanya datang 15 menit lebih lambat dari jadwal.",
            "Rasa mantap, mungkin sambalnya bisa dibuat lebih pedas.",
        ],
        3: ["Rasa cukup, tetapi beberapa kotak kurang sendok plastik."],
        2: ["Pengiriman terlambat hampir satu jam sehingga acara tertunda."],
    },
    "jasa": {
        5: [
            "Tim profesional dan tepat waktu, acara berjalan lancar.",
            "Koordinasi sangat baik sejak persiapan hingga selesai kegiatan.",
        ],
        4: [
            "Pelayanan baik, hanya perlu lebih cepat saat loading peralatan.",
            "Hasil memuaskan dan harga bersaing untuk kelas UMKM.",
        ],
        3: ["Cukup baik, ada beberapa kendala teknis di awal acara."],
        2: ["Petugas datang terlambat dan peralatan kurang lengkap."],
    },
    "barang": {
        5: [
            "Barang sesuai deskripsi, kualitas sangat baik, pengiriman cepat.",
            "Kualitas mantap untuk produk UMKM, akan pesan lagi untuk kebutuhan kantor.",
            "Packing rapi dan aman, penjual sangat responsif.",
        ],
        4: [
            "Barang bagus, hanya pengiriman sedikit terlambat dari jadwal.",
            "Sesuai pesanan dan harga bersaing.",
        ],
        3: ["Kualitas cukup, ada beberapa item yang perlu ditukar."],
        2: ["Beberapa barang cacat dan penggantiannya memakan waktu."],
    },
}
NAMA_KEGIATAN = {
    "BUMD-TJ": [
        "Rapat Koordinasi Layanan Pelanggan Triwulan",
        "Pelatihan Keselamatan Pramudi Transjakarta",
        "Sosialisasi Integrasi Tarif JakLingko",
        "Apel Siaga Angkutan Lebaran",
        "Workshop Digitalisasi Layanan Halte",
        "Rapat Evaluasi Kinerja Operator Bus",
        "Peringatan HUT PT Transportasi Jakarta",
    ],
    "BUMD-PAMJAYA": [
        "Sosialisasi Program Sambungan Air Bersih Warga",
        "Rapat Direksi Bulanan",
        "Pelatihan Petugas Loket Pelayanan",
        "Forum Konsultasi Publik Tarif Air",
        "Bakti Sosial Air Bersih Ramadan",
        "Bimbingan Teknis Pengadaan Barang/Jasa",
    ],
}
CATATAN_PESANAN = [
    "Mohon dikirim paling lambat 1 jam sebelum acara dimulai.",
    "Hubungi PIC di lokasi sebelum pengiriman.",
    "Kemasan mohon diberi label nama kegiatan.",
    "Pengiriman melalui pintu belakang gedung (area bongkar muat).",
    None,
]
CATATAN_PENERIMAAN = [
    "Barang diterima lengkap dan dalam kondisi baik.",
    "Diterima tepat waktu di lokasi kegiatan, jumlah sesuai.",
    "Semua sesuai pesanan, terima kasih.",
]


# --- reference data ---------------------------------------------------------------------------------------


def load_reference():
    """Regions (Kemendagri codes) and the category tree; each only when its table is empty."""
    if not db.session.execute(select(Wilayah.code).limit(1)).first():
        with open(os.path.join(SEED_DIR, "regions.csv"), newline="", encoding="utf-8") as fh:
            rows = [
                {
                    "code": r["code"].strip(),
                    "nama": r["name"].strip(),
                    "level": r["level"].strip(),
                    "parent_code": (r["parent_code"] or "").strip() or None,
                }
                for r in csv.DictReader(fh)
            ]
        db.session.execute(insert(Wilayah), rows)
    if not db.session.execute(select(Kategori.id).limit(1)).first():
        _load_kategori()
    db.session.commit()


def _load_kategori():
    roots = {}
    for jenis, nama in ROOTS.items():
        roots[jenis] = Kategori(nama=nama, jenis=jenis, level=1, aktif=True)
        db.session.add(roots[jenis])
    db.session.flush()
    for nama, (jenis, subs) in KATALOG.items():
        level2 = Kategori(nama=nama, jenis=jenis, level=2, parent_id=roots[jenis].id, aktif=True)
        db.session.add(level2)
        db.session.flush()
        for sub in subs:
            db.session.add(Kategori(nama=sub, jenis=jenis, level=3, parent_id=level2.id, aktif=True))
    db.session.flush()


def has_users():
    return db.session.execute(select(PortalUser.id).limit(1)).first() is not None


# --- demo data --------------------------------------------------------------------------------------------


def load_demo():
    """Build the demo data set; returns a one-paragraph summary."""
    if db.session.execute(select(Instansi.id).where(Instansi.kode == "PEMPROV-DKI")).first():
        return "demo data already present (instansi PEMPROV-DKI exists); nothing loaded"
    sm = current_app.appbuilder.sm
    taken = [u for u, *_ in USERS if sm.find_user(username=u) is not None]
    if taken:
        raise RuntimeError(f"demo users already exist ({', '.join(taken)}); load the demo into an empty database")

    Faker.seed(SEED)
    random.seed(SEED)
    fake = Faker("id_ID")
    outbox_before = db.session.execute(select(func.coalesce(func.max(EmailOutbox.id), 0))).scalar_one()

    satker = _buat_organisasi()
    penyedia = _buat_penyedia(fake, satker)
    kategori = {k.nama: k for k in db.session.execute(select(Kategori)).scalars()}
    _buat_produk(kategori, penyedia)
    users = _buat_users(fake, satker, penyedia)
    _buat_tte_demo(users, satker)
    alamat = _buat_alamat(users, satker)
    db.session.commit()

    _ulasan_langsung(users, penyedia)
    _buat_pesanan(users, penyedia, alamat)
    _buat_rup(users["pp"])
    _buat_pembayaran_demo(users)  # Pembayaran (SPEC §6 step 9): a BUD and three orders ready to pay
    _pengguna_penyedia(penyedia)  # last, so the demo data above stays as it was

    # The demo's notification history happened in the past: mark it delivered so the relay does
    # not send a burst of old emails when the demo starts.
    db.session.execute(
        update(EmailOutbox)
        .where(EmailOutbox.id > outbox_before, EmailOutbox.status == "queued")
        .values(status="sent", sent_at=EmailOutbox.created_at, next_attempt_at=None)
    )
    db.session.commit()
    return _ringkasan()


def _pengguna_penyedia(penyedia):
    """One login for every other demo Penyedia company (`umkm-<id>`, the demo password): the Katalog shop
    offers only suppliers someone can answer for, and every supplier's emails need somebody to reach."""
    sm = current_app.appbuilder.sm
    role = sm.find_role(ROLE_PENYEDIA)
    punya = set(db.session.execute(select(PortalUser.penyedia_id).where(PortalUser.penyedia_id.isnot(None))).scalars())
    for company in sorted(penyedia.values(), key=lambda x: x.id):
        if company.id in punya:
            continue
        username = f"umkm-{company.id}"
        user = sm.add_user(
            username, "Admin", company.nama[:60], f"{username}@{DEMO_DOMAIN}", role, password=DEMO_PASSWORD
        )
        if not user:
            raise RuntimeError(f"could not create demo user {username}")
        user.penyedia_id, user.telepon = company.id, company.telepon or _telepon()
        user.jabatan = "Pemilik"
        user.syarat_disetujui_at = user.email_terverifikasi_at = user.telepon_terverifikasi_at = clock.now()
        db.session.commit()


def _buat_rup(pp):
    """Budget lines of the demo PP's satker, so the Katalog checkout has something to commit to."""
    year = clock.to_local(clock.now()).year
    for i, (nama, pagu) in enumerate(
        [
            ("Belanja Alat Tulis Kantor", 150_000_000),
            ("Belanja Konsumsi Rapat", 250_000_000),
            ("Belanja Peralatan Kantor", 500_000_000),
        ],
        start=1,
    ):
        db.session.add(Rup(kode=f"RUP-{year}-{pp.satker_id:03d}-{i:03d}", nama=nama, tahun=year,
                           satker_id=pp.satker_id, pagu=pagu, terpakai=0))  # fmt: skip
    db.session.commit()


def _buat_organisasi():
    instansi = {}
    for kode, nama, jenis in INSTANSI:
        instansi[kode] = Instansi(kode=kode, nama=nama, jenis=jenis)
        db.session.add(instansi[kode])
    db.session.flush()
    satker = {}
    for ins, kode, nama, jenis, alamat in SATKER:
        satker[kode] = Satker(instansi_id=instansi[ins].id, kode=kode, nama=nama, jenis=jenis, alamat=alamat)
        db.session.add(satker[kode])
    db.session.flush()
    return satker


def _digits(n, prefix=""):
    return prefix + "".join(str(random.randint(0, 9)) for _ in range(n - len(prefix)))


def _telepon():
    return _digits(random.choice([11, 12]), random.choice(["0812", "0813", "0821", "0852", "0857", "0878", "0896"]))


def _slug(nama):
    return "".join(ch for ch in nama.lower() if ch.isalnum())


def _wilayah_chain(kelurahan_code):
    """(kelurahan, kecamatan, kota, provinsi) Wilayah rows of a kelurahan code."""
    kel = db.session.get(Wilayah, kelurahan_code)
    if kel is None or kel.level != "kelurahan":
        raise RuntimeError(f"kelurahan {kelurahan_code} missing from the region reference")
    kec = kel.parent
    kota = kec.parent
    return kel, kec, kota, kota.parent


def _buat_penyedia(fake, satker):
    kelurahan = (
        db.session.execute(
            select(Wilayah.code)
            .where(Wilayah.level == "kelurahan", Wilayah.code.like("31.7%"))  # the five cities, not the islands
            .order_by(Wilayah.code)
        )
        .scalars()
        .all()
    )
    if not kelurahan:
        raise RuntimeError("no DKI Jakarta kelurahan in the region reference; run load_reference() first")
    seen = set()

    def unique(make):
        while True:
            value = make()
            if value not in seen:
                seen.add(value)
                return value

    out = {}
    for nama, umkm, _pkp, pembina, _spes in PENYEDIA:
        if nama == ANDREW:
            jalan, kel_code = ANDREW_ALAMAT
        else:
            jalan, kel_code = fake.street_address(), random.choice(kelurahan)
        kel, kec, kota, _prov = _wilayah_chain(kel_code)
        badan = nama.split()[0] in ("PT", "CV", "UD", "Koperasi")
        p = Penyedia(
            nama=nama,
            # 15-digit NPWP for companies, the 16-digit (NIK-based) one for sole proprietors
            npwp=unique(lambda b=badan: _digits(15, "0") if b else _digits(16, "317")),
            nib=unique(lambda: _digits(13, "912")),
            is_umkm=umkm,
            telepon=_telepon(),
            email=f"{_slug(nama)}@{DEMO_DOMAIN}",
            alamat=f"{jalan}, Kel. {kel.nama}, Kec. {kec.nama}, {kota.nama}",
            kelurahan_code=kel.code,
            skpd_pembina_id=satker[pembina].id if (umkm and pembina) else None,
        )
        db.session.add(p)
        out[nama] = p
    db.session.flush()
    return out


def _round500(value):
    return max(500, int(round(value / 500.0)) * 500)


def _batas_pesan(harga):
    if harga < 50000:
        return random.choice([10, 10, 15, 20]), random.choice([200, 300, 500])
    if harga < 500000:
        return random.randint(1, 5), random.choice([50, 100, 150, 200])
    return 1, random.choice([50, 60, 80, 100])


def _ketersediaan(jenis, level2):
    if level2 == "Makanan & Minuman":
        return random.choices(["h1", "ready", "po"], weights=[55, 35, 10])[0]
    if jenis == "jasa":
        return random.choices(["po", "h1"], weights=[55, 45])[0]
    if jenis == "digital":
        return random.choices(["ready", "po"], weights=[80, 20])[0]
    return random.choices(["ready", "po", "h1"], weights=[72, 20, 8])[0]


def _deskripsi(nama, penyedia, jenis, level2, ketersediaan):
    asal = "UMKM binaan Pemprov DKI Jakarta" if penyedia.is_umkm else "penyedia nasional"
    kalimat = DESKRIPSI.get(level2) or DESKRIPSI[jenis]
    return f"{nama} dari {penyedia.nama}, {asal}. {random.choice(kalimat)} {KETERSEDIAAN_TEKS[ketersediaan]}"


def _buat_produk(kategori, penyedia):
    now = clock.now()
    spesialis = {}  # level-3 name -> supplier names (in PENYEDIA order)
    for nama, _u, _p, _b, spes in PENYEDIA:
        for s in spes:
            subs = list(KATALOG[s][1]) if s in KATALOG else [s]
            for sub in subs:
                spesialis.setdefault(sub, [])
                if nama not in spesialis[sub]:
                    spesialis[sub].append(nama)
    tugas = {nama: [] for nama, *_ in PENYEDIA}
    pkp = {nama: kena_ppn for nama, _u, kena_ppn, *_ in PENYEDIA}
    for level2, (jenis, subs) in KATALOG.items():
        for sub, templates in subs.items():
            owners = spesialis.get(sub)
            if not owners:
                raise RuntimeError(f"no demo supplier sells {sub}")
            items = list(templates)
            random.shuffle(items)
            for i, t in enumerate(items):
                tugas[owners[i % len(owners)]].append((level2, jenis, sub, t))

    for nama, *_ in PENYEDIA:
        p = penyedia[nama]
        if nama == ANDREW:
            _produk_andrew(kategori, p, now)
            continue
        for level2, jenis, sub, (pnama, lo, hi, satuan) in tugas[nama]:
            harga = _round500(random.randint(lo, hi))
            ket = _ketersediaan(jenis, level2)
            min_pesan, max_pesan = _batas_pesan(harga)
            if ket == "ready" and random.random() < 0.9:
                stok = random.randint(max_pesan, max(max_pesan, 1000))
            else:
                stok = random.randint(0, max_pesan)
            tkdn = None
            if jenis == "barang" and random.random() < 0.35:
                tkdn = (Decimal(random.randint(2500, 8500)) / 100).quantize(Decimal("0.01"))
            elektronik = level2 == "Peralatan Elektronik"
            is_pdn = True if tkdn else not (elektronik and not p.is_umkm and random.random() < 0.5)
            ppnbm = Decimal("10") if elektronik and pnama.startswith(("Televisi", "Speaker")) else Decimal("0")
            status = random.choices(["tayang", "draft", "diajukan", "ditolak"], weights=[86, 5, 6, 3])[0]
            umur = random.randint(150, 540) if status in ("tayang", "ditolak") else random.randint(2, 45)
            created = now - timedelta(days=umur, minutes=random.randint(0, 1440))
            kat = kategori[level2] if random.random() < 0.12 else kategori[sub]
            produk = Produk(
                penyedia_id=p.id,
                kategori_id=kat.id,
                nama=pnama,
                harga=harga,
                ppn_persen=Decimal("11") if pkp[nama] else Decimal("0"),  # non-PKP UMKM charge no PPN
                ppnbm_persen=ppnbm,
                min_pesan=min_pesan,
                max_pesan=max_pesan,
                stok=stok,
                ketersediaan=ket,
                satuan=satuan,
                deskripsi=_deskripsi(pnama, p, jenis, level2, ket),
                tkdn_persen=tkdn,
                is_pdn=is_pdn,
                status=status,
                alasan_tolak=random.choice(ALASAN_TOLAK_PRODUK) if status == "ditolak" else None,
                version=1,
                created_at=created,
                updated_at=created + timedelta(days=random.randint(0, min(umur - 1, 30))),
            )
            produk.gambar = _foto(pnama, level2)
            db.session.add(produk)
            _tambahan(produk, level2, jenis, harga)
    db.session.flush()


def _foto(nama, level2):
    """Every demo product has a photo (drawn for it, app/foto_demo.py), stored like an uploaded one."""
    stored, _digest = documents.store(foto_demo.foto(nama, level2))
    return stored


def _tambahan(produk, level2, jenis, harga):
    """Variants for clothing, additional services for some rentals and events (SPEC §3)."""
    if level2.startswith("Pakaian") and produk.satuan == "pcs" and random.random() < 0.5:
        produk.varian.append(ProdukVarian(nama="Ukuran S-XL", harga=harga))
        produk.varian.append(ProdukVarian(nama="Ukuran XXL-XXXL", harga=_round500(harga * 1.1)))
    elif jenis == "jasa" and random.random() < 0.35:
        pilihan = [
            ("Operator/Kru Tambahan (per hari)", 350000),
            ("Pengantaran dan Pemasangan di Lokasi", 250000),
            ("Tambahan Waktu Layanan (per jam)", 150000),
        ]
        for nama, biaya in random.sample(pilihan, 2):
            produk.layanan_tambahan.append(LayananTambahan(nama=nama, harga=biaya))


# Variants and taxed additional services of one of Andrew's products, so a demo order can carry all of them
ANDREW_VARIAN = {"Nasi Kotak Bakso Urat Komplit": [("Bakso Urat", 35000), ("Bakso Urat + Telur Pindang", 38000)]}
ANDREW_LAYANAN = {
    "Nasi Kotak Bakso Urat Komplit": [("Penataan Meja Prasmanan", 250000), ("Kotak Kertas Ramah Lingkungan", 150000)]
}


def _produk_andrew(kategori, p, now):
    for nama, kat, harga, ket, mn, mx, stok, satuan, status, desk in ANDREW_PRODUK:
        umur = random.randint(200, 400) if status == "tayang" else random.randint(2, 10)
        created = now - timedelta(days=umur, minutes=random.randint(0, 1440))
        produk = Produk(
            penyedia_id=p.id,
            kategori_id=kategori[kat].id,
            nama=nama,
            harga=harga,
            ppn_persen=Decimal("11"),
            ppnbm_persen=Decimal("0"),
            min_pesan=mn,
            max_pesan=mx,
            stok=stok,
            ketersediaan=ket,
            satuan=satuan,
            deskripsi=f"{desk} {KETERSEDIAAN_TEKS[ket]}",
            tkdn_persen=Decimal("85.00") if kat == "Snack Box" else None,
            is_pdn=True,
            status=status,
            version=1,
            created_at=created,
            updated_at=created,
        )
        produk.gambar = _foto(nama, "Makanan & Minuman")
        produk.varian.extend(ProdukVarian(nama=v, harga=h) for v, h in ANDREW_VARIAN.get(nama, []))
        # services are taxed like the product (PPN 11 %, LKPP guide)
        produk.layanan_tambahan.extend(
            LayananTambahan(nama=x, harga=h, ppn_persen=Decimal("11")) for x, h in ANDREW_LAYANAN.get(nama, [])
        )
        db.session.add(produk)


def _buat_users(fake, satker, penyedia):
    sm = current_app.appbuilder.sm
    users = {}
    for username, role_name, org, nrk, gender in USERS:
        if username == "penyedia":
            first, last = "Andrew", fake.last_name_male()
        elif gender == "f":
            first, last = fake.first_name_female(), fake.last_name_female()
        else:
            first, last = fake.first_name_male(), fake.last_name_male()
        role = sm.find_role(role_name)
        if role is None:
            raise RuntimeError(f"role {role_name} missing; run ensure_roles() first")
        user = sm.add_user(username, first, last, f"{username}@{DEMO_DOMAIN}", role, password=DEMO_PASSWORD)
        if not user:
            raise RuntimeError(f"could not create demo user {username}")
        user.nrk = nrk
        user.nip, user.jabatan = JABATAN.get(username, (None, None))
        user.telepon = _telepon()
        # Demo accounts stand for people who finished Identitas Digital already.
        user.syarat_disetujui_at = user.email_terverifikasi_at = user.telepon_terverifikasi_at = clock.now()
        if org in satker:
            user.satker_id = satker[org].id
        else:
            user.penyedia_id = penyedia[org].id
        db.session.commit()
        users[username] = user
    return users


def _buat_alamat(users, satker):
    out = {}
    for username, nama, jenis, jalan, kel_code, kode_pos, lat, lon in ALAMAT:
        kel, kec, kota, prov = _wilayah_chain(kel_code)
        user = users[username]
        a = Alamat(
            user_id=user.id,
            satker_id=user.satker_id,
            nama=nama,
            jenis=jenis,
            jalan=jalan,
            negara="Indonesia",
            provinsi_code=prov.code,
            kota_code=kota.code,
            kecamatan_code=kec.code,
            kelurahan_code=kel.code,
            kode_pos=kode_pos,
            latitude=lat,
            longitude=lon,
        )
        db.session.add(a)
        out.setdefault(username, []).append(a)
        org = db.session.get(Satker, user.satker_id)
        if org.kecamatan_code is None:  # the organisation sits where its first address is
            org.kecamatan_code = kec.code
    db.session.flush()
    return out


def _jenis_ulasan(produk):
    level2 = produk.kategori if produk.kategori.level == 2 else produk.kategori.parent
    if level2.nama == "Makanan & Minuman":
        return "makanan"
    return "jasa" if level2.jenis == "jasa" else "barang"


def _bintang(weights=(5, 12, 38, 45)):
    return random.choices([2, 3, 4, 5], weights=weights)[0]


def _teks_ulasan(jenis, bintang):
    return random.choice(ULASAN[jenis][bintang])


def _ulasan_langsung(users, penyedia):
    """Reviews of suppliers without a demo login (their orders predate the portal's E-Order records)."""
    now = clock.now()
    tanpa_login = [penyedia[n].id for n, *_ in PENYEDIA if n not in (ANDREW, "Konveksi Berkah Jaya")]
    produk = (
        db.session.execute(
            select(Produk).where(Produk.status == "tayang", Produk.penyedia_id.in_(tanpa_login)).order_by(Produk.id)
        )
        .scalars()
        .all()
    )
    dipilih = random.sample(produk, 30)
    dipilih += random.sample(dipilih, 8)  # some products get a second review
    snack = db.session.execute(select(Produk).where(Produk.nama == SNACK_BOX)).scalar_one()
    dipilih += [snack] * 3
    pembeli = [users["pembeli"], users["pembeli2"]]
    for i, pr in enumerate(dipilih):
        bintang = _bintang()
        umur = (now - pr.created_at).days
        created = now - timedelta(days=random.randint(3, max(4, umur - 5)), minutes=random.randint(0, 600))
        db.session.add(
            Ulasan(
                produk_id=pr.id,
                penyedia_id=pr.penyedia_id,
                pesanan_id=None,
                user_id=pembeli[i % 2].id,
                bintang=bintang,
                teks=_teks_ulasan(_jenis_ulasan(pr), bintang),
                created_at=created,
            )
        )
        db.session.execute(
            update(Produk)
            .where(Produk.id == pr.id)
            .values(rating_total=Produk.rating_total + bintang, rating_count=Produk.rating_count + 1)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(Penyedia)
            .where(Penyedia.id == pr.penyedia_id)
            .values(rating_total=Penyedia.rating_total + bintang, rating_count=Penyedia.rating_count + 1)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


# --- E-Order history, through the service layer only ----------------------------------------------------


class _Jam:
    """Moves the service clock back for the demo's order history; never past the real now; restorable."""

    def __init__(self):
        self.geser = timedelta(0)
        self.mulai_terakhir = datetime.min  # orders start in plan order, so their numbers follow time

    def sekarang_nyata(self):
        return clock.now() - self.geser

    def ke(self, target):
        target = min(target, self.sekarang_nyata())
        delta = target - clock.now()
        clock.advance(delta)
        self.geser += delta

    def lanjut(self, target=None, **kwargs):
        """Move forward: to target, or by timedelta(**kwargs); at least one minute after the last step."""
        if target is None:
            target = clock.now() + timedelta(**kwargs)
        self.ke(max(target, clock.now() + timedelta(minutes=1)))

    def pulihkan(self):
        clock.advance(-self.geser)
        self.geser = timedelta(0)


def _utc(tanggal, jam, menit=0):
    """A WIB wall-clock time as the naive UTC the models store."""
    local = datetime.combine(tanggal, time(jam), tzinfo=clock.WIB) + timedelta(minutes=menit)
    return local.astimezone(UTC).replace(tzinfo=None)


def _pdf(judul, pesanan, penyedia):
    """A small real PDF (Invoice / Kwitansi) for the order, made with reportlab."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A5, invariant=1)
    c.setTitle(f"{judul} {pesanan.nomor}")
    y = 560
    c.setFont("Helvetica-Bold", 14)
    c.drawString(40, y, f"{judul.upper()} - {penyedia.nama}")
    c.setFont("Helvetica", 9)
    for line in [
        penyedia.alamat or "",
        f"NPWP {penyedia.npwp}   Telp. {penyedia.telepon}",
        "",
        f"Nomor pesanan: {pesanan.nomor}",
        f"Kepada: {pesanan.satker.nama}",
        "",
        *[f"{i.qty} x {i.nama_produk} @ Rp {i.harga_satuan:,}".replace(",", ".") for i in pesanan.items],
        "",
        f"Subtotal Rp {pesanan.subtotal:,}   PPN Rp {pesanan.ppn:,}".replace(",", "."),
        f"TOTAL Rp {pesanan.total:,}".replace(",", "."),
        "",
        "Dokumen demo - dibuat otomatis oleh data contoh portal.",
    ]:
        y -= 14
        c.drawString(40, y, line[:95])
    c.showPage()
    c.save()
    data = buf.getvalue()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
    return data


# (pembeli, penyedia nama, target state, days ago, lead days, item count, options)
RENCANA_PESANAN = [
    ("pembeli", ANDREW, "selesai", 95, 5, 2, {"bintang": 5}),
    ("pembeli", "Konveksi Berkah Jaya", "selesai", 80, 10, 2, {"bintang": 4}),
    ("pembeli2", ANDREW, "selesai", 66, 4, 2, {"bintang": 5}),
    ("pembeli", ANDREW, "selesai", 52, 6, 3, {"bintang": 4}),
    ("pembeli2", "Konveksi Berkah Jaya", "selesai", 40, 9, 1, {"bintang": 5}),
    ("pembeli", ANDREW, "selesai", 30, 3, 2, {"bintang": 5}),
    ("pembeli2", ANDREW, "selesai", 21, 5, 2, {"bintang": 4}),
    ("pembeli", "Konveksi Berkah Jaya", "selesai", 18, 7, 2, {"bintang": 5}),
    ("pembeli", "Konveksi Berkah Jaya", "dibatalkan", 15, 10, 1, {"batal": "setujui"}),
    ("pembeli", ANDREW, "dibatalkan", 12, 5, 2, {"batal": "tolak"}),
    ("pembeli2", "Percetakan Maju Bersama", "dibatalkan", 9, 7, 2, {"batal": "draft"}),
    ("pembeli", ANDREW, "diterima", 5, 4, 2, {}),
    ("pembeli2", "Konveksi Berkah Jaya", "diterima", 4, 3, 1, {}),
    ("pembeli", "Konveksi Berkah Jaya", "dikirim", 4, 5, 2, {"dokumen": ["invoice"]}),
    ("pembeli2", ANDREW, "dikirim", 3, 4, 1, {}),
    ("pembeli", ANDREW, "dikirim", 2, 3, 2, {"dokumen": []}),
    ("pembeli2", "Konveksi Berkah Jaya", "diproses", 2, 10, 2, {}),
    ("pembeli", ANDREW, "diproses", 1, 8, 1, {}),
    ("pembeli", "Catering Dapur Bu Sri", "dipesan", 1, 9, 2, {}),
    ("pembeli", "Konveksi Berkah Jaya", "dipesan", 0, 7, 1, {"ajukan_batal": True}),
    ("pembeli2", ANDREW, "dipesan", 0, 6, 1, {"snack_box": 50}),
    ("pembeli2", "Sound System Gema Suara", "dipesan", 0, 12, 1, {}),
    ("pembeli2", "Percetakan Maju Bersama", "draft", 1, 0, 2, {"detail": False}),
    ("pembeli", "Roti dan Kue Ibu Lina", "draft", 0, 6, 2, {"detail": True}),
]
PENYEDIA_USER = {ANDREW: "penyedia", "Konveksi Berkah Jaya": "penyedia2"}


def _pilih_baris(penyedia, n):
    """n (product, qty) lines of tayang products the supplier can deliver; never the Snack Box demo product."""
    produk = (
        db.session.execute(
            select(Produk)
            .where(Produk.penyedia_id == penyedia.id, Produk.status == "tayang", Produk.nama != SNACK_BOX)
            .order_by(Produk.id)
        )
        .scalars()
        .all()
    )
    layak = []
    for p in produk:
        atas = min(p.max_pesan, p.stok) if p.ketersediaan == "ready" else p.max_pesan
        if atas >= p.min_pesan:
            layak.append((p, atas))
    if len(layak) < n:
        raise RuntimeError(f"{penyedia.nama} has only {len(layak)} orderable products")
    out = []
    for p, atas in random.sample(layak, n):
        anggaran = random.choice([2_500_000, 5_000_000, 10_000_000, 15_000_000])
        batas = max(p.min_pesan, min(atas, anggaran // p.harga, 150))
        qty = random.randint(p.min_pesan, batas)
        if qty >= 20:
            qty = max(p.min_pesan, qty - qty % 5)
        out.append((p.id, qty))
    return out


def _buat_pesanan(users, penyedia, alamat):
    jam = _Jam()
    try:
        for rencana in sorted(RENCANA_PESANAN, key=lambda r: -r[3]):
            _satu_pesanan(jam, users, penyedia, alamat, *rencana)
    finally:
        jam.pulihkan()


def _satu_pesanan(jam, users, penyedia, alamat, pembeli_name, penyedia_nama, target, days_ago, lead, n, opsi):
    pembeli = users[pembeli_name]
    seller = penyedia[penyedia_nama]
    seller_user = users.get(PENYEDIA_USER.get(penyedia_nama))
    real_today = clock.to_local(jam.sekarang_nyata()).date()
    mulai = _utc(real_today - timedelta(days=days_ago), 8, random.randint(0, 360))
    jam.ke(max(mulai, jam.mulai_terakhir + timedelta(minutes=random.randint(7, 40))))
    jam.mulai_terakhir = clock.now()

    lines = _pilih_baris(seller, n)
    if opsi.get("snack_box"):
        snack = db.session.execute(select(Produk.id).where(Produk.nama == SNACK_BOX)).scalar_one()
        lines = [(snack, opsi["snack_box"])] + lines[1:]
    pesanan = None
    for produk_id, qty in lines:
        pesanan = eorder.tambah_ke_keranjang(pembeli, produk_id, qty)
        jam.lanjut(minutes=random.randint(1, 4))
    pid = pesanan.id
    if target == "draft" and not opsi.get("detail"):
        return

    def act(action, actor, **data):
        return eorder.jalankan(pid, action, actor, **data)

    daftar_alamat = alamat[pembeli_name]
    tanggal = clock.today_local() + timedelta(days=lead)
    waktu = time(random.choice([8, 9, 10, 13]), random.choice([0, 30]))
    act(
        "isi_detail",
        pembeli,
        alamat_id=random.choice(daftar_alamat).id,
        tanggal_kegiatan=tanggal,
        waktu_kegiatan=waktu,
        nama_kegiatan=random.choice(NAMA_KEGIATAN[pembeli.satker.kode]),
        catatan=random.choice(CATATAN_PESANAN),
        metode_bayar="cod",
    )
    if target == "draft":
        return
    jam.lanjut(minutes=random.randint(5, 20))
    if opsi.get("batal") == "draft":
        act("batalkan", pembeli)
        return
    act("konfirmasi_pesanan", pembeli)
    if target == "dipesan":
        if opsi.get("ajukan_batal"):
            jam.lanjut(minutes=random.randint(20, 90))
            act("ajukan_pembatalan", pembeli, alasan="Jadwal kegiatan diundur manajemen; mohon pesanan dibatalkan.")
        return
    jam.lanjut(hours=random.randint(1, 5))
    if opsi.get("batal") == "tolak":
        act("tolak", seller_user, alasan="Mohon maaf, kapasitas produksi pada tanggal tersebut sudah penuh.")
        return
    act("konfirmasi", seller_user)
    if opsi.get("batal") == "setujui":
        jam.lanjut(days=1)
        act("ajukan_pembatalan", pembeli, alasan="Kegiatan dibatalkan karena perubahan anggaran.")
        jam.lanjut(hours=random.randint(2, 6))
        act("setujui_pembatalan", seller_user)
        return
    if target == "diproses":
        return
    jam.lanjut(_utc(tanggal - timedelta(days=1), random.randint(13, 16)))
    act("kirim", seller_user)
    for jenis in opsi.get("dokumen", ["invoice", "kwitansi"]):
        jam.lanjut(minutes=random.randint(15, 90))
        p = db.session.get(Pesanan, pid)
        data = _pdf("Invoice" if jenis == "invoice" else "Kwitansi", p, seller)
        act("upload_dokumen", seller_user, jenis=jenis, data=data, filename=f"{jenis}-{p.nomor.replace('/', '-')}.pdf")
    if target == "dikirim":
        return
    jam.lanjut(_utc(tanggal, waktu.hour + 1, waktu.minute))
    act(
        "konfirmasi_penerimaan",
        pembeli,
        jumlah_sesuai=True,
        kondisi_baik=True,
        waktu_tempat_sesuai=True,
        catatan=random.choice(CATATAN_PENERIMAAN),
    )
    if target == "diterima":
        return
    jam.lanjut(hours=random.randint(3, 30))
    bintang = opsi.get("bintang", 5)
    jenis_ulasan = "makanan" if penyedia_nama == ANDREW else "barang"
    act("beri_penilaian", pembeli, bintang=bintang, ulasan=_teks_ulasan(jenis_ulasan, bintang))


def _ringkasan():
    def count(model, *where):
        return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()

    per_status = dict(db.session.execute(select(Pesanan.status, func.count()).group_by(Pesanan.status)).all())
    urutan = ("draft", "dipesan", "diproses", "dikirim", "diterima", "selesai", "dibatalkan")
    status_txt = ", ".join(f"{s} {per_status.get(s, 0)}" for s in urutan)
    return (
        f"Demo data loaded: {count(Instansi)} instansi, {count(Satker)} satker, "
        f"{count(Penyedia)} penyedia ({count(Penyedia, Penyedia.is_umkm.is_(True))} UMKM), "
        f"{count(Produk)} produk ({count(Produk, Produk.status == 'tayang')} tayang), "
        f"{count(PortalUser)} users (password {DEMO_PASSWORD!r}, demo only), "
        f"{count(Pesanan)} pesanan ({status_txt}), {count(Ulasan)} ulasan."
    )


# --- Pembayaran demo (SPEC §6 step 9), through the service layer only -------------------------------------

# The demo PPK's and Penyedia's TTE passphrase (activated by the seed so the orders below could be signed;
# re-activating under Akun › Tanda Tangan Elektronik sets another). Demo only, like DEMO_PASSWORD.
DEMO_TTE_PASSPHRASE = "Demo-TTE-12345"
# (product, qty, negotiated unit price, Kurir Penyedia shipping, meant for): each total is below Rp 200 juta.
PEMBAYARAN_DEMO = [
    ("Paket Bakso Kuah Prasmanan (50 porsi)", 6, 1_700_000, 150_000, "LS"),
    (SNACK_BOX, 150, 24_000, 50_000, "UP kode bayar"),
    ("Bakso Sapi Beku (isi 50)", 20, 80_000, 25_000, "UP KKP"),
]


# NIK of the demo signers (region 3171 Jakarta Pusat, birth date inside; women: day + 40); ppk.baru is the
# newly appointed PPK of the TTE walk (scripts/walk_tte.py): a verified profile, no TTE yet.
DEMO_NIK = {"ppk": "3171015205830003", "penyedia": "3171011410850004", "ppk.baru": "3171016306910005"}


def _profil_demo(user, nik, tanggal_lahir, satker):
    """A verified Non Penyedia profile (Identitas Digital done), as the demo verifikator approved it."""
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "gray").save(png, "PNG")
    selfie = documents.simpan(png.getvalue(), "selfie", f"selfie-{user.username}.png", user, documents.PNG)
    ktp = documents.simpan(png.getvalue(), "ktp", f"ktp-{user.username}.png", user, documents.PNG)
    db.session.add(
        ProfilPengguna(user_id=user.id, instansi_id=satker.instansi_id, jenis_profil="non_penyedia",
                       status_kepegawaian="ASN", nip=user.nip, nik=nik,
                       nama_ktp=f"{user.first_name} {user.last_name}".strip(), tanggal_lahir=tanggal_lahir,
                       selfie_id=selfie.id, ktp_id=ktp.id, status="terverifikasi", version=1,
                       submitted_at=clock.now(), updated_at=clock.now())
    )  # fmt: skip


def _buat_tte_demo(users, satker):
    """The demo verifikator is also the TTE verifier of PEMPROV-DKI; `ppk.baru`, a PPK of the Dinas
    Pendidikan with a verified profile and no TTE yet, walks the activation (README, scripts/walk_tte.py)."""
    sm = current_app.appbuilder.sm
    verifikator = users["verifikator"]
    verifikator.roles.append(sm.find_role(ROLE_VERIFIKATOR_TTE))
    # named to sort after the demo ppk in the PP's PPK list (walk_katalog picks the first)
    baru = sm.add_user("ppk.baru", "Zulaikha", "Rahmawati", f"ppk.baru@{DEMO_DOMAIN}", sm.find_role(ROLE_PPK),
                       password=DEMO_PASSWORD)  # fmt: skip
    if not baru:
        raise RuntimeError("could not create demo user ppk.baru")
    ppk = users["ppk"]
    baru.nrk, baru.telepon, baru.satker_id = "180015", _telepon(), ppk.satker_id
    baru.nip, baru.jabatan = "199106232015032001", "Kepala Seksi Sarana dan Prasarana"
    baru.syarat_disetujui_at = baru.email_terverifikasi_at = baru.telepon_terverifikasi_at = clock.now()
    db.session.flush()
    _profil_demo(baru, DEMO_NIK["ppk.baru"], datetime(1991, 6, 23).date(), db.session.get(Satker, ppk.satker_id))
    db.session.commit()
    users["ppk.baru"] = baru


def _pdf_sederhana(judul, baris):
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setTitle(judul)
    c.drawString(72, 760, judul)
    for i, teks in enumerate(baris, start=1):
        c.drawString(72, 760 - 20 * i, teks)
    c.save()
    return buf.getvalue()


def _akses_bendahara(user, akses, satker):
    """The active Verifikasi Akses that makes a Bendahara user a BUD or a Bendahara Pengeluaran."""
    surat = _pdf_sederhana("Surat Tugas", [f"{user.first_name} {user.last_name}", f"{akses} — {satker.nama}"])
    doc = documents.simpan(surat, "surat_tugas", f"surat-tugas-{user.username}.pdf", user, documents.PDF)
    db.session.add(
        AksesPengguna(user_id=user.id, instansi_id=satker.instansi_id, akses=akses, satker_id=satker.id,
                      surat_tugas_id=doc.id, status="aktif", version=1, submitted_at=clock.now(),
                      updated_at=clock.now())
    )  # fmt: skip


def _buat_pembayaran_demo(users):
    """The `bud` user; `bendahara` as the Bendahara Pengeluaran and `bud` as the BUD of the demo satker; and
    three Katalog orders of the demo PP from Kedai Bakso Andrew, each walked to Pesanan Tiba with the BAST
    signed by the PPK and the Penyedia, ready to be paid by LS, UP kode bayar and UP KKP."""
    sm = current_app.appbuilder.sm
    pp, ppk, penyedia, bendahara = users["pp"], users["ppk"], users["penyedia"], users["bendahara"]
    satker = db.session.get(Satker, pp.satker_id)
    bud = sm.add_user("bud", "Bambang", "Sutrisno", f"bud@{DEMO_DOMAIN}", sm.find_role(ROLE_BENDAHARA),
                      password=DEMO_PASSWORD)  # fmt: skip
    if not bud:
        raise RuntimeError("could not create demo user bud")
    bud.nrk, bud.telepon, bud.satker_id = "180014", "081298765014", satker.id
    bud.nip, bud.jabatan = JABATAN["bud"]
    bud.syarat_disetujui_at = bud.email_terverifikasi_at = bud.telepon_terverifikasi_at = clock.now()
    db.session.commit()
    _akses_bendahara(bendahara, "bendahara_pengeluaran", satker)
    _akses_bendahara(bud, "bud", satker)
    db.session.commit()

    rup = db.session.execute(select(Rup).where(Rup.satker_id == satker.id, Rup.nama == "Belanja Konsumsi Rapat"))
    rup = rup.scalar_one()
    jam = _Jam()
    try:
        jam.ke(clock.now() - timedelta(days=9))
        for user in (ppk, penyedia):
            # approved by the demo verifikator, the TTE verifier of PEMPROV-DKI (also PENYEDIA_INSTANSI_KODE)
            tte_aktivasi.tercatat_disetujui(user, DEMO_NIK[user.username], actor=users["verifikator"],
                                            note="demo")  # fmt: skip
            tte.aktifkan(user, DEMO_TTE_PASSPHRASE, DEMO_TTE_PASSPHRASE)
        for i, (nama, qty, harga, ongkir, untuk) in enumerate(PEMBAYARAN_DEMO):
            jam.ke(jam.sekarang_nyata() - timedelta(days=8 - 2 * i, hours=-1))
            produk = db.session.execute(select(Produk).where(Produk.nama == nama)).scalar_one()

            def act(pid, action, actor, **data):
                jam.lanjut(hours=3)
                return katalog.jalankan(pid, action, actor, **data)

            p = katalog.checkout.checkout(
                pp,
                lines=[{"produk_id": produk.id, "qty": qty}],
                dokumen_persiapan=("persiapan.pdf", _pdf_sederhana("Dokumen Persiapan E-Purchasing",
                                                                   [f"{nama} x {qty}", f"Untuk pembayaran {untuk}"])),
                rup_id=rup.id,
                ppk_id=ppk.id,
                alamat_kirim="Jl. Jenderal Gatot Subroto Kav. 40-41, Kuningan Timur, Jakarta Selatan 12950",
                jenis_pengiriman="Dikirim ke kantor",
                tanggal_tiba_diminta=clock.today_local() + timedelta(days=3),
                opsi_kirim="kurir_penyedia",
            )  # fmt: skip
            act(p.id, "ajukan_nego", pp, harga={p.items[0].id: harga}, ongkir=ongkir,
                catatan=f"Pengadaan untuk kegiatan dinas; rencana dibayar {untuk}.")  # fmt: skip
            act(p.id, "terima", penyedia)
            act(p.id, "ajukan_ppk", pp)
            act(p.id, "buat_pesanan", ppk, passphrase=DEMO_TTE_PASSPHRASE, klausul="")
            act(p.id, "ttd_sp", penyedia, passphrase=DEMO_TTE_PASSPHRASE)
            act(p.id, "kirim", penyedia, lokasi="Dapur Kedai Bakso Andrew", status="Pesanan dikirim dengan kurir")
            p = db.session.get(PesananKatalog, p.id)
            periksa = {item.id: {"qty_diterima": item.qty, "kondisi": "Baik", "sesuai": True} for item in p.items}
            act(p.id, "terima_barang", ppk, periksa=periksa, passphrase=DEMO_TTE_PASSPHRASE)
            act(p.id, "ttd_bast", penyedia, passphrase=DEMO_TTE_PASSPHRASE)
    finally:
        jam.pulihkan()
