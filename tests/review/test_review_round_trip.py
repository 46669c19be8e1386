"""The clerks' round trip: workbook out, filled in with openpyxl like Excel would, decisions back in."""

from __future__ import annotations

import datetime as dt
import resource
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "match"))
from match_rows import background, clean_frame, nik_for, person  # noqa: E402

from dtks.match import MatchSettings, find_duplicates, record_keys  # noqa: E402
from dtks.review import (  # noqa: E402
    LEDGER_FILE,
    QUEUE_FILE,
    read_review_folder,
    write_review_queue,
)
from dtks.review.layout import SHEET_KONFIRMASI, SHEET_MASALAH, SHEET_PERIKSA  # noqa: E402

FAST = MatchSettings(u_sample_pairs=60_000)
LABELS = {rule.name: rule.label_id for rule in FAST.rules()}
BORN = dt.date(1962, 8, 14)
NIK = nik_for(BORN, "P", 21)
TYPO = NIK[:13] + "9" + NIK[14:]
HOME = {
    "nama_ibu_key": "MARYAM",
    "nama_ibu_kandung": "MARYAM BINTI SAMAD",
    "no_kk": "3528111207080004",
    "tempat_lahir_key": "PAMEKASAN",
    "dusun": "LAOK",
    "rt": "002",
    "rw": "001",
    "hubungan_keluarga": "ISTRI",
}
HEAD = {**HOME, "hubungan_keluarga": "KEPALA KELUARGA"}
BACKGROUND = background(600)


def _rows() -> list[dict[str, Any]]:
    """Rows 0-1: two heads of different KKs, same name and date, no NIK (review by rule).
    Rows 2-4: one woman with her NIK (2) and twice with a one-digit typo (3, 4): merged,
    2-3 and 2-4 flagged for confirmation."""
    return [
        person("ABD RAHMAN", BORN, sex="L", serial=None, **{**HEAD, "nama_ibu_key": None}),
        person(
            "ABD RAHMAN",
            BORN,
            sex="L",
            serial=None,
            row=3,
            **{**HEAD, "nama_ibu_key": None, "no_kk": "3528110101990001"},
        ),
        person("SITI AMINAH", BORN, nik=NIK, row=4, **HOME),
        person("SITI AMINAH", BORN, nik=TYPO, row=5, **HOME),
        person("SITI AMINAH", BORN, nik=TYPO, row=6, **HOME),
    ]


def _round(frame: pl.DataFrame, review_dir: Path):
    """One pipeline round: read the folder, match, write the next queue."""
    review = read_review_folder(review_dir)
    result = find_duplicates(frame, review.decisions, FAST)
    write_review_queue(review_dir, result, frame, review, LABELS)
    return review, result


def _same(result, a: int, b: int) -> bool:
    ids = result.clusters["cluster_id"]
    return ids[a] == ids[b]


def _sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    rows = list(openpyxl.load_workbook(path)[sheet].values)
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def _fill(
    path: Path, answers: dict[tuple[str, str], dict[str, str]], save_as: Path | None = None
) -> None:
    """Write answers into the queue sheets by record keys, as a clerk in Excel would."""
    book = openpyxl.load_workbook(path)
    for sheet in (SHEET_PERIKSA, SHEET_KONFIRMASI):
        ws = book[sheet]
        titles = [c.value for c in ws[1]]
        col = {t: i + 1 for i, t in enumerate(titles)}
        for r in range(2, ws.max_row + 1):
            keys = tuple(
                sorted((ws.cell(r, col["kunci_a"]).value, ws.cell(r, col["kunci_b"]).value))
            )
            for field, value in answers.get(keys, {}).items():
                ws.cell(r, col[field]).value = value
    book.save(save_as or path)


def _keys(frame: pl.DataFrame, a: int, b: int) -> tuple[str, str]:
    keys = record_keys(frame)
    return tuple(sorted((keys[a], keys[b])))  # type: ignore[return-value]


