"""Deliberation items with evidence and source rows, the village workbook, and statuses that
operators fill in, read back and keep across runs."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from musdes_frames import KECAMATAN, register, registry
from python_calamine import CalamineWorkbook

from dtks.musdes import (
    apply_statuses,
    deliberation_items,
    load_ledger,
    merge_statuses,
    programme_cutoffs,
    read_status_workbooks,
    register_rows,
    save_ledger,
    write_village_workbook,
)
from dtks.musdes.settings import CutoffError
from dtks.musdes.workbook import VillageHeading

KK1, KK2, KK3, KK_NEW, KK_DESIL = (
    "3528110101100001",
    "3528110101100002",
    "3528110101100003",
    "3528110909200001",
    "3528110808200001",
)


def registry_rows() -> list[dict]:
    def row(pid: str, hid: str, kk: str, nik: str, nama: str, born: str, **extra: str) -> dict:
        return {
            "pid": pid,
            "hid": hid,
            "no_kk": kk,
            "nik": nik,
            "nama": nama,
            "tanggal_lahir": born,
            "nama_ibu_kandung": "AMINAH",
            "dusun": "ARAN",
            **extra,
        }

    return [
        row("P-siti", "H-1", KK1, "3528114506890001", "SITI AMINAH", "05-06-1989", pkh="YA",
            hubungan_keluarga="KEPALA KELUARGA"),
        row("P-holis", "H-1", KK1, "3528111203750002", "MOH. HOLIS", "12-03-1975"),
        row("P-rahman", "H-2", KK2, "3528110102600003", "ABD. RAHMAN", "01-02-1960",
            keterangan="MENINGGAL, KK BARU 3528110101100099", hubungan_keluarga="KEPALA KELUARGA"),
        row("P-suparman", "H-3", KK3, "3528112010800004", "SUPARMAN", "20-10-1980", bpnt="YA",
            hubungan_keluarga="KEPALA KELUARGA"),
    ]  # fmt: skip


def register_raw() -> pl.DataFrame:
    def row(kk: str, nik: str | None, nama: str, status: str = "HIDUP", **extra: str) -> dict:
        return {"no_kk": kk, "nik": nik, "nama": nama, "status_dasar_text": status, **extra}

    return register(
        [
            row(KK1, "3528114506890001", "SITI AMINAH"),
            row(KK1, "3528111203750002", "MOH HOLIS", "MATI"),
            row(KK2, "3528110102600003", "ABD RAHMAN"),
            row(KK_NEW, "3528114101950005", "NUR HALIZAH", hubungan_keluarga="KEPALA KELUARGA"),
            row(KK_NEW, "3528110202150006", "AHMAD FAUZI"),
            row(KK_DESIL, "3528110303850007", "MOH. TOHIR"),  # ranked in a desil list
            # name and birth date of a registry person, another mother: no match, yet too close
            # to propose as a new family
            row(
                "3528110505200001",
                None,
                "SUPARMAN",
                tanggal_lahir="1980-10-20",
                nama_ibu_kandung="SITI",
            ),
        ]
    )


@pytest.fixture(scope="module")
def built() -> dict:
    persons, sources = registry(registry_rows())
    households = pl.DataFrame(
        {
            "household_id": ["H-1", "H-2", "H-3"],
            "village": ["kapong"] * 3,
            "no_kk": [KK1, KK2, KK3],
            "head_nama": ["SITI AMINAH", "ABD. RAHMAN", "SUPARMAN"],
            "dusun": ["ARAN"] * 3,
            "rt": ["001"] * 3,
            "rw": ["002"] * 3,
            "count_members": [2, 1, 1],
        }
    )
    desil = pl.DataFrame({"household_id": ["H-1", "H-2", "H-3"], "desil": [7, 2, 5]})
    desil_rows = pl.DataFrame(
        {"no_kk": [KK_DESIL], "nik": [None]}, schema={"no_kk": pl.String, "nik": pl.String}
    )
    deactivations = pl.DataFrame(
        {
            "village": ["kapong"],
            "source_file": ["kapong/dtks.csv"],
            "source_sheet": [""],
            "source_row": [3],
            "person_id": ["P-siti"],
            "nik": ["3528111203750002"],
            "no_kk": [KK1],
            "nama": ["MOH. HOLIS"],
            "reason_code": ["GANDA"],
            "nama_kept": ["SITI AMINAH"],
            "village_kept": ["kapong"],
            "source_file_kept": ["kapong/dtks.csv"],
            "source_sheet_kept": [""],
            "source_row_kept": [2],
        }
    )
    rows = register_rows(register_raw(), persons, sources, KECAMATAN)
    items = deliberation_items(
        rows, persons, sources, households, desil, desil_rows, deactivations, programme_cutoffs()
    )
    return {"items": items, "register": rows}


def reasons(items: pl.DataFrame) -> list[tuple[str, str, str | None]]:
    return sorted(
        (k, r, p or n)
        for k, r, p, n in items.select("kind", "reason", "person_id", "nama").iter_rows()
    )


def test_every_kind_of_item_is_found_with_its_reason(built: dict) -> None:
    assert reasons(built["items"]) == [
        ("cek_sasaran", "DI_ATAS_BATAS", "SUPARMAN"),  # BPNT at desil 5, cut-off 4
        ("cek_sasaran", "TANPA_PROGRAM", "ABD. RAHMAN"),  # desil 2, no programme
        ("sanggah", "GANDA", "P-siti"),
        ("sanggah", "MENINGGAL", "P-holis"),  # the register says MATI
        ("sanggah", "MENINGGAL", "P-rahman"),  # KETERANGAN says MENINGGAL
        ("sanggah", "TIDAK LAYAK", "SITI AMINAH"),  # PKH at desil 7
        ("usulan", "KELUARGA_BARU", "NUR HALIZAH"),  # the family ranked in a desil list is not
        ("verifikasi", "TIDAK_DI_REGISTER", "P-suparman"),
    ]


def test_every_item_rests_on_source_rows_and_shows_no_full_number(built: dict) -> None:
    items = built["items"]
    assert items["count_source_rows"].min() >= 1
    for rows in items["source_rows"]:
        assert all(
            {"source_file", "source_sheet", "source_row"} <= set(r) for r in json.loads(rows)
        )
    proposal = items.filter(pl.col("kind") == "usulan").row(0, named=True)
    assert proposal["count_members"] == 2 and proposal["count_source_rows"] == 2
    shown = items.select(pl.concat_str(pl.all().cast(pl.String), ignore_nulls=True)).to_series()
    assert not shown.str.contains(r"\d{16}").any()  # NIK and KK only masked
    deceased = items.filter(pl.col("person_id") == "P-rahman", pl.col("reason") == "MENINGGAL")
    assert "'MENINGGAL, KK BARU 352811********99'" in deceased["evidence"][0]  # KETERANGAN
    assert items["item_id"].n_unique() == items.height


def test_cut_offs_are_settings(built: dict) -> None:
    assert programme_cutoffs("bpnt=5").cutoffs["bpnt"] == 5
    with pytest.raises(CutoffError, match="tidak dikenal"):
        programme_cutoffs("pkh=4,bansos=3")
    with pytest.raises(CutoffError, match="desil 1 sampai 10"):
        programme_cutoffs("pkh=11")


def fill(path: Path, statuses: dict[str, str]) -> None:
    """What an operator does: open the workbook, type statuses next to the lines, save."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        header = [c.value for c in sheet[4]]
        if "kunci" not in header:
            continue
        key_col, status_col = header.index("kunci") + 1, header.index("Status") + 1
        for row in range(5, sheet.max_row + 1):
            key = sheet.cell(row, key_col).value
            if key in statuses:
                sheet.cell(row, status_col).value = statuses[key]
    book.save(path)


