"""Madurese and East-Javanese personal names: Zipf-weighted token tables and the ways operators misspell them."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Sequence
from functools import cache

# Token lists are ordered from most to least common; weights follow a Zipf law over the rank.
MALE_PREFIXES = (
    "MOH.",
    "MUHAMMAD",
    "MOHAMMAD",
    "ABDUL",
    "ACH.",
    "ABD.",
    "AHMAD",
    "MOCH.",
    "MUH.",
    "M.",
    "MOHAMAD",
    "ACHMAD",
    "MOCHAMMAD",
    "SYAIFUL",
    "NUR",
)
# Names of God that follow ABD./ABDUL (ABD. RAHMAN = Abdurrahman).
ASMA = (
    "RAHMAN",
    "RAHIM",
    "HAMID",
    "AZIZ",
    "MAJID",
    "GHONI",
    "KADIR",
    "LATIF",
    "WAHAB",
    "MALIK",
    "HALIM",
    "MANAF",
    "ROZAK",
    "SALAM",
    "JALIL",
    "KARIM",
    "HADI",
    "MUJIB",
    "BASIT",
    "GAFUR",
    "WAHID",
    "HAKIM",
    "MUHITH",
    "SAMAD",
    "ROUF",
)
MALE_CORE = (
    "HOSNAN",
    "SALEH",
    "HASAN",
    "FAUZI",
    "SUPARDI",
    "HOLIL",
    "JUHRI",
    "MISNADI",
    "SAMSUL",
    "HUSEN",
    "ROFIQ",
    "SUKARDI",
    "MAHFUD",
    "ZAINAL",
    "ARIFIN",
    "MUNIR",
    "SUHRI",
    "MARSUKI",
    "SYAFI'I",
    "MA'RUF",
    "MATRAWI",
    "SAHRAWI",
    "BUSAHRI",
    "MATTALI",
    "SUHAR",
    "HAMDAN",
    "HAFID",
    "NAWAWI",
    "BAIDAWI",
    "TAUFIK",
    "HIDAYAT",
    "RIDWAN",
    "IMRON",
    "IRSYAD",
    "ALWI",
    "BAHRI",
    "KHOIRUL",
    "ANWAR",
    "ANSORI",
    "MUSTOFA",
    "MUSA",
    "YUSUF",
    "IDRIS",
    "ISMAIL",
    "ILYAS",
    "SULAIMAN",
    "ZAINUDDIN",
    "FATHOR",
    "FATHORRAHMAN",
    "MARZUKI",
    "SUDARSO",
    "SUNARTO",
    "SLAMET",
    "JUMA'IN",
    "SAMA'ON",
    "MISRAN",
    "SAMHARI",
    "SUHDI",
    "ROSYIDI",
    "BAHRUDIN",
    "SUJAK",
    "RAMLI",
    "RUSDI",
    "HARIYANTO",
    "AGUS",
    "BAMBANG",
    "SUNAR",
    "KHOLIL",
    "JAMALUDDIN",
    "SAMSUDIN",
    "MUHLIS",
    "MUSLIM",
    "FADIL",
    "RASYID",
    "SUKRI",
    "MOHTAR",
    "MATSARI",
    "SAHID",
    "SUHAIMI",
    "HOIRI",
    "JA'FAR",
    "MUDHAR",
    "BUKHORI",
    "SAIFULLAH",
    "SURYADI",
    "MISBAHUL",
    "MUNAWI",
    "HOLIK",
    "SUKIMAN",
    "SUWARNO",
    "ATMARI",
    "SATTAR",
    "SUHRAWI",
    "MARHABAN",
    "SUPRIADI",
    "HABIBULLAH",
    "LUTFI",
    "ROSULI",
    "SYAMSI",
    "MAHRUS",
    "JAZULI",
    "TOHIR",
    "AMIN",
    "FAQIH",
    "UMAR",
    "USMAN",
    "ALI",
    "SOLEHODDIN",
    "KUSAIRI",
    "MUZAKKI",
    "SUPANDI",
    "MURSIDI",
    "SAHLAN",
    "HOLILURRAHMAN",
    "SUBAIRI",
    "DARUS",
    "KAMARUDDIN",
    "BUSIRI",
    "ASMUNI",
    "ABU",
    "SYAHRONI",
    "JUNAIDI",
    "WAHYUDI",
)
MALE_YOUNG = (
    "RIZKY",
    "FAHRI",
    "ALIF",
    "ZAKI",
    "ILHAM",
    "FIRMAN",
    "REHAN",
    "ALFIN",
    "FAJAR",
    "DIMAS",
    "RAFI",
    "ARYA",
    "FAREL",
    "HAIKAL",
    "NAUFAL",
    "AZKA",
    "FAHMI",
    "SYAHRUL",
    "ANDIKA",
    "RISKI",
    "BAGUS",
    "ADITYA",
    "ZIDAN",
    "AFIF",
    "FAIZ",
    "RAIHAN",
    "HABIB",
    "ZAINUL",
)
FEMALE_PREFIXES = ("SITI", "NUR", "ST.", "SITTI", "NURUL", "UMMI", "SRI", "SITI NUR")
FEMALE_CORE = (
    "AMINAH",
    "FATIMAH",
    "HOLIFAH",
    "MASTURAH",
    "SA'DIYAH",
    "ZAINAB",
    "HALIMAH",
    "ROHIMAH",
    "MUNAWAROH",
    "MAIMUNAH",
    "HOSNIYAH",
    "JUMA'IYAH",
    "SUNIYAH",
    "MISATUN",
    "SAHRIYAH",
    "MUNIRAH",
    "HAFSAH",
    "KHOTIJAH",
    "AISYAH",
    "MARYAM",
    "ROFIQOH",
    "SUMIATI",
    "NURHAYATI",
    "HOLISAH",
    "MUTMAINNAH",
    "ROMLAH",
    "SUWARNI",
    "SUPIYAH",
    "SAMSIYAH",
    "MARFU'AH",
    "SULASTRI",
    "JAMILAH",
    "KHODIJAH",
    "SALAMAH",
    "ASMA",
    "SAFIYAH",
    "MUSLIHAH",
    "BAHRIYAH",
    "HASANAH",
    "MARYATUN",
    "SUTIMAH",
    "RUKAYAH",
    "NAFISAH",
    "MUSYAROFAH",
    "QOMARIYAH",
    "HOTIMAH",
    "SUNARTI",
    "MISNA",
    "SAUDAH",
    "RUKMINI",
    "SATUMI",
    "MARSIYAH",
    "SAMAWIYAH",
    "HAMIDAH",
    "LATIFAH",
    "WASILAH",
    "ASIYAH",
    "MUSLIMAH",
    "HABIBAH",
    "JUWAIRIYAH",
    "SUHARTINI",
    "SUMIYATI",
    "MAHMUDAH",
    "ATIKAH",
    "RUSMIYATI",
    "NURJANNAH",
    "SULIHAH",
    "MAISAROH",
    "KUSNIYAH",
    "SITTIYAH",
    "MARHAMAH",
    "SURAIYA",
    "ROHANI",
    "MUKARROMAH",
    "MARATUS",
    "SHOLEHAH",
    "HUSNUL",
    "HOMSIYAH",
    "BADRIYAH",
    "FAIZAH",
    "ULFA",
    "MU'ARIFAH",
)
FEMALE_YOUNG = (
    "NABILA",
    "ZAHRA",
    "AULIA",
    "DEWI",
    "AYU",
    "PUTRI",
    "RISKA",
    "SALSABILA",
    "NAFISA",
    "FITRIA",
    "LAILATUL",
    "AINUN",
    "INDAH",
    "NOVITA",
    "KHOIRUN NISA",
    "SYIFA",
    "DINDA",
    "ANISA",
    "WULANDARI",
    "HIKMAH",
    "AMELIA",
    "NUR AINI",
    "FARIDA",
    "QURROTUL",
    "NADIA",
)

TITLES_MALE = ("H.", "K.H.", "UST.", "KH.", "USTADZ")
TITLES_FEMALE = ("HJ.", "HJ.", "NY.", "USTADZAH")

# Written forms that stand for the same name token; any member may be written for another.
ABBREVIATION_GROUPS: tuple[tuple[str, ...], ...] = (
    ("MOH.", "MOCH.", "MUH.", "M.", "MOHAMMAD", "MUHAMMAD", "MOHAMAD", "MOCHAMMAD", "MOHAMMED"),
    ("ABD.", "ABDUL", "ABDUL."),
    ("ACH.", "ACHMAD", "AHMAD", "AHMAD.", "ACHMAT"),
    ("ST.", "SITI", "SITTI", "SIT."),
    ("NUR", "NOER", "NUUR"),
)
_ABBREVIATION_OF: dict[str, tuple[str, ...]] = {
    token: group for group in ABBREVIATION_GROUPS for token in group
}

# Madurese / old-spelling variation, applied to one token: (pattern, replacement).
_SPELLING_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"'", ""),  # MA'RUF -> MARUF
        (r"'", "\u2019"),  # MA'RUF -> MA’RUF (curly apostrophe from a word processor)
        (r"([AEIOU])'([AEIOU])", r"\1\2"),  # JUMA'IN -> JUMAIN
        (r"(?<=[AEIOU])([LMNRST])(?=[AEIOU])", r"\1\1"),  # HOLIFAH -> HOLLIFAH
        (r"([LMNRST])\1", r"\1"),  # MATTALI -> MATALI
        (r"E", "I"),  # SALEH -> SALIH
        (r"O", "U"),  # HOSNAN -> HUSNAN
        (r"U", "OE"),  # SUPARDI -> SOEPARDI (old spelling)
        (r"^J", "DJ"),  # JUHRI -> DJUHRI (old spelling)
        (r"^KH", "H"),  # KHOLIL -> HOLIL
        (r"^H(?=O)", "KH"),  # HOLIL -> KHOLIL
        (r"IYAH$", "IAH"),  # HOSNIYAH -> HOSNIAH
        (r"SY", "S"),  # SYAFI'I -> SAFI'I
        (r"C(?=[AEIOU])", "TJ"),  # old spelling of C
        (r"F", "P"),  # Madurese F/P: HOLIFAH -> HOLIPAH
    )
)


def zipf_cum_weights(count: int, exponent: float = 1.0) -> list[float]:
    """Cumulative Zipf weights for `count` ranked items (rank 1 weighs most)."""
    return list(itertools.accumulate(1.0 / (rank**exponent) for rank in range(1, count + 1)))


class ZipfTokens:
    """A ranked token list to draw from with Zipf weights."""

    def __init__(self, tokens: Sequence[str], exponent: float = 1.0) -> None:
        self.tokens = list(dict.fromkeys(tokens))
        self._cum = zipf_cum_weights(len(self.tokens), exponent)

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.tokens, cum_weights=self._cum)[0]


_MALE_PREFIX = ZipfTokens(MALE_PREFIXES, 1.1)
_MALE_CORE = ZipfTokens(MALE_CORE, 0.9)
_MALE_YOUNG = ZipfTokens(MALE_YOUNG + MALE_CORE[:30], 0.8)
_ASMA = ZipfTokens(ASMA, 1.0)
_FEMALE_PREFIX = ZipfTokens(FEMALE_PREFIXES, 1.3)
_FEMALE_CORE = ZipfTokens(FEMALE_CORE, 0.9)
_FEMALE_YOUNG = ZipfTokens(FEMALE_YOUNG + FEMALE_CORE[:25], 0.8)


def _word_count(rng: random.Random, birth_year: int) -> int:
    """Names of older people are more often one word, younger people's longer."""
    if birth_year < 1960:
        weights = (55, 42, 3)
    elif birth_year < 1990:
        weights = (28, 60, 12)
    else:
        weights = (10, 60, 30)
    return rng.choices((1, 2, 3), weights=weights)[0]


