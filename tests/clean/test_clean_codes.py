"""Coded columns: sex, relationship, marital status, program flags, PADAN DUKCAPIL, KETERANGAN."""

from __future__ import annotations

import pytest
from clean_cases import clean_one, codes_of, issue


@pytest.mark.parametrize(
    ("description", "written", "expected", "code"),
    [
        ("L", "L", "L", None),
        ("P", "P", "P", None),
        ("lower case", "p", "P", None),
        ("LAKI-LAKI", "LAKI-LAKI", "L", None),
        ("LAKI LAKI", "Laki Laki", "L", None),
        ("PRIA", "PRIA", "L", None),
        ("LK", "Lk", "L", None),
        ("PEREMPUAN", "PEREMPUAN", "P", None),
        ("WANITA", "wanita", "P", None),
        ("PR", "PR", "P", None),
        ("code 1", "1", "L", None),
        ("code 2", "2", "P", None),
        ("empty", None, None, "jenis_kelamin_missing"),
        ("unknown", "X", None, "jenis_kelamin_unknown"),
    ],
)
def test_sex_is_canonical(description, written, expected, code):
    row, result = clean_one(jenis_kelamin=written)
    assert row["jenis_kelamin"] == expected, description
    assert codes_of(result, "jenis_kelamin") == ({code} if code else set())


def test_missing_sex_suggests_the_nik_sex():
    _, result = clean_one(jenis_kelamin=None, nik="3528114508800001")
    assert issue(result, "jenis_kelamin_missing")["suggested_value"] == "P"


@pytest.mark.parametrize(
    ("description", "written", "sex", "expected", "code"),
    [
        ("text", "KEPALA KELUARGA", "L", "KEPALA KELUARGA", None),
        ("KK", "KK", "L", "KEPALA KELUARGA", None),
        ("KEP. KELUARGA", "Kep. Keluarga", "L", "KEPALA KELUARGA", None),
        ("code 1", "1", "L", "KEPALA KELUARGA", None),
        ("code with label", "1 - Kepala Keluarga", "L", "KEPALA KELUARGA", None),
        ("ISTRI", "ISTRI", "P", "ISTRI", None),
        ("ISTERI", "Isteri", "P", "ISTRI", None),
        ("SUAMI", "SUAMI", "L", "SUAMI", None),
        ("code 2, woman", "2", "P", "ISTRI", None),
        ("code 2, man", "2", "L", "SUAMI", None),
        ("code 2, sex unknown", "2", None, None, "hubungan_keluarga_ambiguous"),
        ("ANAK", "ANAK", "L", "ANAK", None),
        ("ANAK KANDUNG", "anak kandung", "L", "ANAK", None),
        ("ANAK TIRI", "ANAK TIRI", "L", "ANAK", None),
        ("code 3", "03", "L", "ANAK", None),
        ("MENANTU", "4", "P", "MENANTU", None),
        ("CUCU", "CUCU", "P", "CUCU", None),
        ("ORANG TUA", "ORANG TUA", "P", "ORANG TUA", None),
        ("code 6", "6", "P", "ORANG TUA", None),
        ("MERTUA", "7", "P", "MERTUA", None),
        ("FAMILI", "FAMILI", "P", "FAMILI LAIN", None),
        ("code 8", "8", "P", "FAMILI LAIN", None),
        ("LAINNYA", "LAINNYA", "P", "LAINNYA", None),
        ("code 9", "9", "P", "LAINNYA", None),
        ("empty", None, "P", None, "hubungan_keluarga_missing"),
        ("unknown", "TETANGGA", "P", None, "hubungan_keluarga_unknown"),
        ("unknown code", "12", "P", None, "hubungan_keluarga_unknown"),
    ],
)
def test_relationship_is_canonical(description, written, sex, expected, code):
    row, result = clean_one(hubungan_keluarga=written, jenis_kelamin=sex)
    assert row["hubungan_keluarga"] == expected, description
    assert codes_of(result, "hubungan_keluarga") == ({code} if code else set())