@pytest.fixture
def frame() -> pl.DataFrame:
    return clean_frame(_rows() + BACKGROUND)


def test_queue_shows_pairs_to_decide_side_by_side_and_masked(
    frame: pl.DataFrame, tmp_path: Path
) -> None:
    _, result = _round(frame, tmp_path)
    review = _sheet_rows(tmp_path / QUEUE_FILE, SHEET_PERIKSA)
    confirm = _sheet_rows(tmp_path / QUEUE_FILE, SHEET_KONFIRMASI)
    heads = next(r for r in review if {r["kunci_a"], r["kunci_b"]} == set(_keys(frame, 0, 1)))
    assert heads["Nama A"] == heads["Nama B"] == "ABD RAHMAN"
    assert "kepala keluarga" in heads["Alasan diperiksa"]
    assert heads["Keputusan"] is None
    typo = next(r for r in confirm if {r["kunci_a"], r["kunci_b"]} == set(_keys(frame, 2, 3)))
    assert typo["NIK A (disamarkan)"] == NIK[:6] + "*" * 8 + NIK[-2:]
    assert typo["Ibu kandung A (inisial)"] == "M***** B**** S****"
    assert (
        "baris 4"
        in typo["Asal data A (file, sheet, baris)"] + typo["Asal data B (file, sheet, baris)"]
    )
    assert typo["Yang cocok"]
    book = openpyxl.load_workbook(tmp_path / QUEUE_FILE)
    assert book.sheetnames[0] == "PETUNJUK"
    ws = book[SHEET_PERIKSA]
    hidden = [c for c, d in ws.column_dimensions.items() if d.hidden]
    assert hidden, "record keys sit in hidden columns"
    assert any("sama" in str(v.formula1) for v in ws.data_validations.dataValidation)


def test_sama_merges_a_review_pair_and_beda_splits_a_merge_to_confirm(
    frame: pl.DataFrame, tmp_path: Path
) -> None:
    _, before = _round(frame, tmp_path)
    assert not _same(before, 0, 1) and _same(before, 2, 3)
    _fill(
        tmp_path / QUEUE_FILE,
        {_keys(frame, 0, 1): {"Keputusan": "Sama "}, _keys(frame, 2, 3): {"Keputusan": "BEDA"}},
    )
    review, after = _round(frame, tmp_path)
    assert (review.count_must_link, review.count_cannot_link) == (1, 1)
    assert _same(after, 0, 1)
    # rows 3 and 4 are one record key (the same typo'd record twice): beda on 2-3 is beda on 2-4
    assert not _same(after, 2, 3) and not _same(after, 2, 4) and _same(after, 3, 4)
    decided = after.pairs.filter(pl.col("decided_by") == "review")
    assert decided.height >= 2
    remaining = {
        frozenset((r["kunci_a"], r["kunci_b"]))
        for sheet in (SHEET_PERIKSA, SHEET_KONFIRMASI)
        for r in _sheet_rows(tmp_path / QUEUE_FILE, sheet)
    }
    assert frozenset(_keys(frame, 0, 1)) not in remaining, "decided pairs leave the queue"
    assert frozenset(_keys(frame, 2, 3)) not in remaining


