"""Names: display form, titles moved to nama_gelar, match keys, name issues and rejected names."""

from __future__ import annotations

import polars as pl
import pytest
from clean_cases import clean, clean_one, codes_of, issue

from dtks.clean import names


def _names(values: list[str | None]) -> pl.DataFrame:
    frame = pl.DataFrame({"nama": values}, schema={"nama": pl.String})
    return names.add_person_name(frame.lazy(), "nama", "nama", "nama_gelar", "nama_key").collect()


@pytest.mark.parametrize(
    ("description", "written", "display", "gelar"),
    [
        ("already clean", "SITI AMINAH", "SITI AMINAH", None),
        ("lower case, extra spaces", "  siti   aminah ", "SITI AMINAH", None),
        ("full-width characters (NFKC)", "ＳＩＴＩ ＡＭＩＮＡＨ", "SITI AMINAH", None),
        ("accent", "JOSÉ", "JOSE", None),
        ("curly apostrophe", "MA\u2019RUF", "MA'RUF", None),
        ("stray apostrophe", "'ALI", "ALI", None),
        ("hyphen", "SITI-AMINAH", "SITI AMINAH", None),
        ("digits removed", "AHMAD 2", "AHMAD", None),
        ("abbreviation dot kept", "MOH.ALI", "MOH. ALI", None),
        ("H.", "H. ABDUL KARIM", "ABDUL KARIM", "H."),
        ("H without dot", "H ABDUL KARIM", "ABDUL KARIM", "H."),
        ("HJ.", "hj.siti aminah", "SITI AMINAH", "HJ."),
        ("HAJI", "HAJI MANSUR", "MANSUR", "H."),
        ("HAJJAH", "HAJJAH ROFIAH", "ROFIAH", "HJ."),
        ("K.H.", "K.H. Abd. Rahman", "ABD. RAHMAN", "K.H."),
        ("KH", "KH ACHMAD DAHLAN", "ACHMAD DAHLAN", "K.H."),
        ("UST.", "Ust. Mohammad Soleh", "MOHAMMAD SOLEH", "UST."),
        ("USTADZ", "USTADZ HANAFI", "HANAFI", "UST."),
        ("DRS. and H.", "Drs. H. Moh Ali", "MOH ALI", "DRS. H."),
        ("IR.", "IR. SOEKARNO", "SOEKARNO", "IR."),
        ("suffix after comma", "ZAINAL ABIDIN, S.Pd", "ZAINAL ABIDIN", "S.PD."),
        ("undotted suffix after comma", "ZAINAL ABIDIN, SE", "ZAINAL ABIDIN", "S.E."),
        ("dotted suffix without comma", "ABDUL SALAM S.H.", "ABDUL SALAM", "S.H."),
        ("prefix and two suffixes", "H. MAHFUD, S.Pd.I., M.Pd.", "MAHFUD", "H. S.PD.I. M.PD."),
        ("name starting with H is not a title", "HASAN BASRI", "HASAN BASRI", None),
        ("name starting with HJ letters", "HJAN", "HJAN", None),
        ("only a title stays the name", "HJ.", "HJ.", None),
    ],
)
def test_display_name_and_titles(description, written, display, gelar):
    row = _names([written]).row(0, named=True)
    assert row["nama"] == display, description
    assert row["nama_gelar"] == gelar, description


@pytest.mark.parametrize(
    ("description", "written", "key"),
    [
        ("MOH.", "MOH. ALI", "MUHAMMAD ALI"),
        ("MOCH.", "MOCH. ALI", "MUHAMMAD ALI"),
        ("MOCH", "MOCH ALI", "MUHAMMAD ALI"),
        ("MUH.", "MUH. ALI", "MUHAMMAD ALI"),
        ("M.", "M. ALI", "MUHAMMAD ALI"),
        ("MUHAMAD", "MUHAMAD ALI", "MUHAMMAD ALI"),
        ("MOHAMMAD", "MOHAMMAD ALI", "MUHAMMAD ALI"),
        ("MOHAMMED", "MOHAMMED ALI", "MUHAMMAD ALI"),
        ("MUCHAMMAD", "MUCHAMMAD ALI", "MUHAMMAD ALI"),
        ("ABD.", "ABD. RAHMAN", "ABDUL RAHMAN"),
        ("ABD", "ABD RAHMAN", "ABDUL RAHMAN"),
        ("ACH.", "ACH. FAUZI", "AHMAD FAUZI"),
        ("ACHMAD", "ACHMAD FAUZI", "AHMAD FAUZI"),
        ("ACHMAT", "ACHMAT FAUZI", "AHMAD FAUZI"),
        ("ST.", "ST. AMINAH", "SITI AMINAH"),
        ("SITTI", "SITTI AMINAH", "SITI AMINAH"),
        ("NOER", "NOER HASANAH", "NUR HASANAH"),
        ("NOOR", "NOOR HASANAH", "NUR HASANAH"),
        ("apostrophe", "MA'RUF", "MARUF"),
        ("apostrophe 2", "SA'DIYAH", "SADIYAH"),
        ("OE -> U", "SOEKARDI", "SUKARDI"),
        ("DJ -> J", "DJAENUDIN", "JAENUDIN"),
        ("TJ -> C", "TJITRA", "CITRA"),
        ("CH -> KH", "CHOLIL", "KHOLIL"),
        ("doubled letters", "MUZZAMMIL", "MUZAMIL"),
        ("title removed first", "HJ. ST. AMINAH", "SITI AMINAH"),
    ],
)
def test_name_key_folds_variants(description, written, key):
    assert _names([written]).row(0, named=True)["nama_key"] == key, description


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("MOH. MA'RUF", "MUHAMMAD MARUF"),
        ("Moch. Ma'ruf", "MOHAMAD MARUF"),
        ("ST. SA'DIYAH", "SITI SADIYAH"),
        ("ACHMAD SOEKARDI", "AHMAD SUKARDI"),
        ("H. ABD. HOLIK", "ABDUL HOLLIK"),
    ],
)
def test_spelling_variants_share_a_key(left, right):
    keys = _names([left, right]).get_column("nama_key").to_list()
    assert keys[0] == keys[1]


