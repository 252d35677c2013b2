"""Product photos of the demo data, drawn with Pillow: a studio-style shot of the kind of thing the product
is (a food box, a shirt, a laptop, a bus, ...) on a soft backdrop with a floor shadow. Deterministic: the
same product name gives the same bytes, so the demo is the same on every machine, and no binary files
live in the repository. About 10-20 KB each (400×300 JPEG)."""

import hashlib
import io
import re

from PIL import Image, ImageDraw, ImageFilter

W, H = 400, 300
S = 2  # drawn at twice the size, then scaled down: smooth edges

# hue families (base, dark) picked per product from its name
PALET = [
    ((214, 69, 65), (150, 40, 38)),
    ((41, 128, 185), (26, 82, 118)),
    ((39, 174, 96), (25, 111, 61)),
    ((243, 156, 18), (175, 96, 26)),
    ((142, 68, 173), (91, 44, 111)),
    ((22, 160, 133), (14, 102, 85)),
    ((52, 73, 94), (33, 47, 61)),
    ((211, 84, 0), (135, 54, 0)),
]
LATAR = [(244, 241, 236), (236, 242, 247), (241, 246, 240), (248, 240, 240), (243, 240, 248)]

# which drawing fits a product: the first keyword found in its name, then its level-2 category
KATA = [
    (("nasi", "snack", "kue", "mie", "bakso", "tumpeng", "prasmanan", "catering", "roti", "kotak"), "makanan"),
    (("teh", "kopi", "air mineral", "jus", "minuman", "susu", "cup"), "gelas"),
    (("kaos", "kemeja", "batik", "seragam", "jaket", "polo", "rompi", "blus", "tunik", "gamis"), "baju"),
    (("hijab", "kerudung", "topi", "tas", "dompet", "syal"), "tas"),
    (("laptop", "komputer", "monitor", "pc ", "proyektor", "televisi", "layar", "tablet"), "laptop"),
    (("printer", "scanner", "mesin", "fotokopi", "penghancur"), "printer"),
    (("lampu", "sorot", "penerangan", "genset", "lighting"), "lampu"),
    (("speaker", "sound", "mikrofon", "audio"), "speaker"),
    (("bus", "mobil", "minibus", "elf", "truk", "motor", "kendaraan", "van"), "bus"),
    (("bola", "raket", "shuttlecock", "kok"), "bola"),
    (("kertas", "buku", "map", "ordner", "agenda", "kwitansi", "sticky", "amplop", "modul"), "buku"),
    (("pulpen", "pensil", "spidol", "stabilo", "penggaris"), "pena"),
    (("sabun", "sampo", "hand sanitizer", "pembersih", "lotion", "deterjen", "cairan", "parfum"), "botol"),
    (("kursi", "meja", "lemari", "rak", "sofa"), "kursi"),
    (("palu", "obeng", "kunci", "tang", "bor", "gergaji", "gerinda", "meteran", "perkakas"), "perkakas"),
    (("plakat", "trofi", "piala", "medali"), "piala"),
    (("tenda", "dekorasi", "ruang", "gedung", "hotel", "event"), "tenda"),
    (("aplikasi", "software", "lisensi", "antivirus", "cloud", "website", "hosting", "domain"), "aplikasi"),
    (("panci", "wajan", "piring", "gelas", "sendok", "wadah", "toples", "termos", "rice cooker"), "panci"),
    (("tenaga", "petugas", "satpam", "cleaning", "operator", "admin", "fotografer", "jasa"), "orang"),
]
KATEGORI = {
    "Makanan & Minuman": "makanan",
    "Pakaian dan Aksesoris Perempuan": "baju",
    "Pakaian dan Aksesoris Laki-Laki": "baju",
    "Peralatan Elektronik": "laptop",
    "Perlengkapan Alat Tulis": "buku",
    "Perawatan Tubuh": "botol",
    "Peralatan Kantor": "kursi",
    "Perkakas": "perkakas",
    "Peralatan Olahraga": "bola",
    "Peralatan Pendidikan": "buku",
    "Peralatan Dapur": "panci",
    "Perangkat Lunak": "aplikasi",
    "Hadiah Souvenir": "piala",
    "Jasa Sewa Peralatan Elektronik": "speaker",
    "Jasa Sewa Alat Transportasi": "bus",
    "Jasa Akomodasi & Kegiatan": "tenda",
    "Jasa Layanan": "orang",
    "Jasa Tenaga Kerja": "orang",
}


