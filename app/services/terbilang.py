"""Terbilang: whole Rupiah amounts in Indonesian words, as written on Surat Pesanan, BAST and Adendum.

Rules: "se-" stands for one before belas, puluh, ratus and ribu (sebelas, sepuluh, seratus, seribu), but a
thousands group of exactly one is "seribu" only on its own: 1_000 "seribu", 101_000 "seratus satu ribu".
Higher scales always take "satu" (satu juta, satu miliar, satu triliun). Zero is "nol".
"""

SATUAN = ("", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
# Scale words for each group of three digits, lowest first; "ribu" is special-cased for "seribu".
SKALA = ("", "ribu", "juta", "miliar", "triliun")
BATAS = 10 ** (3 * len(SKALA))  # 10^15: the first amount without a scale word


def _ratusan(n):
    """Words for 1 <= n <= 999 (a list, so callers can join without stray spaces)."""
    words = []
    ratus, sisa = divmod(n, 100)
    if ratus == 1:
        words.append("seratus")
    elif ratus > 1:
        words += [SATUAN[ratus], "ratus"]
    puluh, satu = divmod(sisa, 10)
    if puluh == 1:
        if satu == 0:
            words.append("sepuluh")
        elif satu == 1:
            words.append("sebelas")
        else:
            words += [SATUAN[satu], "belas"]
        return words
    if puluh > 1:
        words += [SATUAN[puluh], "puluh"]
    if satu:
        words.append(SATUAN[satu])
    return words


def _check(n):
    # bool is an int subclass, but True is no amount of money; floats and Decimals would hide fractions.
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"terbilang needs a whole number of Rupiah (int), not {type(n).__name__}")
    if n < 0:
        raise ValueError("terbilang needs a non-negative amount")
    if n >= BATAS:
        raise ValueError("terbilang supports amounts below 10^15 (seribu triliun)")


def terbilang(n: int) -> str:
    """Indonesian words for 0 <= n < 10^15, lower case: 1_250_000 -> "satu juta dua ratus lima puluh ribu"."""
    _check(n)
    if n == 0:
        return "nol"
    groups = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    words = []
    for scale in range(len(groups) - 1, -1, -1):
        group = groups[scale]
        if not group:
            continue
        if scale == 1 and group == 1:
            words.append("seribu")
            continue
        words += _ratusan(group)
        if SKALA[scale]:
            words.append(SKALA[scale])
    return " ".join(words)


def terbilang_rupiah(n: int) -> str:
    """Sentence case with the currency, as on official letters: "Satu juta dua ratus lima puluh ribu rupiah"."""
    words = f"{terbilang(n)} rupiah"
    return words[0].upper() + words[1:]
