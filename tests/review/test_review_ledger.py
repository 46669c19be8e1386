"""The clerks' decisions file: it outlives the workbooks, survives a spreadsheet's re-save, never loses a beda."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dtks.review import LEDGER_FILE, LedgerError, read_review_folder
from dtks.review.ledger import LEDGER_SCHEMA, load_ledger, save_ledger

KEY_A, KEY_B = "N-0123456789abcdef", "R-fedcba9876543210"


def _ledger(decision: str) -> pl.DataFrame:
    row = {name: None for name in LEDGER_SCHEMA} | {
        "record_key_l": KEY_A,
        "record_key_r": KEY_B,
        "keputusan": "beda",
        "decision": decision,
        "workbook": "keputusan_lama.xlsx",
        "sheet": "PERIKSA",
        "row": 7,
    }
    return pl.DataFrame([row], schema=LEDGER_SCHEMA)


def test_decisions_of_a_deleted_workbook_still_count(tmp_path: Path) -> None:
    save_ledger(tmp_path, _ledger("cannot_link"))
    review = read_review_folder(tmp_path)
    assert review.decisions.rows() == [(KEY_A, KEY_B, "cannot_link")]


def test_a_ledger_resaved_with_semicolons_is_read(tmp_path: Path) -> None:
    _ledger("cannot_link").write_csv(tmp_path / LEDGER_FILE, separator=";", include_bom=True)
    assert load_ledger(tmp_path)["decision"].to_list() == ["cannot_link"]


def test_a_damaged_ledger_stops_matching_and_is_kept(tmp_path: Path) -> None:
    damaged = "kunci;keputusan\nN-0123456789abcdef;beda\n"
    (tmp_path / LEDGER_FILE).write_text(damaged, encoding="utf-8")
    with pytest.raises(LedgerError, match="tidak bisa dibaca"):
        read_review_folder(tmp_path)
    assert (tmp_path / LEDGER_FILE).read_text(encoding="utf-8") == damaged