def test_beda_splits_a_cluster_at_its_weakest_edge(tmp_path: Path) -> None:
    # a (no NIK) = b (NIK) = c (same NIK, other village): a clerk says a and c are two people
    rows = [
        person("SITI AMINAH", BORN, serial=None, **HOME),
        person("SITI AMINAH", BORN, nik=NIK, row=3, **HOME),
        person(
            "SITI AMINAH",
            BORN,
            nik=NIK,
            row=4,
            village="blaban",
            **{**HOME, "no_kk": None, "hubungan_keluarga": "ANAK"},
        ),
    ]
    frame = clean_frame(rows + BACKGROUND)
    _, before = _round(frame, tmp_path)
    assert _same(before, 0, 1) and _same(before, 1, 2)
    (tmp_path / "keputusan_minggu1.xlsx").write_bytes((tmp_path / QUEUE_FILE).read_bytes())
    book = openpyxl.load_workbook(tmp_path / "keputusan_minggu1.xlsx")
    ws = book[SHEET_PERIKSA]
    ws.append([None] * 26)
    titles = [c.value for c in ws[1]]
    last = ws.max_row
    key_a, key_c = _keys(frame, 0, 2)
    ws.cell(last, titles.index("kunci_a") + 1).value = key_a
    ws.cell(last, titles.index("kunci_b") + 1).value = key_c
    ws.cell(last, titles.index("Keputusan") + 1).value = "beda"
    book.save(tmp_path / "keputusan_minggu1.xlsx")
    _, after = _round(frame, tmp_path)
    assert not _same(after, 0, 2)
    assert _same(after, 1, 2), (
        "the strong NIK edge stays; the weak edge to the row without NIK goes"
    )


def test_decisions_survive_a_reexport_and_a_regenerated_workbook(
    frame: pl.DataFrame, tmp_path: Path
) -> None:
    _round(frame, tmp_path)
    _fill(tmp_path / QUEUE_FILE, {_keys(frame, 0, 1): {"Keputusan": "sama"}})
    _round(frame, tmp_path)  # reads the decision; rewrites the workbook without that pair
    assert (tmp_path / LEDGER_FILE).exists()
    reexport = frame.reverse().with_columns(
        pl.lit("kapong/dtks_kapong_revisi.xlsx").alias("source_file"),
        pl.lit("DATA").alias("source_sheet"),
        (pl.int_range(pl.len()) + 7).cast(pl.Int64).alias("source_row"),
    )
    _, result = _round(reexport, tmp_path)
    n = reexport.height
    assert _same(result, n - 1, n - 2), "rows 0 and 1 are now the last two, in other files and rows"


def test_unreadable_answers_are_reported_and_handed_back(
    frame: pl.DataFrame, tmp_path: Path
) -> None:
    _round(frame, tmp_path)
    _fill(
        tmp_path / QUEUE_FILE,
        {
            _keys(frame, 0, 1): {"Keputusan": "ya", "Catatan": "tanya kades"},
            _keys(frame, 2, 3): {"Catatan": "cek KTP"},
        },
    )
    review, result = _round(frame, tmp_path)
    problem = review.problems.row(0, named=True)
    assert (problem["workbook"], problem["sheet"], problem["column"]) == (
        QUEUE_FILE,
        SHEET_PERIKSA,
        "Keputusan",
    )
    assert problem["row"] >= 2 and problem["value"] == "ya"
    assert not _same(result, 0, 1), "an unreadable answer decides nothing"
    again = {
        frozenset((r["kunci_a"], r["kunci_b"])): r
        for s in (SHEET_PERIKSA, SHEET_KONFIRMASI)
        for r in _sheet_rows(tmp_path / QUEUE_FILE, s)
    }
    heads = again[frozenset(_keys(frame, 0, 1))]
    assert (heads["Keputusan"], heads["Catatan"]) == ("ya", "tanya kades")
    assert "tidak dikenali" in heads["Pesan sistem"]
    assert again[frozenset(_keys(frame, 2, 3))]["Catatan"] == "cek KTP"
    masalah = _sheet_rows(tmp_path / QUEUE_FILE, SHEET_MASALAH)
    assert masalah[0]["Isian"] == "ya"


def test_conflicting_answers_in_two_workbooks_keep_people_apart(
    frame: pl.DataFrame, tmp_path: Path
) -> None:
    _round(frame, tmp_path)
    queue = tmp_path / QUEUE_FILE
    _fill(queue, {_keys(frame, 0, 1): {"Keputusan": "sama"}}, save_as=tmp_path / "keputusan_a.xlsx")
    _fill(
        queue, {_keys(frame, 0, 1): {"Keputusan": "beda"}}, save_as=tmp_path / "review_queue_b.xlsx"
    )
    review, result = _round(frame, tmp_path)
    assert not _same(result, 0, 1)
    assert any("sama dan beda" in m for m in review.problems["message"])


