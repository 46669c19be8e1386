"""Print every workbook of a run as an operator would: LibreOffice headless to PDF, pages to PNG.

    .venv/bin/python bench/bench_render.py                     # the store of `make run`
    .venv/bin/python bench/bench_render.py --work /tmp/w --out /tmp/render --dpi 80
    .venv/bin/python bench/bench_render.py --only kapong ringkasan-kecamatan   # two of them

Rebuilds the fix lists and the camat's summary from a run's work store (`$DTKS_WORK_DIR`,
as the `village_fix_lists` asset does, with this code), converts each workbook to PDF with
`soffice --headless --convert-to pdf` (so the print settings are LibreOffice's reading of
them: orientation, fit to width, repeated header rows, page header and footer), counts the
pages of each sheet (the sheet's name is in every page header) and writes the first pages
of each workbook as PNG. It fails when a summary sheet takes more than one page or a page
is not landscape. Look at the PNGs: they are what the operators will print.

Needs the Debian packages libreoffice-calc and poppler-utils
(`apt-get update && apt-get install -y libreoffice-calc poppler-utils`). Not run by CI.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dtks.quality import ISSUE_HISTORY_TABLE
from dtks.quality.accounting import store_row_accounting
from dtks.region import load_kecamatan
from dtks.reports import write_reports
from dtks.store import read_table

GENERATED_AT = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # fixed: runs give the same files
SUMMARY_SHEET = "Ringkasan"
TOOLS = {"soffice": "libreoffice-calc", "pdftoppm": "poppler-utils", "pdftotext": "poppler-utils"}


def rebuild_reports(work_dir: Path, kecamatan_code: str, out: Path) -> list[Path]:
    """The run's workbooks, written again from its work store by this code."""
    with duckdb.connect(str(work_dir / "store.duckdb"), read_only=True) as con:
        issues = read_table(con, ISSUE_HISTORY_TABLE)
        accounting = store_row_accounting(con)
        source_files = read_table(con, "source_files")
    if issues is None:
        raise SystemExit(f"{work_dir}: no published issues; run `make run` first")
    written = write_reports(
        out, load_kecamatan(kecamatan_code), issues, accounting, GENERATED_AT, source_files
    )
    return [*written.fix_lists.values(), written.summary]


def to_pdf(workbooks: list[Path], pdf_dir: Path) -> None:
    """One LibreOffice process for all workbooks, with a throwaway profile."""
    with tempfile.TemporaryDirectory(prefix="lo_profile_") as profile:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(pdf_dir),
                *map(str, workbooks),
            ],
            check=True,
            capture_output=True,
            timeout=1800,
        )


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def pages_per_sheet(pages: list[str], sheets: list[str]) -> Counter[str]:
    """Pages of each sheet: the sheet's name is the middle of every page header."""
    counts: Counter[str] = Counter()
    longest_first = sorted(sheets, key=len, reverse=True)
    for page in pages:
        head = next((line for line in page.splitlines() if line.strip()), "")
        counts[next((s for s in longest_first if s in head), "?")] += 1
    return counts


def is_landscape(pdf: Path) -> bool:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info.stdout)
    return bool(size) and float(size.group(1)) > float(size.group(2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("data/work"))
    parser.add_argument("--kecamatan", default="35.28.11")
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_render"))
    parser.add_argument("--dpi", type=int, default=70, help="resolution of the PNG pages")
    parser.add_argument("--png-pages", type=int, default=2, help="pages per workbook as PNG")
    parser.add_argument(
        "--only", nargs="*", default=None, help="render only these workbooks (file stems)"
    )
    args = parser.parse_args()
    missing = [f"{tool} ({package})" for tool, package in TOOLS.items() if not shutil.which(tool)]
    if missing:
        raise SystemExit(f"missing: {', '.join(missing)}; apt-get install them first")

    import openpyxl

    reports, pdf_dir, png_dir = args.out / "reports", args.out / "pdf", args.out / "png"
    for folder in (reports, pdf_dir, png_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    workbooks = rebuild_reports(args.work, args.kecamatan, reports)
    if args.only:
        workbooks = [book for book in workbooks if book.stem in args.only]
    started = time.perf_counter()
    to_pdf(workbooks, pdf_dir)
    convert_s = time.perf_counter() - started

    problems, lines = [], []
    for book in workbooks:
        pdf = pdf_dir / f"{book.stem}.pdf"
        sheets = openpyxl.load_workbook(book, read_only=True).sheetnames
        pages = page_texts(pdf)
        per_sheet = pages_per_sheet(pages, sheets)
        if per_sheet[SUMMARY_SHEET] != 1:
            problems.append(f"{book.name}: summary on {per_sheet[SUMMARY_SHEET]} pages")
        if not is_landscape(pdf):
            problems.append(f"{book.name}: pages are not landscape")
        subprocess.run(
            ["pdftoppm", "-png", "-r", str(args.dpi), "-f", "1", "-l", str(args.png_pages)]
            + [str(pdf), str(png_dir / book.stem)],
            check=True,
        )
        shown = ", ".join(f"{s} {per_sheet[s]}" for s in sheets if per_sheet[s])
        lines.append(f"{book.name:<28} {len(pages):>4} pages  ({shown})")
    print(f"{len(workbooks)} workbooks to PDF in {convert_s:.1f} s (LibreOffice headless)")
    print("\n".join(lines))
    print(f"PDF: {pdf_dir}  PNG (first {args.png_pages} pages each): {png_dir}")
    if problems:
        raise SystemExit("NOT PRINT-READY: " + "; ".join(problems))
    print("every summary on one page, every page landscape: OK")


if __name__ == "__main__":
    main()
