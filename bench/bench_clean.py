"""Benchmark of dtks.clean.clean_rows on a synthetic 1,000,000-row raw frame with varied formats.

Run: .venv/bin/python bench/bench_clean.py [--rows 1000000] [--repeat 1]
Target (DESIGN.md section 6 budget): under 20 s for 1M rows on 2 cores.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

import numpy as np
import polars as pl

from dtks.clean import clean_rows
from dtks.region import load_kecamatan

REFERENCE = date(2025, 6, 1)
FIRST = [
    "MOH.",
    "MOCH",
    "MUHAMMAD",
    "ABD.",
    "ACHMAD",
    "AHMAD",
    "ST.",
    "SITI",
    "NUR",
    "H. ABDUL",
    "HJ. SITTI",
    "SAMSUL",
    "MA'RUF",
    "SA'DIYAH",
    "K.H. ALI",
    "FATIMAH",
    "M.",
    "ROSIDI",
    "HOLIL",
    "KHOLIL",
    "SUPARMAN",
    "JUMAIYAH",
    "MOHAMMAD",
    "SUTIKNO",
    "RUKAYAH",
    "ZAINAL",
    "MUNAWAROH",
    "ABDUL",
    "SUHARTO",
    "FAIZAH",
    "BADRUS",
    "HOSNAN",
    "MISNATUN",
    "SITTI",
    "SAFI'I",
    "ROFI'AH",
]
MIDDLE = [
    "",
    "",
    "",
    "NUR",
    "ABDUL",
    "AL",
    "FATHUL",
    "SYAMSUL",
    "ZAINUL",
    "KHOIRUL",
    "ROHMAN",
    "HASAN",
    "ALI",
    "AMIN",
    "FAUZI",
    "HIDAYAT",
    "ARIFIN",
    "HOLIS",
    "MANSUR",
    "SALEH",
]
LAST = [
    "HASAN",
    "AMINAH",
    "RAHMAN",
    "HOLIFAH",
    "MUSLIMAH",
    "SOEKARDI",
    "DJAENUDIN",
    "JUMA'ATI",
    "HOSNIYAH",
    "MAHFUD, S.PD",
    "ROFIQ",
    "ZAINAB",
    "",
    "SULAIMAN",
    "TJAHJONO",
    "HAFIDZ",
    "HOIRIYAH",
    "MUNIR",
    "WAHYUDI",
    "RIYADI",
    "QOMARIYAH",
    "HUSNUL",
    "JAMILAH",
    "SHOLEH",
    "FAIQOH",
    "ROHIM",
    "MAS'UD",
    "MUZAMMIL",
    "ALIMAH",
    "YASIN",
    "BAIDOWI",
    "ILYAS",
    "2",
]
RELATION = [
    "1",
    "2",
    "3",
    "KEPALA KELUARGA",
    "ISTRI",
    "ANAK",
    "ANAK KANDUNG",
    "CUCU",
    "FAMILI",
    "4",
    "SUAMI",
    "KEP. KELUARGA",
    "LAINNYA",
    "ORANG TUA",
    "x",
]
RELATION_P = [
    0.1,
    0.05,
    0.2,
    0.15,
    0.1,
    0.2,
    0.05,
    0.05,
    0.02,
    0.02,
    0.02,
    0.02,
    0.005,
    0.01,
    0.005,
]
MARITAL = ["KAWIN", "BELUM KAWIN", "CERAI MATI", "1", "2", "Cerai Hidup", None, "??"]
MARITAL_P = [0.4, 0.3, 0.05, 0.05, 0.1, 0.03, 0.065, 0.005]
FLAGS = ["YA", "TIDAK", "1", "0", "Y", "N", None, "?"]
FLAGS_P = [0.2, 0.5, 0.05, 0.1, 0.02, 0.02, 0.108, 0.002]
KET = [None, "meninggal", "alm.", "pindah", "ganda", "double", "tdk ditemukan", "catatan"]
KET_P = [0.95, 0.01, 0.005, 0.01, 0.005, 0.005, 0.005, 0.01]
DESA = ["Kapong", "KAPONG", "Ds. Kapung", "Bangsereh", "Kapnog", None, "Batu Bintang"]
DESA_P = [0.5, 0.2, 0.05, 0.01, 0.01, 0.22, 0.01]
PLACES = ["PAMEKASAN", "PAMEKSAN", "KAB. PAMEKASAN", "SUMENEP", "Batumarmar", "Surabaya", "-"]
PLACES_P = [0.6, 0.02, 0.1, 0.1, 0.1, 0.05, 0.03]
ROW_KINDS = ["data", "totals", "signature", "note"]
ROW_KINDS_P = [0.997, 0.001, 0.001, 0.001]


def _pick(
    rng: np.random.Generator, values: list, n: int, p: list[float] | None = None
) -> pl.Series:
    weights = None if p is None else np.asarray(p) / np.sum(p)
    return pl.Series(values, dtype=pl.String).gather(rng.choice(len(values), n, p=weights))


def _written_dates(rng: np.random.Generator, born: pl.Series) -> pl.Series:
    """Birth dates as operators write them: mostly dd-mm-yyyy, some other forms and defects."""
    form = rng.choice(8, len(born), p=[0.6, 0.1, 0.1, 0.05, 0.05, 0.05, 0.04, 0.01])
    frame = pl.DataFrame({"d": born, "f": form})
    return frame.select(
        pl.when(pl.col("f") == 0)
        .then(pl.col("d").dt.to_string("%d-%m-%Y"))
        .when(pl.col("f") == 1)
        .then(pl.col("d").dt.to_string("%d/%m/%Y"))
        .when(pl.col("f") == 2)
        .then(pl.col("d").dt.to_string("%Y-%m-%d"))
        .when(pl.col("f") == 3)
        .then(pl.col("d").dt.to_string("%d %b %Y"))
        .when(pl.col("f") == 4)
        .then((pl.col("d") - pl.date(1899, 12, 30)).dt.total_days().cast(pl.String))
        .when(pl.col("f") == 5)
        .then(pl.col("d").dt.to_string("%m/%d/%Y"))
        .when(pl.col("f") == 6)
        .then(pl.col("d").dt.to_string("%d.%m.%y"))
        .otherwise(pl.lit("31-02-1980"))
    ).to_series()


def _niks(
    rng: np.random.Generator, born: pl.Series, is_woman: np.ndarray
) -> tuple[pl.Series, pl.Series, np.ndarray]:
    """(written NIK, region prefix, was-numeric) with Excel damage, gaps and foreign prefixes."""
    rows = len(born)
    prefix = _pick(rng, ["352811", "352805", "357801"], rows, p=[0.93, 0.05, 0.02])
    nik_day = born.dt.day().cast(pl.Int32) + pl.Series(is_woman.astype(np.int32) * 40)
    serial = pl.Series(rng.integers(1, 3000, rows)).cast(pl.String).str.zfill(4)
    clean = (
        prefix
        + nik_day.cast(pl.String).str.zfill(2)
        + born.dt.month().cast(pl.String).str.zfill(2)
        + (born.dt.year() % 100).cast(pl.String).str.zfill(2)
        + serial
    )
    form = rng.choice(7, rows, p=[0.86, 0.03, 0.01, 0.03, 0.04, 0.01, 0.02])
    frame = pl.DataFrame({"n": clean, "f": form})
    written = frame.select(
        pl.when(pl.col("f") == 1)
        .then(pl.lit("'") + pl.col("n"))
        .when(pl.col("f") == 2)
        .then(pl.lit("3.52811E+15"))
        .when(pl.col("f") == 3)
        .then(pl.col("n").str.slice(0, 15) + "0")
        .when(pl.col("f") == 4)
        .then(pl.lit(None, pl.String))
        .when(pl.col("f") == 5)
        .then(pl.col("n").str.slice(0, 15))
        .when(pl.col("f") == 6)
        .then(pl.col("n").str.slice(0, 4) + " " + pl.col("n").str.slice(4))
        .otherwise(pl.col("n"))
    ).to_series()
    return written, prefix, form == 3


def _sexes(rng: np.random.Generator, is_woman: np.ndarray) -> pl.Series:
    """Sex as written, agreeing with the NIK except for 1% flips and 1% blanks."""
    men = _pick(
        rng, ["L", "LAKI-LAKI", "1", "Lk", "PRIA"], len(is_woman), p=[0.6, 0.2, 0.1, 0.05, 0.05]
    )
    women = _pick(
        rng, ["P", "PEREMPUAN", "2", "Pr", "WANITA"], len(is_woman), p=[0.6, 0.2, 0.1, 0.05, 0.05]
    )
    noise = rng.random(len(is_woman))
    woman_written = np.where(noise < 0.01, ~is_woman, is_woman)
    sexes = pl.Series(np.where(woman_written, women.to_numpy(), men.to_numpy()), dtype=pl.String)
    return sexes.scatter(np.flatnonzero(noise > 0.99), None)


def build_raw(rows: int, seed: int = 7) -> pl.DataFrame:
    """A realistic raw frame: the 'Raw rows' contract of docs/architecture.md."""
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 365 * 90, rows)
    born = pl.Series(np.datetime64("1935-01-01") + days.astype("timedelta64[D]")).cast(pl.Date)
    is_woman = rng.random(rows) < 0.5
    nik, prefix, nik_numeric = _niks(rng, born, is_woman)
    kk = (
        prefix
        + "0101"
        + pl.Series(rng.integers(10, 24, rows)).cast(pl.String)
        + pl.Series(rng.integers(1, 9999, rows)).cast(pl.String).str.zfill(4)
    )
    names = _pick(rng, FIRST, rows) + " " + _pick(rng, MIDDLE, rows) + " " + _pick(rng, LAST, rows)
    mothers = _pick(rng, ["ST. ", "SITI ", "", "HJ. "], rows) + _pick(rng, LAST, rows)
    flags = {flag: _pick(rng, FLAGS, rows, FLAGS_P) for flag in ("pkh", "bpnt", "pbi_jk", "bst")}
    return pl.DataFrame(
        {
            "source_file": pl.Series(["kapong/dtks_kapong.xlsx"] * rows),
            "source_sheet": pl.Series(["Sheet1"] * rows),
            "source_row": pl.Series(np.arange(2, rows + 2, dtype=np.int64)),
            "row_kind": _pick(rng, ROW_KINDS, rows, ROW_KINDS_P),
            "iddtks": pl.Series(rng.integers(10**9, 10**10, rows)).cast(pl.String),
            "provinsi": pl.Series(["JAWA TIMUR"] * rows),
            "kabupaten": pl.Series(["PAMEKASAN"] * rows),
            "kecamatan": pl.Series(["BATUMARMAR"] * rows),
            "desa": _pick(rng, DESA, rows, DESA_P),
            "alamat": _pick(rng, ["DSN. LAOK", "JL. RAYA", None], rows),
            "dusun": _pick(rng, ["LAOK", "DAJA", "TENGAH"], rows),
            "rt": _pick(
                rng,
                ["1", "02", "RT 03", "004", "-1", None, "1000"],
                rows,
                [0.3, 0.3, 0.1, 0.2, 0.005, 0.09, 0.005],
            ),
            "rw": _pick(rng, ["1", "2", "03", None], rows),
            "no_kk": kk,
            "nik": nik,
            "nama": names,
            "tanggal_lahir": _written_dates(rng, born),
            "tempat_lahir": _pick(rng, PLACES, rows, PLACES_P),
            "jenis_kelamin": _sexes(rng, is_woman),
            "nama_ibu_kandung": mothers,
            "hubungan_keluarga": _pick(rng, RELATION, rows, RELATION_P),
            "status_kawin": _pick(rng, MARITAL, rows, MARITAL_P),
            "pekerjaan": _pick(rng, ["PETANI", "NELAYAN", None], rows),
            "padan_dukcapil": _pick(rng, ["YA", "TIDAK", None], rows),
            **flags,
            "keterangan": _pick(rng, KET, rows, KET_P),
            "tanggal_update": _pick(rng, ["01-03-2024", "2024-02-28", None], rows),
            "nik_was_numeric": pl.Series(nik_numeric),
            "no_kk_was_numeric": pl.Series([False] * rows),
            "extras": pl.Series([None] * rows, dtype=pl.String),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    raw = build_raw(args.rows)
    print(f"built {raw.height:,} raw rows in {time.perf_counter() - started:.1f} s")
    kecamatan = load_kecamatan()
    for attempt in range(1, args.repeat + 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = clean_rows(raw, kecamatan, "kapong", reference_date=REFERENCE)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        print(
            f"run {attempt}: clean_rows {raw.height:,} rows in {elapsed:.2f} s wall, {cpu:.2f} s CPU "
            f"({result.clean.height:,} clean, {result.rejected.height:,} rejected, "
            f"{result.issues.height:,} issues)"
        )
    assert result.clean.height + result.rejected.height == raw.height


if __name__ == "__main__":
    main()