@pytest.mark.parametrize(
    ("description", "written", "code", "suggested"),
    [
        ("abbreviated first name", "MOH. ALI", "nama_abbreviated", None),
        ("initial", "A. RAHMAN", "nama_abbreviated", None),
        ("ABD without dot", "ABD RAHMAN", "nama_abbreviated", None),
        ("title", "H. ABDUL KARIM", "nama_has_title", "H."),
        ("digits", "AHMAD 2", "nama_odd_characters", "AHMAD"),
        ("odd punctuation", "SITI#AMINAH", "nama_odd_characters", "SITI AMINAH"),
    ],
)
def test_name_issues(description, written, code, suggested):
    _, result = clean_one(nama=written)
    found = issue(result, code)
    assert found["value_masked"] == written, description
    assert found["suggested_value"] == suggested
    assert found["severity"] == "warning"


def test_full_clean_name_has_no_name_issue():
    _, result = clean_one(nama="MUHAMMAD ALI")
    assert codes_of(result, "nama") == set()


@pytest.mark.parametrize(
    ("description", "written", "reason_code"),
    [
        ("empty name", None, "nama_missing"),
        ("blank name", "   ", "nama_missing"),
        ("digits only", "12345", "nama_no_letters"),
        ("punctuation only", "-", "nama_no_letters"),
    ],
)
def test_row_without_a_name_is_rejected_and_reported(description, written, reason_code):
    result = clean([{"nama": written}])
    assert result.clean.height == 0
    assert result.rejected.get_column("reason_code").to_list() == [reason_code], description
    assert codes_of(result) == {reason_code}
    assert issue(result, reason_code)["severity"] == "error"


@pytest.mark.parametrize(
    ("description", "written", "display", "key", "missing"),
    [
        ("abbreviated", "ST. AMINAH", "ST. AMINAH", "SITI AMINAH", False),
        ("with title", "HJ. SITTI ROFIAH", "SITTI ROFIAH", "SITI ROFIAH", False),
        ("empty", None, None, None, True),
        ("dash", "-", None, None, True),
        ("tidak tahu", "TIDAK TAHU", None, None, True),
    ],
)
def test_mothers_name(description, written, display, key, missing):
    row, result = clean_one(nama_ibu_kandung=written)
    assert row["nama_ibu_kandung"] == display, description
    assert row["nama_ibu_key"] == key
    assert ("nama_ibu_kandung_missing" in codes_of(result)) is missing


def test_mothers_name_is_masked_in_issues():
    _, result = clean_one(nama_ibu_kandung="-")
    found = issue(result, "nama_ibu_kandung_missing")
    assert found["value_masked"] == "-"
    _, result = clean_one(nama_ibu_kandung="SITI AMINAH", nama="x1")
    assert "SITI AMINAH" not in " ".join(result.issues.get_column("message").to_list())


@pytest.mark.parametrize(
    ("description", "written", "display", "key"),
    [
        ("plain", "Pamekasan", "PAMEKASAN", "PAMEKASAN"),
        ("typo corrected", "PAMEKSAN", "PAMEKSAN", "PAMEKASAN"),
        ("KAB. prefix", "KAB. PAMEKASAN", "KAB. PAMEKASAN", "PAMEKASAN"),
        ("KABUPATEN prefix", "Kabupaten Sumenep", "KABUPATEN SUMENEP", "SUMENEP"),
        ("KOTA prefix", "KOTA SURABAYA", "KOTA SURABAYA", "SURABAYA"),
        ("spaces folded", "Batu Marmar", "BATU MARMAR", "BATUMARMAR"),
        ("village name", "Lesong Dajah", "LESONG DAJAH", "LESONGDAJAH"),
        ("unknown place kept", "Kuala Lumpur", "KUALA LUMPUR", "KUALALUMPUR"),
        ("dash", "-", None, None),
        ("empty", None, None, None),
    ],
)
def test_birth_place(description, written, display, key):
    row, _ = clean_one(tempat_lahir=written)
    assert row["tempat_lahir"] == display, description
    assert row["tempat_lahir_key"] == key, description
