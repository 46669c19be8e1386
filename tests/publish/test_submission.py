"""What goes upward: DTKS-layout files per village and for the kecamatan, deactivation lists,
written as a whole folder swapped in atomically."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dtks.columns import CANONICAL_COLUMNS
from dtks.ingest import read_export
from dtks.publish.atomic import replace_directory
from dtks.publish.paths import published_paths
from dtks.publish.submission import dtks_records
from dtks.region import load_kecamatan

KECAMATAN = load_kecamatan("35.28.11")


def _submission(dirs: dict[str, Path]) -> Path:
    return dirs["curated"] / "submission"


def _published(dirs: dict[str, Path], sql: str) -> list[tuple]:
    con = duckdb.connect(str(published_paths(dirs["curated"])[0]), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_file_per_village_one_for_the_kecamatan_and_the_deactivation_lists(
    published_run,
) -> None:
    names = {p.name for p in _submission(published_run).iterdir()}
    expected = {f"desa_{d.slug}.csv" for d in KECAMATAN.desa} | {
        "kecamatan_batumarmar.csv",
        "nonaktif_ganda.csv",
        "nonaktif_meninggal.csv",
        "nonaktif_pindah.csv",
        "batal_nonaktif_ganda.csv",
        "manifest.json",
    }
    assert names == expected


def test_records_are_the_active_persons_in_the_dtks_column_layout(published_run) -> None:
    folder = _submission(published_run)
    kecamatan = _read(folder / "kecamatan_batumarmar.csv")
    header = next(csv.reader((folder / "kecamatan_batumarmar.csv").open(encoding="utf-8-sig")))
    assert header == list(CANONICAL_COLUMNS.values())
    [(active,)] = _published(published_run, "SELECT count(*) FROM persons WHERE is_active")
    assert len(kecamatan) == active
    per_village = sum(len(_read(folder / f"desa_{d.slug}.csv")) for d in KECAMATAN.desa)
    assert per_village == active
    niks = [r["NIK"] for r in kecamatan if r["NIK"]]
    assert niks and all(len(n) == 16 and n.isdigit() for n in niks)


def test_nik_and_kk_are_written_as_quoted_text(published_run) -> None:
    text = (_submission(published_run) / "kecamatan_batumarmar.csv").read_text(encoding="utf-8-sig")
    assert re.search(r'(^|,)"\d{16}"(,|$)', text, flags=re.MULTILINE)
    assert not re.search(r"(^|,)\d{16}(,|$)", text, flags=re.MULTILINE)


def test_our_own_ingest_reads_a_village_file_back(published_run, tmp_path: Path) -> None:
    village = KECAMATAN.desa[2].slug
    source = _submission(published_run) / f"desa_{village}.csv"
    raw = tmp_path / "raw" / village
    raw.mkdir(parents=True)
    (raw / source.name).write_bytes(source.read_bytes())
    read = read_export(raw / source.name, tmp_path / "raw")
    assert read.status == "ok"
    assert read.rows.height == len(_read(source))
    assert read.sheets[0].unknown_headers == []


DEACTIVATION_FILES = [
    ("nonaktif_ganda.csv", "GANDA"),
    ("nonaktif_meninggal.csv", "MENINGGAL"),
    ("nonaktif_pindah.csv", "PINDAH"),
]


@pytest.mark.parametrize(("name", "reason"), DEACTIVATION_FILES)
def test_deactivation_lists_match_the_published_table(
    published_run, name: str, reason: str
) -> None:
    rows = _read(_submission(published_run) / name)
    [(count,)] = _published(
        published_run,
        f"SELECT count(*) FROM deactivations WHERE reason_code = '{reason}'",  # noqa: S608
    )
    assert len(rows) == count
    assert {r["ALASAN"] for r in rows} <= {reason}


def test_every_duplicate_names_the_record_it_duplicates(published_run) -> None:
    rows = _read(_submission(published_run) / "nonaktif_ganda.csv")
    assert rows
    assert all(r["ID ORANG"] and r["NAMA DIPERTAHANKAN"] and r["DESA DIPERTAHANKAN"] for r in rows)
    assert all(r["IDDTKS DIPERTAHANKAN"] or r["NIK DIPERTAHANKAN"] for r in rows)


def test_manifest_names_every_file_with_its_hash(published_run) -> None:
    folder = _submission(published_run)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        digest = hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"]
    assert len(manifest["files"]) == len(list(folder.iterdir())) - 1


def test_folder_swap_keeps_the_old_folder_when_the_build_fails(tmp_path: Path) -> None:
    target = tmp_path / "submission"
    replace_directory(target, lambda d: (d / "a.csv").write_text("lama"))

    def broken(folder: Path) -> None:
        (folder / "a.csv").write_text("setengah")
        raise OSError("disk penuh")

    with pytest.raises(OSError):
        replace_directory(target, broken)
    assert (target / "a.csv").read_text() == "lama"
    replace_directory(target, lambda d: (d / "b.csv").write_text("baru"))
    assert [p.name for p in target.iterdir()] == ["b.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["submission"]


def test_records_frame_reads_like_a_dtks_export() -> None:
    persons = pl.DataFrame(
        {
            "person_id": ["P1"],
            "is_active": [True],
            "desa_kode": ["35.28.11.2007"],
            "desa_nama": ["Kapong"],
            "village": ["kapong"],
            "no_kk": ["3528110101100001"],
            "nik": ["3528114506890001"],
            "nama": ["SITI AMINAH"],
            "hubungan_keluarga": ["ISTRI"],
            "tanggal_lahir": [date(1989, 6, 5)],
            "tanggal_update": [None],
            "jenis_kelamin": ["P"],
            "padan_dukcapil": [True],
            "pkh": [False],
            "bpnt": [None],
            "pbi_jk": [True],
            "bst": [None],
        }
    ).with_columns(pl.col("tanggal_update").cast(pl.Date))
    record = dtks_records(persons, KECAMATAN).row(0, named=True)
    assert record["TANGGAL LAHIR"] == "05-06-1989"
    assert (record["JENIS KELAMIN"], record["PADAN DUKCAPIL"], record["PKH"], record["BPNT"]) == (
        "PEREMPUAN",
        "YA",
        "TIDAK",
        None,
    )
    assert (record["KECAMATAN"], record["KABUPATEN/KOTA"]) == ("Batumarmar", "Pamekasan")