def test_statuses_survive_the_round_trip(built: dict, tmp_path: Path) -> None:
    reports, review = tmp_path / "reports" / "musdes", tmp_path / "review"
    items = built["items"]
    now = datetime(2026, 12, 1, tzinfo=UTC)
    first = apply_statuses(items, load_ledger(review))
    assert set(first["status"]) == {"belum"}
    path = reports / "kapong.xlsx"
    write_village_workbook(
        path, first, VillageHeading("Kapong", "Batumarmar", "Pamekasan", "-", now)
    )
    sheets = CalamineWorkbook.from_path(str(path)).sheet_names
    assert sheets == ["Berita Acara", "Usulan Baru", "Sanggahan", "Verifikasi", "Cek Sasaran"]
    with zipfile.ZipFile(path) as package:
        sheet_xml = package.read("xl/worksheets/sheet3.xml").decode()
    assert "dataValidation" in sheet_xml and "diusulkan,diterima,ditolak,selesai" in sheet_xml
    assert "<pageSetup" in sheet_xml and 'orientation="landscape"' in sheet_xml

    died = items.filter(pl.col("reason") == "MENINGGAL", pl.col("person_id") == "P-holis")[
        "item_id"
    ][0]
    new = items.filter(pl.col("kind") == "usulan")["item_id"][0]
    fill(path, {died: "Diterima ", new: "oke"})
    read = read_status_workbooks([reports, review / "musdes"])
    assert read.entries.select("item_id", "status").rows() == [(died, "diterima")]
    problem = read.problems.row(0, named=True)
    assert (problem["workbook"], problem["sheet"], problem["column"]) == (
        "kapong.xlsx",
        "Usulan Baru",
        "Status",
    )
    assert problem["row"] == 5 and "tidak dikenal" in problem["message"]

    ledger = merge_statuses(load_ledger(review), read.entries, items, now)
    save_ledger(review, ledger)
    again = merge_statuses(load_ledger(review), read.entries, items, now)  # read twice
    history = json.loads(again.filter(pl.col("item_id") == died)["history"][0])
    assert [h["status"] for h in history] == ["diterima"]

    # the next export no longer lists the deceased person: the item is kept with its status
    later = apply_statuses(items.filter(pl.col("item_id") != died), again)
    kept = later.filter(pl.col("item_id") == died).row(0, named=True)
    assert (kept["status"], kept["is_current"]) == ("diterima", False)
    # and the rewritten workbook shows the status where the operator put it
    current = apply_statuses(items, again)
    write_village_workbook(
        path, current, VillageHeading("Kapong", "Batumarmar", "Pamekasan", "-", now)
    )
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Sanggahan").to_python()
    header = rows[3]
    statuses = {r[header.index("kunci")]: r[header.index("Status")] for r in rows[4:]}
    assert statuses[died] == "diterima"
    cover = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Berita Acara").to_python()
    assert any("Kepala Desa" in str(c) for r in cover for c in r)