def jenis_gambar(nama, kategori=None):
    low = nama.lower()
    for words, kind in KATA:
        if any(re.search(r"\b" + re.escape(w.strip()), low) for w in words):  # "kertas" is no "tas"
            return kind
    return KATEGORI.get(kategori or "", "kotak")


def _mix(a, b, t):
    return tuple(int(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _terang(c, t=0.35):
    return _mix(c, (255, 255, 255), t)


def _latar(bg):
    """A studio backdrop: lighter at the top, a floor line, a soft shadow under the object."""
    img = Image.new("RGB", (W * S, H * S), bg)
    d = ImageDraw.Draw(img)
    top, floor = _terang(bg, 0.6), _mix(bg, (0, 0, 0), 0.08)
    for y in range(H * S):
        t = y / (H * S)
        d.line(
            [(0, y), (W * S, y)], fill=_mix(top, bg, min(1, t * 1.4)) if t < 0.72 else _mix(bg, floor, (t - 0.72) * 3)
        )
    shadow = Image.new("L", (W * S, H * S), 0)
    ImageDraw.Draw(shadow).ellipse([W * S * 0.22, H * S * 0.78, W * S * 0.78, H * S * 0.9], fill=90)
    shadow = shadow.filter(ImageFilter.GaussianBlur(14 * S))
    img.paste((60, 50, 40), (0, 0), shadow)
    return img, ImageDraw.Draw(img)


def _kotak(d, c, dk, x0, y0, x1, y1, lid=True):
    """A box in three-quarter view: front, side and top faces."""
    dx, dy = (x1 - x0) * 0.18, (y1 - y0) * 0.22
    d.polygon([(x1, y0), (x1 + dx, y0 - dy), (x1 + dx, y1 - dy), (x1, y1)], fill=dk)
    d.polygon([(x0, y0), (x0 + dx, y0 - dy), (x1 + dx, y0 - dy), (x1, y0)], fill=_terang(c, 0.3) if lid else dk)
    d.rectangle([x0, y0, x1, y1], fill=c)


def _gambar(kind, d, c, dk, rnd):
    u = S
    cx = W * S // 2
    if kind == "makanan":  # an open rice box: white rice, a brown side dish, greens, a sauce cup
        _kotak(d, (250, 250, 247), (214, 208, 196), 110 * u, 130 * u, 290 * u, 225 * u, lid=False)
        d.rectangle([118 * u, 122 * u, 282 * u, 138 * u], fill=(236, 232, 222))
        d.ellipse([122 * u, 108 * u, 200 * u, 150 * u], fill=(255, 255, 255), outline=(225, 225, 220), width=2 * u)
        d.ellipse([196 * u, 106 * u, 250 * u, 146 * u], fill=(140, 80, 40))
        for i in range(3):
            d.ellipse([(205 + i * 12) * u, 110 * u, (222 + i * 12) * u, 126 * u], fill=(176, 112, 62))
        d.ellipse([244 * u, 112 * u, 282 * u, 144 * u], fill=(72, 160, 72))
        d.ellipse([150 * u, 96 * u, 176 * u, 116 * u], fill=c)
        d.rectangle([110 * u, 170 * u, 290 * u, 186 * u], fill=c)
    elif kind == "gelas":  # a sealed cup with a straw
        d.polygon([(160 * u, 90 * u), (240 * u, 90 * u), (228 * u, 228 * u), (172 * u, 228 * u)], fill=(235, 240, 245))
        d.polygon([(165 * u, 130 * u), (235 * u, 130 * u), (228 * u, 225 * u), (172 * u, 225 * u)], fill=c)
        d.rectangle([154 * u, 82 * u, 246 * u, 94 * u], fill=(250, 250, 250), outline=(210, 210, 210))
        d.line([(215 * u, 40 * u), (205 * u, 88 * u)], fill=dk, width=7 * u)
        d.ellipse([178 * u, 150 * u, 222 * u, 194 * u], fill=_terang(c, 0.6))
    elif kind == "baju":  # a shirt with a collar and a placket
        body = [
            (140, 90),
            (175, 78),
            (225, 78),
            (260, 90),
            (300, 130),
            (272, 152),
            (255, 140),
            (255, 232),
            (145, 232),
            (145, 140),
            (128, 152),
            (100, 130),
        ]
        d.polygon([(x * u, y * u) for x, y in body], fill=c)
        d.polygon(
            [
                (175 * u, 78 * u),
                (200 * u, 108 * u),
                (225 * u, 78 * u),
                (212 * u, 74 * u),
                (200 * u, 90 * u),
                (188 * u, 74 * u),
            ],
            fill=dk,
        )
        d.line([(200 * u, 108 * u), (200 * u, 232 * u)], fill=dk, width=2 * u)
        for y in range(122, 225, 24):
            d.ellipse([196 * u, y * u, 204 * u, (y + 8) * u], fill=_terang(c, 0.7))
        if rnd % 2:  # a batik-like pattern
            for x in range(152, 250, 22):
                for y in range(150, 225, 22):
                    d.ellipse([x * u, y * u, (x + 10) * u, (y + 10) * u], outline=_terang(c, 0.5), width=2 * u)
    elif kind == "tas":
        d.arc([160 * u, 60 * u, 240 * u, 150 * u], 180, 360, fill=dk, width=9 * u)
        d.rounded_rectangle([125 * u, 105 * u, 275 * u, 228 * u], radius=18 * u, fill=c)
        d.rectangle([125 * u, 140 * u, 275 * u, 150 * u], fill=dk)
        d.rounded_rectangle([188 * u, 135 * u, 212 * u, 158 * u], radius=4 * u, fill=(230, 200, 90))
    elif kind == "laptop":
        d.rounded_rectangle([125 * u, 70 * u, 275 * u, 180 * u], radius=8 * u, fill=(45, 48, 55))
        d.rectangle([133 * u, 78 * u, 267 * u, 170 * u], fill=c)
        d.polygon([(133 * u, 170 * u), (267 * u, 78 * u), (267 * u, 170 * u)], fill=_terang(c, 0.15))
        d.polygon([(110 * u, 182 * u), (290 * u, 182 * u), (305 * u, 205 * u), (95 * u, 205 * u)], fill=(190, 194, 200))
        d.rectangle([175 * u, 186 * u, 225 * u, 192 * u], fill=(160, 164, 170))
    elif kind == "printer":
        _kotak(d, (225, 228, 232), (170, 174, 180), 115 * u, 120 * u, 285 * u, 210 * u)
        d.rectangle([150 * u, 78 * u, 250 * u, 122 * u], fill=(255, 255, 255), outline=(200, 200, 200))
        d.rectangle([140 * u, 170 * u, 260 * u, 180 * u], fill=(60, 60, 65))
        d.ellipse([255 * u, 135 * u, 268 * u, 148 * u], fill=c)
    elif kind == "speaker":
        d.rounded_rectangle([145 * u, 55 * u, 255 * u, 232 * u], radius=10 * u, fill=(40, 42, 48))
        d.ellipse([165 * u, 70 * u, 235 * u, 140 * u], fill=(70, 72, 80))
        d.ellipse([182 * u, 87 * u, 218 * u, 123 * u], fill=c)
        d.ellipse([158 * u, 148 * u, 242 * u, 226 * u], fill=(70, 72, 80))
        d.ellipse([180 * u, 170 * u, 220 * u, 206 * u], fill=dk)
    elif kind == "lampu":  # a floodlight on a tripod
        d.line([(200 * u, 150 * u), (200 * u, 200 * u)], fill=(70, 72, 80), width=8 * u)
        for x in (150, 250):
            d.line([(200 * u, 195 * u), (x * u, 232 * u)], fill=(70, 72, 80), width=6 * u)
        d.rounded_rectangle([140 * u, 70 * u, 260 * u, 150 * u], radius=10 * u, fill=(45, 48, 55))
        d.rounded_rectangle([150 * u, 80 * u, 250 * u, 140 * u], radius=6 * u, fill=(255, 244, 200))
        for x in range(160, 245, 17):
            d.ellipse([x * u, 92 * u, (x + 12) * u, 104 * u], fill=(255, 255, 255))
            d.ellipse([x * u, 116 * u, (x + 12) * u, 128 * u], fill=(255, 255, 255))
        d.rectangle([140 * u, 150 * u, 260 * u, 156 * u], fill=c)
    elif kind == "bus":
        d.rounded_rectangle([70 * u, 95 * u, 330 * u, 205 * u], radius=16 * u, fill=c)
        for x in range(85, 300, 42):
            d.rounded_rectangle([x * u, 108 * u, (x + 34) * u, 145 * u], radius=4 * u, fill=(200, 225, 240))
        d.rectangle([70 * u, 160 * u, 330 * u, 168 * u], fill=_terang(c, 0.6))
        for x in (115, 285):
            d.ellipse([(x - 22) * u, 185 * u, (x + 22) * u, 229 * u], fill=(35, 35, 38))
            d.ellipse([(x - 9) * u, 198 * u, (x + 9) * u, 216 * u], fill=(170, 170, 175))
    elif kind == "bola":
        d.ellipse([135 * u, 80 * u, 265 * u, 210 * u], fill=c)
        d.arc([95 * u, 60 * u, 235 * u, 230 * u], 300, 60, fill=(255, 255, 255), width=5 * u)
        d.arc([165 * u, 60 * u, 305 * u, 230 * u], 120, 240, fill=(255, 255, 255), width=5 * u)
        d.ellipse([160 * u, 95 * u, 195 * u, 125 * u], fill=_terang(c, 0.45))
    elif kind == "buku":  # a stack of books or reams
        for i, y in enumerate((190, 160, 130)):
            col = c if i != 1 else _terang(dk, 0.2)
            _kotak(d, col, dk, (120 + i * 6) * u, y * u, (270 - i * 4) * u, (y + 28) * u)
            d.rectangle([(124 + i * 6) * u, (y + 6) * u, (266 - i * 4) * u, (y + 9) * u], fill=(250, 250, 245))
    elif kind == "pena":
        for i in range(5):
            x = 130 + i * 32
            col = c if i % 2 == 0 else dk
            d.polygon(
                [
                    (x * u, 80 * u),
                    ((x + 16) * u, 80 * u),
                    ((x + 16) * u, 200 * u),
                    ((x + 8) * u, 222 * u),
                    (x * u, 200 * u),
                ],
                fill=col,
            )
            d.rectangle([x * u, 80 * u, (x + 16) * u, 94 * u], fill=(60, 60, 60))
    elif kind == "botol":
        d.rounded_rectangle([160 * u, 100 * u, 240 * u, 230 * u], radius=18 * u, fill=c)
        d.rectangle([185 * u, 70 * u, 215 * u, 102 * u], fill=dk)
        d.rectangle([178 * u, 55 * u, 222 * u, 74 * u], fill=(245, 245, 245))
        d.rounded_rectangle([168 * u, 140 * u, 232 * u, 196 * u], radius=6 * u, fill=(250, 250, 248))
        d.rectangle([168 * u, 160 * u, 232 * u, 168 * u], fill=_terang(c, 0.3))
        d.rectangle([170 * u, 108 * u, 178 * u, 220 * u], fill=_terang(c, 0.45))
    elif kind == "kursi":
        d.rounded_rectangle([150 * u, 60 * u, 250 * u, 140 * u], radius=14 * u, fill=c)
        d.rounded_rectangle([140 * u, 140 * u, 260 * u, 165 * u], radius=10 * u, fill=dk)
        d.rectangle([195 * u, 165 * u, 205 * u, 205 * u], fill=(70, 70, 75))
        d.line([(150 * u, 225 * u), (250 * u, 205 * u)], fill=(70, 70, 75), width=7 * u)
        d.line([(150 * u, 205 * u), (250 * u, 225 * u)], fill=(70, 70, 75), width=7 * u)
    elif kind == "perkakas":  # a hammer beside a wrench
        d.rounded_rectangle([120 * u, 80 * u, 210 * u, 115 * u], radius=6 * u, fill=(120, 125, 135))
        d.rounded_rectangle([157 * u, 112 * u, 175 * u, 230 * u], radius=6 * u, fill=c)
        d.line([(235 * u, 90 * u), (285 * u, 222 * u)], fill=(150, 155, 165), width=18 * u)
        d.ellipse([218 * u, 66 * u, 258 * u, 106 * u], fill=(150, 155, 165))
        d.ellipse([230 * u, 74 * u, 246 * u, 90 * u], fill=_latar_warna(rnd))
    elif kind == "piala":
        gold, dgold = (232, 184, 60), (176, 128, 28)
        d.pieslice([140 * u, 40 * u, 260 * u, 160 * u], 0, 180, fill=gold)
        d.rectangle([140 * u, 96 * u, 260 * u, 102 * u], fill=gold)
        d.arc([118 * u, 90 * u, 160 * u, 140 * u], 90, 270, fill=dgold, width=6 * u)
        d.arc([240 * u, 90 * u, 282 * u, 140 * u], 270, 90, fill=dgold, width=6 * u)
        d.rectangle([192 * u, 158 * u, 208 * u, 190 * u], fill=dgold)
        d.rectangle([160 * u, 190 * u, 240 * u, 225 * u], fill=c)
        d.rectangle([175 * u, 200 * u, 225 * u, 214 * u], fill=(235, 225, 190))
    elif kind == "tenda":
        d.polygon([(80 * u, 130 * u), (200 * u, 60 * u), (320 * u, 130 * u)], fill=c)
        for i, x in enumerate(range(80, 320, 30)):
            if i % 2:
                d.polygon([(x * u, 130 * u), (200 * u, 60 * u), ((x + 30) * u, 130 * u)], fill=(250, 250, 250))
        d.rectangle([80 * u, 130 * u, 320 * u, 142 * u], fill=dk)
        for x in (88, 312):
            d.rectangle([(x - 4) * u, 142 * u, (x + 4) * u, 228 * u], fill=(150, 150, 150))
        d.rectangle([140 * u, 190 * u, 260 * u, 200 * u], fill=(160, 110, 60))
    elif kind == "aplikasi":  # a monitor showing an app window
        d.rounded_rectangle([105 * u, 60 * u, 295 * u, 190 * u], radius=8 * u, fill=(40, 42, 48))
        d.rectangle([113 * u, 68 * u, 287 * u, 182 * u], fill=(248, 249, 251))
        d.rectangle([113 * u, 68 * u, 287 * u, 84 * u], fill=c)
        d.rectangle([121 * u, 92 * u, 165 * u, 174 * u], fill=_terang(c, 0.75))
        for i, y in enumerate(range(94, 170, 16)):
            d.rectangle([175 * u, y * u, (275 - i * 12) * u, (y + 7) * u], fill=(205, 210, 218))
        d.rectangle([190 * u, 190 * u, 210 * u, 215 * u], fill=(90, 92, 98))
        d.rounded_rectangle([160 * u, 212 * u, 240 * u, 224 * u], radius=4 * u, fill=(90, 92, 98))
    elif kind == "panci":
        d.rounded_rectangle([125 * u, 110 * u, 275 * u, 215 * u], radius=14 * u, fill=(190, 196, 204))
        d.rectangle([125 * u, 110 * u, 275 * u, 126 * u], fill=(160, 166, 174))
        d.ellipse([118 * u, 96 * u, 282 * u, 124 * u], fill=(205, 210, 216))
        d.rounded_rectangle([185 * u, 82 * u, 215 * u, 100 * u], radius=6 * u, fill=c)
        for x in (100, 275):
            d.rounded_rectangle([x * u, 130 * u, (x + 25) * u, 142 * u], radius=5 * u, fill=dk)
        d.rectangle([140 * u, 135 * u, 150 * u, 200 * u], fill=(225, 229, 234))
    elif kind == "orang":  # a person in a uniform with an ID card
        d.ellipse([168 * u, 58 * u, 232 * u, 122 * u], fill=(205, 160, 120))
        d.pieslice([164 * u, 52 * u, 236 * u, 108 * u], 180, 360, fill=(50, 40, 35))
        d.rounded_rectangle([130 * u, 128 * u, 270 * u, 240 * u], radius=30 * u, fill=c)
        d.polygon([(185 * u, 128 * u), (200 * u, 150 * u), (215 * u, 128 * u)], fill=(245, 245, 245))
        d.rounded_rectangle([215 * u, 160 * u, 248 * u, 198 * u], radius=4 * u, fill=(250, 250, 250))
        d.rectangle([220 * u, 166 * u, 243 * u, 176 * u], fill=dk)
    else:  # a packaged product: a box with a label
        _kotak(d, c, dk, 130 * u, 100 * u, 260 * u, 225 * u)
        d.rounded_rectangle([148 * u, 135 * u, 242 * u, 190 * u], radius=6 * u, fill=(250, 250, 246))
        d.rectangle([160 * u, 150 * u, 230 * u, 156 * u], fill=dk)
        d.rectangle([160 * u, 164 * u, 214 * u, 170 * u], fill=_terang(dk, 0.4))
    return cx


def _latar_warna(rnd):
    return LATAR[rnd % len(LATAR)]


def foto(nama, kategori=None):
    """JPEG bytes of a demo photo for a product (same name, same bytes)."""
    rnd = int.from_bytes(hashlib.sha256(nama.encode()).digest()[:4], "big")
    c, dk = PALET[rnd % len(PALET)]
    img, d = _latar(_latar_warna(rnd // 7))
    _gambar(jenis_gambar(nama, kategori), d, c, dk, rnd)
    img = img.resize((W, H), Image.LANCZOS)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80, optimize=True, progressive=True)
    return out.getvalue()