def test_clearing_an_answer_takes_the_decision_back(frame: pl.DataFrame, tmp_path: Path) -> None:
    _round(frame, tmp_path)
    copy = tmp_path / "keputusan_minggu1.xlsx"
    _fill(tmp_path / QUEUE_FILE, {_keys(frame, 2, 3): {"Keputusan": "beda"}}, save_as=copy)
    _, split = _round(frame, tmp_path)
    assert not _same(split, 2, 3)
    _fill(copy, {_keys(frame, 2, 3): {"Keputusan": None}})
    _, merged = _round(frame, tmp_path)
    assert _same(merged, 2, 3)


FORMULA_LIKE = ['=HYPERLINK("http://x","klik")', "+62 811", "-", "@SUM(A1)"]


def test_values_that_look_like_formulas_stay_text(tmp_path: Path) -> None:
    rows = _rows()
    for i, name in enumerate(FORMULA_LIKE[:2]):
        rows[i] = {**rows[i], "nama": name}
    rows[0]["nama_ibu_kandung"] = FORMULA_LIKE[2]
    rows[1]["iddtks"] = FORMULA_LIKE[3]
    frame = clean_frame(rows + BACKGROUND)
    _round(frame, tmp_path)
    ws = openpyxl.load_workbook(tmp_path / QUEUE_FILE)[SHEET_PERIKSA]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value is not None]
    texts = {c.value for c in cells}
    assert {FORMULA_LIKE[0], FORMULA_LIKE[1], FORMULA_LIKE[3]} <= texts
    assert all(c.data_type != "f" for c in cells)


def test_match_stage_reads_the_folder_and_writes_the_queue(
    frame: pl.DataFrame, tmp_path: Path
) -> None:
    from dtks.stages.match import match_kecamatan
    from dtks.store import WorkStore, read_table, replace_table

    review_dir = tmp_path / "review"
    store = WorkStore(tmp_path / "work" / "store.duckdb")
    with store.session() as con:
        replace_table(con, "clean_rows", frame)
        first = match_kecamatan(con, review_dir=review_dir, settings=FAST)
    assert first.review.queue_path == str(review_dir / QUEUE_FILE)
    assert first.review.count_queue_review >= 1 and first.review.count_queue_confirm >= 1
    _fill(
        review_dir / QUEUE_FILE,
        {_keys(frame, 0, 1): {"Keputusan": "sama"}, _keys(frame, 2, 3): {"Keputusan": "?"}},
    )
    with store.session() as con:
        second = match_kecamatan(con, review_dir=review_dir, settings=FAST)
        problems = read_table(con, "review_problems")
        pairs = read_table(con, "match_pairs")
    assert second.review.count_must_link == 1
    assert problems is not None and problems["value"].to_list() == ["?"]
    assert pairs is not None and "review" in pairs["decided_by"].to_list()


@contextmanager
def _files_limited_to(size: int) -> Iterator[None]:
    """Writes past `size` bytes fail with EFBIG, as on a full disk (CI runs as root)."""
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, limits[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)


# xlsxwriter leaves its half-written zip open when closing it fails; the zip's own __del__
# then fails to flush again under the limit (harmless: the staging file is removed).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_queue_that_cannot_be_written_is_reported_in_bahasa_not_raised(
    frame: pl.DataFrame, tmp_path: Path
) -> None:
    review_dir = tmp_path / "review"
    result = find_duplicates(frame, None, FAST)
    with _files_limited_to(1024):
        written = write_review_queue(review_dir, result, frame, None, LABELS)
    assert written.path is None
    assert written.error is not None
    assert written.error.startswith(
        f"Disk penuh: file pemeriksaan {QUEUE_FILE} tidak bisa ditulis ke folder {review_dir}"
    )
    assert "Hasil pencocokan tetap dipakai" in written.error
    assert not (review_dir / QUEUE_FILE).exists()