def person_name(rng: random.Random, sex: str, birth_year: int) -> str:
    """A registered (KTP) name for a person of `sex` ("L"/"P") born in `birth_year`."""
    young = birth_year >= 1995
    words = _word_count(rng, birth_year)
    if sex == "L":
        core = _MALE_YOUNG if young else _MALE_CORE
        prefix, prefix_share = _MALE_PREFIX, 0.45
    else:
        core = _FEMALE_YOUNG if young else _FEMALE_CORE
        prefix, prefix_share = _FEMALE_PREFIX, (0.45 if young else 0.8)
    tokens: list[str] = []
    if words >= 2 and rng.random() < prefix_share:
        first = prefix.draw(rng)
        tokens.append(first)
        if first in ("ABD.", "ABDUL"):
            tokens.append(_ASMA.draw(rng))
    while len(tokens) < words:
        token = core.draw(rng)
        if token not in tokens:
            tokens.append(token)
    return " ".join(tokens)


def hajj_name(rng: random.Random, sex: str, birth_year: int) -> str:
    """The everyday name a pilgrim takes after the hajj, with the H./HJ. title in front."""
    if sex == "L":
        first = rng.choice(("ABDUL", "MOH.", "ACH.", "MUHAMMAD", "ABD."))
        second = _ASMA.draw(rng) if first.startswith("ABD") else _MALE_CORE.draw(rng)
        return f"H. {first} {second}"
    return f"HJ. {rng.choice(('SITI', 'NUR', 'SITI'))} {_FEMALE_CORE.draw(rng)}"


