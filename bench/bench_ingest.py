"""Reading speed of dtks.ingest on generated exports (CSV and XLSX, 17 DTKS columns).

    .venv/bin/python bench/bench_ingest.py --rows 77000 --files 13

Generates the files once into --dir (default: a temporary folder), then times `read_export` on
each and prints rows/s per format and the total. Not run by CI.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import xlsxwriter

from dtks.ingest import read_export

HEADER = [
    "IDDTKS",
    "PROVINSI",
    "KABUPATEN/KOTA",
    "KECAMATAN",
    "DESA/KELURAHAN",
    "ALAMAT",
    "DUSUN",
    "RT",
    "RW",
    "NOMOR KK",
    "NIK",
    "NAMA",
    "TANGGAL LAHIR",
    "TEMPAT LAHIR",
    "JENIS KELAMIN",
    "NAMA IBU KANDUNG",
    "HUBUNGAN KELUARGA",
]
NAMES = ["SITI AMINAH", "MOH. SUBAIRI", "ACH. FAUZI", "NUR HASANAH", "ABD. RAHMAN", "SA'DIYAH"]


def _person(rng: random.Random, i: int) -> list[object]:
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(30000))
    nik = f"352811{born:%d%m%y}{rng.randrange(1, 9999):04d}"
    return [
        f"DTKS{i:09d}",
        "JAWA TIMUR",
        "PAMEKASAN",
        "BATUMARMAR",
        "KAPONG",
        "DSN. LAOK",
        "LAOK",
        f"{rng.randrange(1, 20):03d}",
        f"{rng.randrange(1, 9):03d}",
        f"352811{rng.randrange(10**9):010d}",
        nik,
        rng.choice(NAMES),
        born,
        "PAMEKASAN",
        rng.choice("LP"),
        rng.choice(NAMES),
        "ANAK",
    ]


def write_csv(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["DATA DTKS DESA KAPONG"])
        writer.writerow(HEADER)
        for i in range(rows):
            person = _person(rng, i)
            person[12] = person[12].strftime("%d-%m-%Y")  # type: ignore[attr-defined]
            writer.writerow(person)


def write_xlsx(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = workbook.add_worksheet("DTKS")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["DATA DTKS DESA KAPONG"])
    sheet.write_row(2, 0, HEADER)
    for i in range(rows):
        person = _person(rng, i)
        sheet.write_row(3 + i, 0, person[:12])
        sheet.write_datetime(3 + i, 12, person[12], date_format)
        sheet.write_row(3 + i, 13, person[13:])
    workbook.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=77_000, help="rows per file")
    parser.add_argument("--files", type=int, default=13, help="files, alternating CSV and XLSX")
    parser.add_argument("--dir", type=Path, default=None, help="where to keep the generated files")
    args = parser.parse_args()
    raw_dir = args.dir or Path(tempfile.mkdtemp(prefix="bench_ingest_"))
    village = raw_dir / "kapong"
    village.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    started = time.perf_counter()
    for n in range(args.files):
        suffix = ".csv" if n % 2 == 0 else ".xlsx"
        path = village / f"export_{n:02d}_{args.rows}{suffix}"
        if not path.exists():
            (write_csv if suffix == ".csv" else write_xlsx)(path, args.rows, seed=n)
        paths.append(path)
    print(f"files ready in {time.perf_counter() - started:.1f} s under {raw_dir}")

    totals: dict[str, list[float]] = {".csv": [0, 0.0], ".xlsx": [0, 0.0]}
    started = time.perf_counter()
    for path in paths:
        t0 = time.perf_counter()
        read = read_export(path, raw_dir)
        elapsed = time.perf_counter() - t0
        assert read.status == "ok", read.error_message
        totals[path.suffix][0] += read.rows_read
        totals[path.suffix][1] += elapsed
        print(
            f"{path.name}: {read.rows_read:,} rows in {elapsed:.2f} s ({read.rows_read / elapsed:,.0f} rows/s)"
        )
    wall = time.perf_counter() - started
    for suffix, (rows, seconds) in totals.items():
        if rows:
            print(
                f"{suffix[1:]:>4}: {rows:,.0f} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s"
            )
    all_rows = sum(r for r, _ in totals.values())
    print(f"total: {all_rows:,.0f} rows in {wall:.2f} s = {all_rows / wall:,.0f} rows/s")


if __name__ == "__main__":
    main()