def test_a_duplicate_keeps_its_item_when_the_other_row_becomes_the_kept_one(built: dict) -> None:
    persons, sources = registry(registry_rows())
    ganda = built["items"].filter(pl.col("reason") == "GANDA")["item_id"][0]
    swapped = pl.DataFrame(
        {
            "village": ["kapong"],
            "source_file": ["kapong/dtks.csv"],
            "source_sheet": [""],
            "source_row": [2],
            "person_id": ["P-siti"],
            "nik": ["3528114506890001"],
            "no_kk": [KK1],
            "nama": ["SITI AMINAH"],
            "reason_code": ["GANDA"],
            "nama_kept": ["MOH. HOLIS"],
            "village_kept": ["kapong"],
            "source_file_kept": ["kapong/dtks.csv"],
            "source_sheet_kept": [""],
            "source_row_kept": [3],
        }
    )
    items = deliberation_items(
        built["register"], persons, sources, persons.head(0).select("household_id").with_columns(
            *(pl.lit(None, pl.String).alias(c) for c in ("village", "no_kk", "head_nama", "dusun", "rt", "rw")),
            pl.lit(None, pl.Int64).alias("count_members"),
        ),
        None, None, swapped, programme_cutoffs(),
    )  # fmt: skip
    assert items.filter(pl.col("reason") == "GANDA")["item_id"].to_list() == [ganda]


def test_a_status_written_for_an_item_the_next_run_no_longer_produces_is_kept(
    built: dict,
) -> None:
    items = built["items"]
    gone = items["item_id"][0]
    entries = pl.DataFrame(
        [{"item_id": gone, "status": "selesai", "catatan": None, "workbook": "kapong.xlsx",
          "sheet": "Sanggahan", "row": 5, "modified_at": 1.0}]
    )  # fmt: skip
    later = items.filter(pl.col("item_id") != gone)
    ledger = merge_statuses(
        pl.DataFrame(schema=load_ledger(Path("/nonexistent")).schema),
        entries,
        later,
        previous=items,
    )
    published = apply_statuses(later, ledger)
    row = published.filter(pl.col("item_id") == gone).row(0, named=True)
    assert (row["status"], row["is_current"], row["kind"]) == ("selesai", False, items["kind"][0])
    assert merge_statuses(ledger.head(0), entries, later).height == 0  # unknown to every run


def test_a_number_typed_in_a_status_cell_is_masked_in_the_problem(
    built: dict, tmp_path: Path
) -> None:
    """An operator who types a NIK in the Status column gets a problem (logged by the asset)
    that shows the number masked, in its message and its value."""
    reports = tmp_path / "reports" / "musdes"
    items = apply_statuses(built["items"], load_ledger(tmp_path / "review"))
    path = reports / "kapong.xlsx"
    now = datetime(2026, 12, 1, tzinfo=UTC)
    write_village_workbook(
        path, items, VillageHeading("Kapong", "Batumarmar", "Pamekasan", "-", now)
    )
    fill(path, {items["item_id"][0]: "3528114506890001"})
    problems = read_status_workbooks([reports]).problems
    assert problems.height == 1
    problem = problems.row(0, named=True)
    assert "352811********01" in problem["message"] and problem["value"] == "352811********01"
    assert "3528114506890001" not in f"{problem['message']} {problem['value']}"


def test_a_number_in_an_operators_note_is_masked_in_the_workbook(
    built: dict, tmp_path: Path
) -> None:
    items = apply_statuses(built["items"], load_ledger(tmp_path / "review")).with_columns(
        pl.lit("KK baru 3528110101100099").alias("catatan")
    )
    path = tmp_path / "kapong.xlsx"
    now = datetime(2026, 12, 1, tzinfo=UTC)
    write_village_workbook(
        path, items, VillageHeading("Kapong", "Batumarmar", "Pamekasan", "-", now)
    )
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Sanggahan").to_python()
    notes = {r[rows[3].index("Catatan")] for r in rows[4:]}
    assert notes == {"KK baru 352811********99"}