@pytest.mark.parametrize(
    ("description", "written", "expected", "code"),
    [
        ("BELUM KAWIN", "BELUM KAWIN", "BELUM KAWIN", None),
        ("belum menikah", "belum menikah", "BELUM KAWIN", None),
        ("KAWIN", "Kawin", "KAWIN", None),
        ("KAWIN TERCATAT", "KAWIN TERCATAT", "KAWIN", None),
        ("CERAI HIDUP", "CERAI HIDUP", "CERAI HIDUP", None),
        ("CERAI MATI", "cerai mati", "CERAI MATI", None),
        ("code 1", "1", "BELUM KAWIN", None),
        ("code 4", "4", "CERAI MATI", None),
        ("empty", None, None, None),
        ("unknown", "SEDANG PROSES", None, "status_kawin_unknown"),
    ],
)
def test_marital_status_is_canonical(description, written, expected, code):
    row, result = clean_one(status_kawin=written)
    assert row["status_kawin"] == expected, description
    assert codes_of(result, "status_kawin") == ({code} if code else set())


@pytest.mark.parametrize("flag", ["pkh", "bpnt", "pbi_jk", "bst"])
@pytest.mark.parametrize(
    ("description", "written", "expected", "flagged"),
    [
        ("YA", "YA", True, False),
        ("ya", "ya", True, False),
        ("TIDAK", "TIDAK", False, False),
        ("1", "1", True, False),
        ("0", "0", False, False),
        ("Y", "Y", True, False),
        ("N", "N", False, False),
        ("TRUE", "TRUE", True, False),
        ("FALSE", "false", False, False),
        ("empty", None, None, False),
        ("dash", "-", None, False),
        ("unknown", "MUNGKIN", None, True),
    ],
)
def test_program_flags_are_booleans(flag, description, written, expected, flagged):
    row, result = clean_one(**{flag: written})
    assert row[flag] is expected, description
    assert codes_of(result, flag) == ({f"{flag}_unknown"} if flagged else set())


@pytest.mark.parametrize(
    ("description", "written", "expected", "flagged"),
    [
        ("YA", "YA", True, False),
        ("TIDAK", "TIDAK", False, False),
        ("SUDAH PADAN", "Sudah Padan", True, False),
        ("BELUM PADAN", "BELUM PADAN", False, False),
        ("empty", None, None, False),
        ("unknown", "PROSES", None, True),
    ],
)
def test_padan_dukcapil_is_boolean(description, written, expected, flagged):
    row, result = clean_one(padan_dukcapil=written)
    assert row["padan_dukcapil"] is expected, description
    assert codes_of(result, "padan_dukcapil") == ({"padan_dukcapil_unknown"} if flagged else set())


@pytest.mark.parametrize(
    ("description", "written", "kode", "code"),
    [
        ("meninggal", "meninggal", "MENINGGAL", "keterangan_meninggal"),
        ("meninggal dunia", "Meninggal Dunia th 2023", "MENINGGAL", "keterangan_meninggal"),
        ("wafat", "WAFAT", "MENINGGAL", "keterangan_meninggal"),
        ("alm.", "alm.", "MENINGGAL", "keterangan_meninggal"),
        ("md", "MD", "MENINGGAL", "keterangan_meninggal"),
        ("pindah", "pindah ke Sumenep", "PINDAH", "keterangan_pindah"),
        ("ganda", "GANDA", "GANDA", "keterangan_ganda"),
        ("double", "data double", "GANDA", "keterangan_ganda"),
        ("dobel", "dobel", "GANDA", "keterangan_ganda"),
        ("tidak ditemukan", "Tidak ditemukan", "TIDAK DITEMUKAN", "keterangan_tidak_ditemukan"),
        ("tdk di temukan", "tdk di temukan", "TIDAK DITEMUKAN", "keterangan_tidak_ditemukan"),
        ("free text", "rumah dekat masjid", None, None),
        ("empty", None, None, None),
        ("word containing md", "AHMAD", None, None),
    ],
)
def test_keterangan_is_coded(description, written, kode, code):
    row, result = clean_one(keterangan=written)
    assert row["keterangan"] == written
    assert row["keterangan_kode"] == kode, description
    assert codes_of(result, "keterangan") == ({code} if code else set())


def test_deceased_still_listed_asks_to_deactivate():
    _, result = clean_one(keterangan="meninggal")
    found = issue(result, "keterangan_meninggal")
    assert found["severity"] == "warning"
    assert "Nonaktifkan" in found["message"]
