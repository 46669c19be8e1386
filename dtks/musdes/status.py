"""Statuses of the deliberation items: read back from the filled workbooks, kept in a ledger,
applied to the next run's items (the review round trip of `dtks.review`, for the village
deliberation).

    entries, problems = read_status_workbooks([reports / "musdes", review_dir / "musdes"])
    ledger = merge_statuses(load_ledger(review_dir), entries, items, now)
    save_ledger(review_dir, ledger)
    items = apply_statuses(items, ledger)

Workbooks come and go (the pipeline rewrites `reports/musdes/<village>.xlsx` every run, operators
keep copies), so every status read is kept in `$DTKS_REVIEW_DIR/musdes/status_musdes.csv`, one
line per item: its current status, the operator's note and the history of its statuses
(JSON: status, when it was read, from which workbook). The ledger holds item ids, kinds and
reasons: no NIK, no KK, no name. An item the next export no longer produces (a person removed
after the deliberation) keeps its line and is published with `is_current = false`.

A status cell left empty changes nothing; a word outside the list is reported with the
file, sheet and row, and changes nothing either.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from python_calamine import CalamineError, CalamineWorkbook

from dtks.files import replaced_atomically
from dtks.privacy import mask_text
from dtks.review.readback import PROBLEM_SCHEMA  # the review round trip's problems, same columns

# The statuses an operator writes, in the order of the deliberation.
WORKBOOK_STATUSES = ("diusulkan", "diterima", "ditolak", "selesai")
NOT_DISCUSSED = "belum"  # an item no operator has given a status yet
STATUSES = (NOT_DISCUSSED, *WORKBOOK_STATUSES)
STATUS_LABELS = {
    "belum": "Belum dibahas",
    "diusulkan": "Diusulkan",
    "diterima": "Diterima",
    "ditolak": "Ditolak",
    "selesai": "Selesai",
}
LEDGER_DIR = "musdes"
LEDGER_FILE = "status_musdes.csv"
# hex digits, or letters once keyed with the store's secret (`with_secret_item_ids`)
ITEM_ID_PATTERN = re.compile(r"^M-[0-9a-p]{16}$")
HEADER_SEARCH_ROWS = 10

ENTRY_SCHEMA: dict[str, pl.DataType] = {
    "item_id": pl.String(),
    "status": pl.String(),
    "catatan": pl.String(),
    "workbook": pl.String(),
    "sheet": pl.String(),
    "row": pl.Int64(),
    "modified_at": pl.Float64(),  # the workbook's modification time: the newest copy wins
}
LEDGER_SCHEMA: dict[str, pl.DataType] = {
    "item_id": pl.String(),
    "village": pl.String(),
    "kind": pl.String(),
    "reason": pl.String(),
    "status": pl.String(),
    "catatan": pl.String(),
    "updated_at": pl.String(),  # ISO 8601 UTC of the last change
    "history": pl.String(),  # JSON [{"status", "at", "workbook"}]
}


@dataclass(frozen=True)
class StatusRead:
    """What the workbooks said: entries, problems, and the workbooks read."""

    entries: pl.DataFrame
    problems: pl.DataFrame
    workbooks_read: list[str]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_status_workbooks(folders: list[Path]) -> StatusRead:
    """Every `.xlsx` in `folders` whose sheets have the `kunci` and `Status` columns."""
    entries: list[dict] = []
    problems: list[dict] = []
    read: list[str] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.xlsx")):
            if path.name.startswith(("~$", ".")):
                continue
            try:
                book = CalamineWorkbook.from_path(str(path))
            except (CalamineError, OSError, ValueError) as error:
                problems.append(
                    _problem(path.name, None, None, None, None, f"File tidak terbaca: {error}")
                )
                continue
            found = False
            for name in book.sheet_names:
                rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                sheet_entries, sheet_problems = _read_sheet(
                    path.name, name, rows, path.stat().st_mtime
                )
                found = found or sheet_entries is not None
                entries.extend(sheet_entries or [])
                problems.extend(sheet_problems)
            if found:
                read.append(path.name)
    return StatusRead(
        pl.DataFrame(entries, schema=ENTRY_SCHEMA, orient="row"),
        pl.DataFrame(problems, schema=PROBLEM_SCHEMA, orient="row"),
        read,
    )


def _read_sheet(
    workbook: str, sheet: str, rows: list[list[object]], modified_at: float
) -> tuple[list[dict] | None, list[dict]]:
    header = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [_cell(c).lower() for c in row]
        if "kunci" in names and "status" in names:
            header = (
                index,
                names.index("kunci"),
                names.index("status"),
                (names.index("catatan") if "catatan" in names else None),
            )
            break
    if header is None:
        return None, []
    start, key_col, status_col, note_col = header
    entries: list[dict] = []
    problems: list[dict] = []
    for offset, row in enumerate(rows[start + 1 :], start=start + 2):
        key = _cell(row[key_col]) if key_col < len(row) else ""
        status = _cell(row[status_col]).lower() if status_col < len(row) else ""
        note = _cell(row[note_col]) if note_col is not None and note_col < len(row) else ""
        if not key:
            if status:
                problems.append(
                    _problem(
                        workbook,
                        sheet,
                        offset,
                        "kunci",
                        None,
                        "Baris berstatus tanpa kunci: "
                        "status tidak dibaca. Jangan menghapus atau mengubah kolom kunci.",
                    )
                )
            continue
        if not ITEM_ID_PATTERN.match(key):
            problems.append(
                _problem(
                    workbook,
                    sheet,
                    offset,
                    "kunci",
                    key,
                    "Kunci rusak: status baris ini "
                    "tidak dibaca. Salin ulang baris dari bahan musyawarah terbaru.",
                )
            )
            continue
        if status and status not in WORKBOOK_STATUSES:
            problems.append(
                _problem(
                    workbook,
                    sheet,
                    offset,
                    "Status",
                    status,
                    f"Status '{mask_text(status)[:30]}' tidak dikenal; tulis salah satu: "
                    + ", ".join(WORKBOOK_STATUSES),
                )
            )
            continue
        if status or note:
            entries.append(
                {
                    "item_id": key,
                    "status": status or None,
                    "catatan": note or None,
                    "workbook": workbook,
                    "sheet": sheet,
                    "row": offset,
                    "modified_at": modified_at,
                }
            )
    return entries, problems


def _problem(
    workbook: str,
    sheet: str | None,
    row: int | None,
    column: str | None,
    value: str | None,
    message: str,
) -> dict:
    return {
        "workbook": workbook,
        "sheet": sheet,
        "row": row,
        "column": column,
        "value": None if value is None else mask_text(value)[:60],  # a NIK typed in a cell
        "message": mask_text(message),
    }


def ledger_path(review_dir: Path) -> Path:
    return Path(review_dir) / LEDGER_DIR / LEDGER_FILE


def load_ledger(review_dir: Path) -> pl.DataFrame:
    """The stored ledger, or an empty one."""
    path = ledger_path(review_dir)
    if not path.exists():
        return pl.DataFrame(schema=LEDGER_SCHEMA)
    frame = pl.read_csv(path, infer_schema=False)
    return frame.select(
        [
            (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
            for c, t in LEDGER_SCHEMA.items()
        ]
    )


def save_ledger(review_dir: Path, ledger: pl.DataFrame) -> None:
    path = ledger_path(review_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with replaced_atomically(path) as staging:
        ledger.sort("item_id").write_csv(staging)


def merge_statuses(
    ledger: pl.DataFrame,
    entries: pl.DataFrame,
    items: pl.DataFrame,
    now: datetime | None = None,
    previous: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The ledger updated with what the workbooks say (the newest workbook wins per item).

    A status that differs from the ledger's is recorded with the time and the workbook; a
    status equal to it changes nothing, so reading the same workbook twice adds no history.
    Items are only taken from the workbooks when this run, the previous run (`previous`: the
    items the workbooks were written from, which this run may no longer produce) or the
    ledger knows them.
    """
    at = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    latest = entries.sort("modified_at", "workbook", "row").unique("item_id", keep="last")
    columns = ["item_id", "village", "kind", "reason"]
    known = items.select(columns)
    if previous is not None and previous.height:
        known = pl.concat([previous.select(columns), known]).unique("item_id", keep="last")
    records = {r["item_id"]: dict(r) for r in ledger.iter_rows(named=True)}
    described = {r["item_id"]: r for r in known.iter_rows(named=True)}
    for entry in latest.iter_rows(named=True):
        key = entry["item_id"]
        if key not in records and key not in described:
            continue  # an item of some other kecamatan's workbook, or of a reset store
        record = records.setdefault(
            key, {**dict.fromkeys(LEDGER_SCHEMA), **described[key], "history": "[]"}
        )
        if entry["catatan"] is not None:
            record["catatan"] = entry["catatan"]
        if entry["status"] is not None and entry["status"] != record["status"]:
            history = json.loads(record["history"] or "[]")
            history.append({"status": entry["status"], "at": at, "workbook": entry["workbook"]})
            record["status"] = entry["status"]
            record["history"] = json.dumps(history, ensure_ascii=False)
            record["updated_at"] = at
    return pl.DataFrame(list(records.values()), schema=LEDGER_SCHEMA, orient="row")


def apply_statuses(items: pl.DataFrame, ledger: pl.DataFrame) -> pl.DataFrame:
    """Items with `status`, `catatan`, `status_updated_at`, `status_history`, `is_current`;
    ledger items the run no longer produces are added with `is_current = false`."""
    kept = ledger.select(
        "item_id",
        "status",
        "catatan",
        pl.col("updated_at").alias("status_updated_at"),
        pl.col("history").alias("status_history"),
    )
    current = items.join(kept, on="item_id", how="left").with_columns(
        pl.col("status").fill_null(NOT_DISCUSSED),
        pl.col("status_history").fill_null("[]"),
        pl.lit(True).alias("is_current"),
    )
    gone = ledger.filter(~pl.col("item_id").is_in(items["item_id"].to_list())).select(
        "item_id",
        "village",
        "kind",
        "reason",
        pl.col("status").fill_null(NOT_DISCUSSED),
        "catatan",
        pl.col("updated_at").alias("status_updated_at"),
        pl.col("history").fill_null("[]").alias("status_history"),
        pl.lit(False).alias("is_current"),
    )
    return pl.concat([current, gone], how="diagonal_relaxed")