def can_abbreviate(name: str) -> bool:
    """True when some token of the name has other written forms (MOH. / MOHAMMAD ...)."""
    return any(token in _ABBREVIATION_OF for token in name.split())


def abbreviation_variant(rng: random.Random, name: str) -> str:
    """Write one abbreviable token another way: "MOH. HOSNAN" -> "MOCH. HOSNAN"."""
    tokens = name.split()
    positions = [i for i, t in enumerate(tokens) if t in _ABBREVIATION_OF]
    i = rng.choice(positions)
    tokens[i] = rng.choice([t for t in _ABBREVIATION_OF[tokens[i]] if t != tokens[i]])
    return " ".join(tokens)


@cache
def _spelling_options(token: str) -> tuple[str, ...]:
    options: list[str] = []
    for pattern, replacement in _SPELLING_RULES:
        changed = pattern.sub(replacement, token, count=1)
        if changed != token and changed not in options:
            options.append(changed)
    return tuple(options)


def can_respell(name: str) -> bool:
    """True when a Madurese / old-spelling variation applies to some token of the name."""
    return any(_spelling_options(t) for t in name.split() if t not in _ABBREVIATION_OF)


def spelling_variant(rng: random.Random, name: str) -> str:
    """Respell one token: "SA'DIYAH" -> "SADIYAH", "HOSNAN" -> "HUSNAN", "JUHRI" -> "DJUHRI"."""
    tokens = name.split()
    positions = [
        i for i, t in enumerate(tokens) if t not in _ABBREVIATION_OF and _spelling_options(t)
    ]
    i = rng.choice(positions)
    tokens[i] = rng.choice(_spelling_options(tokens[i]))
    return " ".join(tokens)


def with_title(rng: random.Random, name: str, sex: str) -> str:
    """The name with a religious or hajj title in front (rarely behind, after a comma)."""
    title = rng.choice(TITLES_MALE if sex == "L" else TITLES_FEMALE)
    if rng.random() < 0.12:
        return f"{name}, {title}"
    return f"{title} {name}"


def case_variant(rng: random.Random, name: str) -> str:
    """The name in lower or mixed case, as typed by hand."""
    if rng.random() < 0.3:
        return name.lower()
    return " ".join(word[:1].upper() + word[1:].lower() for word in name.split(" "))


def punctuation_variant(rng: random.Random, name: str) -> str:
    """The name with stray punctuation or spacing: double spaces, "MOH.HOSNAN", a trailing dot."""
    choice = rng.randrange(5)
    if choice == 0 and " " in name:
        return name.replace(" ", "  ", 1)
    if choice == 1 and ". " in name:
        return name.replace(". ", ".", 1)
    if choice == 2:
        return name + rng.choice((".", ",", " .", "-"))
    if choice == 3:
        return f" {name} "
    return name.replace(" ", " . ", 1) if " " in name else name + "."
