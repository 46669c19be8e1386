"""What the kecamatan sends upward: reconciled records in the DTKS layout and deactivation lists.

``$DTKS_CURATED_DIR/submission/`` holds, after every successful publish:

- ``desa_<village>.csv``: the village's active reconciled persons (not deceased, not moved
  away), one row each, in the DTKS individual column layout (`dtks.columns.CANONICAL_COLUMNS`
  headers, in that order); one file for every village of the kecamatan, even an empty one;
- ``kecamatan_<kecamatan>.csv``: the same for the whole kecamatan;
- ``nonaktif_ganda.csv``, ``nonaktif_meninggal.csv``, ``nonaktif_pindah.csv``: source rows
  to deactivate (duplicates with the record kept, deceased, moved);
- ``batal_nonaktif_ganda.csv``: rows an earlier publish listed as duplicates of a person
  they were wrongly merged with (a family-level IDDTKS, a borrowed NIK): cancel that request;
- ``manifest.json``: the run, and every file with its rows and SHA-256.

CSV files are UTF-8 with a byte-order mark (Excel then reads the names right), comma
separated, every value quoted, so NIK and KK numbers stay text. The folder is written
beside the old one and swapped in by rename (`dtks.publish.atomic.replace_directory`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from dtks.columns import CANONICAL_COLUMNS
from dtks.publish.atomic import replace_directory
from dtks.reconcile.deactivations import CANCEL_DUPLICATE, DECEASED, DUPLICATE, MOVED
from dtks.region import Kecamatan, slugify

SUBMISSION_DIR = "submission"
DATE_FORMAT = "%d-%m-%Y"
SEX_WORDS = {"L": "LAKI-LAKI", "P": "PEREMPUAN"}
FLAG_COLUMNS = ("padan_dukcapil", "pkh", "bpnt", "pbi_jk", "bst")
DEACTIVATION_FILES = {
    DUPLICATE: "nonaktif_ganda.csv",
    DECEASED: "nonaktif_meninggal.csv",
    MOVED: "nonaktif_pindah.csv",
    CANCEL_DUPLICATE: "batal_nonaktif_ganda.csv",
}
# deactivations column -> header of the deactivation lists (Bahasa Indonesia)
DEACTIVATION_HEADERS = {
    "desa_nama": "DESA/KELURAHAN",
    "iddtks": "IDDTKS",
    "nik": "NIK",
    "no_kk": "NOMOR KK",
    "nama": "NAMA",
    "tanggal_lahir": "TANGGAL LAHIR",
    "source_file": "FILE",
    "source_sheet": "LEMBAR",
    "source_row": "BARIS",
    "reason_code": "ALASAN",
    "reason": "KETERANGAN",
    "iddtks_kept": "IDDTKS DIPERTAHANKAN",
    "nik_kept": "NIK DIPERTAHANKAN",
    "nama_kept": "NAMA DIPERTAHANKAN",
    "village_kept": "DESA DIPERTAHANKAN",
    "person_id": "ID ORANG",
}


@dataclass(frozen=True)
class SubmissionSummary:
    """Where the submission went and how many rows each file holds."""

    path: Path
    rows_per_file: dict[str, int]


def dtks_records(persons: pl.DataFrame, kecamatan: Kecamatan) -> pl.DataFrame:
    """Active persons in the DTKS individual layout: one text column per DTKS header."""
    active = persons.filter(pl.col("is_active").fill_null(False)).sort(
        pl.col("desa_kode"),
        pl.col("no_kk"),
        pl.col("hubungan_keluarga") != "KEPALA KELUARGA",
        pl.col("tanggal_lahir"),
        pl.col("person_id"),
        nulls_last=True,
    )
    values: dict[str, pl.Expr] = {
        "provinsi": pl.lit(kecamatan.provinsi_nama),
        "kabupaten": pl.lit(kecamatan.kabupaten_nama),
        "kecamatan": pl.lit(kecamatan.nama),
        "desa": pl.col("desa_nama"),
        "tanggal_lahir": pl.col("tanggal_lahir").dt.strftime(DATE_FORMAT),
        "tanggal_update": pl.col("tanggal_update").dt.strftime(DATE_FORMAT),
        "jenis_kelamin": pl.col("jenis_kelamin").replace_strict(SEX_WORDS, default=None),
        "keterangan": pl.lit(None, dtype=pl.String),
        **{flag: _yes_no(flag) for flag in FLAG_COLUMNS},
    }
    return active.select(
        [
            values.get(column, pl.col(column) if column in active.columns else pl.lit(None))
            .cast(pl.String)
            .alias(header)
            for column, header in CANONICAL_COLUMNS.items()
        ]
        + [pl.col("village").alias("_village")]
    )


def _yes_no(flag: str) -> pl.Expr:
    """YA / TIDAK as in DTKS exports; empty when unknown."""
    value = pl.col(flag).cast(pl.Boolean)
    return pl.when(value).then(pl.lit("YA")).when(~value).then(pl.lit("TIDAK"))


def deactivation_lists(deactivations: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """One frame per deactivation file, with Bahasa Indonesia headers."""
    shown = deactivations.with_columns(pl.col("tanggal_lahir").dt.strftime(DATE_FORMAT)).select(
        pl.col(column).cast(pl.String).alias(header)
        for column, header in DEACTIVATION_HEADERS.items()
    )
    return {
        name: shown.filter(pl.col("ALASAN") == code) for code, name in DEACTIVATION_FILES.items()
    }


def write_submission(
    curated_dir: Path,
    persons: pl.DataFrame,
    deactivations: pl.DataFrame,
    kecamatan: Kecamatan,
    run_id: str,
) -> SubmissionSummary:
    """Write ``curated_dir/submission/`` and swap it in; return the rows of every file."""
    records = dtks_records(persons, kecamatan)
    files: dict[str, pl.DataFrame] = {
        f"desa_{desa.slug}.csv": records.filter(pl.col("_village") == desa.slug).drop("_village")
        for desa in kecamatan.desa
    }
    files[f"kecamatan_{slugify(kecamatan.nama)}.csv"] = records.drop("_village")
    files.update(deactivation_lists(deactivations))

    def build(folder: Path) -> None:
        manifest = []
        for name, frame in files.items():
            path = folder / name
            frame.write_csv(path, include_bom=True, quote_style="always")
            manifest.append({"file": name, "rows": frame.height, "sha256": _sha256(path)})
        (folder / "manifest.json").write_text(
            json.dumps(
                {
                    "run_id": run_id,
                    "kecamatan_kode": kecamatan.kode,
                    "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "files": manifest,
                },
                indent=2,
            ),
            encoding="utf-8",
        )

    path = replace_directory(curated_dir / SUBMISSION_DIR, build)
    return SubmissionSummary(path, {name: frame.height for name, frame in files.items()})


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
