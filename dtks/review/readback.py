"""Reading clerks' filled review workbooks back (python-calamine): entries keyed by record keys, and problems.

Every ``*.xlsx`` in the review folder is read: the workbook this pipeline wrote last and the
copies clerks saved under other names (``keputusan_minggu1.xlsx``). A sheet counts when a header
row in its first rows names the key columns ``kunci_a``, ``kunci_b`` and ``Keputusan``;
other sheets (PETUNJUK, a clerk's own notes) and workbooks are skipped.

Every row with valid keys becomes an entry, also an empty one: an emptied decision cell is how
a clerk takes a decision back (`dtks.review.ledger.merge_entries`). Only ``sama`` / ``beda`` (and
``same`` / ``different``), in any case and spacing, are decisions; anything else ("ya", "sama?",
a number) is reported as a problem naming the file, sheet and row, and kept as written so the
clerk sees it again. Rows whose keys are missing or damaged are reported too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum

from dtks.match import CANNOT_LINK, MUST_LINK
from dtks.review.layout import (
    CANNOT_LINK_WORDS,
    MUST_LINK_WORDS,
    RECORD_KEY_PATTERN,
    decision_word,
    header_name,
)

HEADER_SEARCH_ROWS = 15
KEY_A, KEY_B, DECISION, NOTE = "kunci_a", "kunci_b", "keputusan", "catatan"

ENTRY_SCHEMA: dict[str, pl.DataType] = {
    "record_key_l": pl.String(),
    "record_key_r": pl.String(),
    "keputusan": pl.String(),  # what the clerk wrote, trimmed (null when empty)
    "decision": pl.String(),  # must_link / cannot_link; null when undecided or unreadable
    "catatan": pl.String(),
    "workbook": pl.String(),
    "sheet": pl.String(),
    "row": pl.Int64(),
}

PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "workbook": pl.String(),
    "sheet": pl.String(),
    "row": pl.Int64(),
    "column": pl.String(),
    "value": pl.String(),
    "message": pl.String(),
}


@dataclass(frozen=True)
class ReadBack:
    """What the review folder said: entries (`ENTRY_SCHEMA`), problems (`PROBLEM_SCHEMA`), files."""

    entries: pl.DataFrame
    problems: pl.DataFrame
    workbooks_read: list[str]
    workbooks_skipped: list[str]


def review_workbooks(review_dir: Path) -> list[Path]:
    """The ``.xlsx`` files of the folder (not Excel's ``~$`` lock files or hidden temporaries)."""
    if not review_dir.is_dir():
        return []
    return sorted(
        p
        for p in review_dir.iterdir()
        if p.is_file() and p.suffix.lower() == ".xlsx" and not p.name.startswith(("~$", "."))
    )


def decision_of(text: str) -> str | None:
    """``"Sama "`` -> must_link, ``"BEDA"`` -> cannot_link, anything else -> None."""
    word = decision_word(text)
    if word in MUST_LINK_WORDS:
        return MUST_LINK
    if word in CANNOT_LINK_WORDS:
        return CANNOT_LINK
    return None


def _cell_text(value: object) -> str:
    """A cell as text: numbers without a trailing .0, dates in ISO form, empty as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _header(rows: list[list[object]]) -> tuple[int, dict[str, int]] | None:
    """Index of the header row and the positions of the columns we read, or None."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [header_name(cell) for cell in row]
        if {KEY_A, KEY_B, DECISION} <= set(names):
            return index, {
                name: names.index(name) for name in (KEY_A, KEY_B, DECISION, NOTE) if name in names
            }
    return None


def _problem(
    workbook: str,
    sheet: str | None,
    row: int | None,
    column: str | None,
    value: str | None,
    message: str,
) -> dict[str, object]:
    return {
        "workbook": workbook,
        "sheet": sheet,
        "row": row,
        "column": column,
        "value": None if value is None else value[:60],
        "message": message,
    }


def read_sheet(
    workbook: str, sheet: str, rows: list[list[object]]
) -> tuple[list[dict[str, object]], list[dict[str, object]]] | None:
    """Entries and problems of one sheet (rows as calamine gives them), or None if not a queue sheet."""
    found = _header(rows)
    if found is None:
        return None
    header_index, position = found
    entries: list[dict[str, object]] = []
    problems: list[dict[str, object]] = []

    def cell(row: list[object], name: str) -> str:
        j = position.get(name)
        return _cell_text(row[j]) if j is not None and j < len(row) else ""

    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        excel_row = index + 1
        key_a, key_b = cell(row, KEY_A), cell(row, KEY_B)
        written, note = cell(row, DECISION), cell(row, NOTE)
        if not (written or note or key_a or key_b):
            continue
        keys_ok = bool(RECORD_KEY_PATTERN.fullmatch(key_a) and RECORD_KEY_PATTERN.fullmatch(key_b))
        if not keys_ok and not (written or note):
            continue
        if not keys_ok:
            problems.append(
                _problem(
                    workbook,
                    sheet,
                    excel_row,
                    "kunci_a/kunci_b",
                    None,
                    "kunci pasangan kosong atau rusak, isian baris ini tidak bisa dipakai: "
                    "salin ulang baris dari file review_queue.xlsx terbaru (kolom kunci_a dan "
                    "kunci_b tersembunyi tidak boleh diubah)",
                )
            )
            continue
        if key_a == key_b:
            continue
        decision = decision_of(written) if written else None
        if written and decision is None:
            problems.append(
                _problem(
                    workbook,
                    sheet,
                    excel_row,
                    "Keputusan",
                    written,
                    f"isian Keputusan '{written[:30]}' tidak dikenali: tulis sama (orang yang "
                    "sama) atau beda (dua orang berbeda), atau kosongkan bila belum yakin",
                )
            )
        left, right = sorted((key_a, key_b))
        entries.append(
            {
                "record_key_l": left,
                "record_key_r": right,
                "keputusan": written or None,
                "decision": decision,
                "catatan": note or None,
                "workbook": workbook,
                "sheet": sheet,
                "row": excel_row,
            }
        )
    return entries, problems


def read_review_workbooks(review_dir: Path) -> ReadBack:
    """Entries and problems of every review workbook in ``review_dir`` (missing folder: none)."""
    entries: list[dict[str, object]] = []
    problems: list[dict[str, object]] = []
    read, skipped = [], []
    for path in review_workbooks(Path(review_dir)):
        name = path.name
        try:
            found_sheet = _read_workbook(path, name, entries, problems)
        except PasswordError:
            problems.append(
                _problem(
                    name,
                    None,
                    None,
                    None,
                    None,
                    "file terkunci kata sandi: simpan ulang tanpa kata sandi",
                )
            )
            continue
        except (CalamineError, OSError, ValueError) as error:
            problems.append(
                _problem(
                    name,
                    None,
                    None,
                    None,
                    None,
                    f"file tidak bisa dibaca ({type(error).__name__}): simpan ulang sebagai .xlsx dari Excel",
                )
            )
            continue
        (read if found_sheet else skipped).append(name)
    return ReadBack(
        entries=pl.DataFrame(entries, schema=ENTRY_SCHEMA),
        problems=pl.DataFrame(problems, schema=PROBLEM_SCHEMA),
        workbooks_read=read,
        workbooks_skipped=skipped,
    )


def _read_workbook(
    path: Path, name: str, entries: list[dict[str, object]], problems: list[dict[str, object]]
) -> bool:
    """Append the entries and problems of one workbook; True if it had a queue sheet."""
    found = False
    with CalamineWorkbook.from_path(str(path)) as workbook:
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            rows = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            result = read_sheet(name, meta.name, rows)
            if result is None:
                continue
            found = True
            entries.extend(result[0])
            problems.extend(result[1])
    return found
