"""Desil ranking lists (SIKS-NG "Pemeringkatan Desil") are recognised by their header and never
become person rows; their rows are accounted for like an export's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
import xlsxwriter

from dtks.ingest import read_export
from dtks.stages.ingest import ingest_village
from dtks.store import read_table

FAMILY_HEADER = ["NO", "NOMOR KK", "NIK KEPALA KELUARGA", "NAMA KEPALA KELUARGA", "DESIL"]


def _family_list_csv(path: Path) -> None:
    path.write_text(
        "DAFTAR PEMERINGKATAN DESIL DTSEN\n"
        "DESA KAPONG PERIODE JULI 2026\n"
        "\n" + "|".join(FAMILY_HEADER) + "\n1|3528112004150001.0|3528114506890001|SITI AMINAH|3\n"
        "2||3528111203800002|MOH. RASYID|1\n"
        "3|3528112004150003|3528110107750003.0|ABD. KADIR|10\n"
        "JUMLAH||||\n",
        encoding="latin-1",
    )


def _member_list_xlsx(path: Path) -> None:
    """One row per member, NIK and KK typed as numbers (Excel keeps 15 significant digits)."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Desil")
    sheet.write_row(0, 0, ["PEMERINGKATAN DESIL - ANGGOTA KELUARGA"])
    sheet.write_row(2, 0, ["NO KK", "NIK", "NAMA", "HUBUNGAN KELUARGA", "DESIL NASIONAL"])
    sheet.write_row(3, 0, [3528112004150001, 3528114506890001, "SITI AMINAH", "KEPALA KELUARGA", 3])
    sheet.write_row(4, 0, [3528112004150001, 3528115508100004, "NUR HAYATI", "ANAK", 3])
    workbook.close()


def test_a_family_desil_list_is_read_as_a_desil_list_with_its_row_kinds(tmp_path: Path) -> None:
    (tmp_path / "kapong").mkdir()
    path = tmp_path / "kapong" / "desil_kapong.csv"
    _family_list_csv(path)
    read = read_export(path, tmp_path)
    assert read.status == "ok"
    assert read.file_kind == "desil_list"
    assert read.rows.height == 0 and read.rows_read == 0  # no person row at all
    assert read.desil_rows_read == read.desil_rows.height == 4
    rows = read.desil_rows
    assert rows["row_kind"].to_list() == ["data", "data", "data", "totals"]
    assert rows["source_row"].to_list() == [5, 6, 7, 8]  # lines in the file, title rows skipped
    assert rows["no_kk"].to_list()[:3] == ["3528112004150001.0", None, "3528112004150003"]
    assert rows["desil_text"].to_list()[:3] == ["3", "1", "10"]
    assert set(rows["row_unit"]) == {"keluarga"}
    evidence = read.sheets[0].kind_evidence
    assert evidence["DESIL"] == "desil" and evidence["NIK KEPALA KELUARGA"] == "nik"


def test_a_member_desil_list_in_excel_keeps_numbers_flagged(tmp_path: Path) -> None:
    (tmp_path / "kapong").mkdir()
    path = tmp_path / "kapong" / "desil_anggota.xlsx"
    _member_list_xlsx(path)
    read = read_export(path, tmp_path)
    assert read.status == "ok", read.error_message
    assert read.file_kind == "desil_list"
    rows = read.desil_rows
    assert rows.height == 2 and read.rows.height == 0
    assert set(rows["row_unit"]) == {"anggota"}
    assert rows["nik_was_numeric"].all() and rows["no_kk_was_numeric"].all()
    assert rows["hubungan_keluarga"].to_list() == ["KEPALA KELUARGA", "ANAK"]
    assert rows["source_row"].to_list() == [4, 5]


def test_a_registry_export_carrying_a_desil_column_stays_a_registry_export(tmp_path: Path) -> None:
    (tmp_path / "kapong").mkdir()
    path = tmp_path / "kapong" / "dtsen.csv"
    path.write_text(
        "NIK;NAMA;TGL LAHIR;JK;NO KK;DESIL\n3528114506890001;SITI;05-06-1989;P;3528112004150001;3\n"
    )
    read = read_export(path, tmp_path)
    assert read.file_kind == "registry_export"
    assert read.rows.height == 1 and read.desil_rows.height == 0
    assert json.loads(read.rows["extras"][0]) == {"DESIL": "3"}


@pytest.fixture
def village_with_desil_list(tmp_path: Path, synthetic_exports: tuple[Path, Path]) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(synthetic_exports[0], raw)
    return raw


def test_a_desil_list_dropped_into_a_village_folder_adds_no_person_row(
    village_with_desil_list: Path, tmp_path: Path
) -> None:
    raw = village_with_desil_list
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    ingest_village(con, raw, "kapong")
    before = con.execute("SELECT count(*) FROM raw_rows WHERE village = 'kapong'").fetchall()[0][0]
    assert before > 0
    _family_list_csv(raw / "kapong" / "Pemeringkatan Desil Kapong.csv")
    _member_list_xlsx(raw / "kapong" / "desil anggota.xlsx")
    (raw / "kapong" / "rekap bantuan.csv").write_text("NO;URAIAN;JUMLAH\n1;PKH;20\n")
    result = ingest_village(con, raw, "kapong")

    after = con.execute("SELECT count(*) FROM raw_rows WHERE village = 'kapong'").fetchall()[0][0]
    assert after == before
    files = read_table(con, "source_files", {"village": "kapong"})
    assert files is not None
    kinds = dict(zip(files["source_file"], files["file_kind"], strict=True))
    assert kinds["kapong/Pemeringkatan Desil Kapong.csv"] == "desil_list"
    assert kinds["kapong/desil anggota.xlsx"] == "desil_list"
    assert kinds["kapong/rekap bantuan.csv"] == "unknown"
    assert "kapong/rekap bantuan.csv" in result.files_failed
    registry = files.filter(pl.col("file_kind") == "registry_export")
    assert registry.height >= 1
    # every desil row read is in desil_raw_rows, lineage included; the person accounting is unchanged
    stored = con.execute(
        "SELECT source_file, count(*) FROM desil_raw_rows WHERE village = 'kapong' GROUP BY 1"
    ).fetchall()
    desil_files = files.filter(pl.col("file_kind") == "desil_list")
    assert dict(stored) == dict(
        zip(desil_files["source_file"], desil_files["desil_rows_read"], strict=True)
    )
    assert desil_files["rows_read"].sum() == 0
    assert registry["rows_read"].sum() == before
    unknown = files.filter(pl.col("file_kind") == "unknown")
    assert json.loads(unknown["file_kind_evidence"][0])[0]["kind"] == "unknown"

    # removing the list removes its rows
    (raw / "kapong" / "Pemeringkatan Desil Kapong.csv").unlink()
    ingest_village(con, raw, "kapong")
    assert con.execute("SELECT count(*) FROM desil_raw_rows").fetchall()[0][0] == 2
    con.close()


@pytest.mark.parametrize(
    "header",
    [
        ["No.", "No. KK", "NIK Kepala Keluarga", "Nama Kepala Keluarga", "Desil Nasional"],
        ["NO", "NOMOR KARTU KELUARGA", "NIK", "NAMA", "SHDK", "DESIL"],
        ["no_kk", "nik_kepala_keluarga", "nama_kepala_keluarga", "desil"],
        ["ID KELUARGA", "NO KK", "NIK KK", "NAMA KK", "ALAMAT", "DESIL", "PERIODE"],
        ["KK", "NIK", "Nama", "Status Desil"],  # a spelling no alias lists: the word DESIL
        ["Nomor KK", "NIK Anggota", "Nama Anggota", "Hubungan dengan KK", "Tgl Lahir", "Desil"],
    ],
    ids=["title_case", "member_shdk", "snake_case", "with_period", "unlisted", "member_born"],
)
def test_lists_with_other_headers_are_desil_lists_not_people(
    tmp_path: Path, header: list[str]
) -> None:
    (tmp_path / "kapong").mkdir()
    path = tmp_path / "kapong" / "desil.csv"

    def cell(name: str) -> str:
        name = name.upper()
        if "DESIL" in name:
            return "3"
        if "NIK" in name:
            return "3528114506890001"
        return "3528112004150001" if "KK" in name else "SITI AMINAH"

    cells = [cell(h) for h in header]
    path.write_text("|".join(header) + "\n" + "|".join(cells) + "\n", encoding="utf-8")
    read = read_export(path, tmp_path)
    assert (read.status, read.file_kind) == ("ok", "desil_list")
    assert read.rows.height == 0
    assert read.desil_rows["desil_text"].to_list() == ["3"]
