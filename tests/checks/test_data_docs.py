"""Data docs a data office can open: built by GX's own site builder through a file-backed
context and its UpdateDataDocsAction, loading nothing from the web, suites and data named
for people, an index in Bahasa Indonesia that tells a blocking failure from a warning."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import polars as pl
import pytest

from assets.gx_suites import check_outcomes, load_suite, validate, write_data_docs

# person_id P-1 twice (blocking: the publish stops); one NIK on two persons (a warning)
PERSONS = pl.DataFrame(
    {
        "person_id": ["P-1", "P-1", "P-2"],
        "villages": ["kapong", "blaban", "kapong"],
        "nik_masked": ["352811********01", "352811********02", "352811********03"],
        "count_persons_with_nik": [1, 1, 2],
        "count_pairs_across_safety_line": [0, 0, 0],
        "rows_across_safety_line": [None, None, None],
    },
    schema_overrides={"rows_across_safety_line": pl.String},
)
VILLAGES = pl.DataFrame(
    {
        "village": ["kapong", "blaban"],
        "rows_read": [10, 5],
        "rows_accepted": [10, 5],
        "rows_rejected": [0, 0],
        "rows_accounted_for": [10, 5],
        "rows_accepted_before": [None, None],
        "drop_share": [None, None],
    },
    schema_overrides={"rows_accepted_before": pl.Int64, "drop_share": pl.Float64},
)
ASSET_TAG = re.compile(r"<(?:script|img)\b[^>]*\bsrc=\"([^\"]+)\"|<link\b[^>]*\bhref=\"([^\"]+)\"")


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    docs_dir = tmp_path_factory.mktemp("curated") / "data_docs"
    for name, frame, parameters in (
        ("persons", PERSONS, None),
        ("villages", VILLAGES, {"max_drop_share": 0.2}),
    ):
        suite = load_suite(name)
        for _ in range(2):  # a second run replaces the first: one result per suite shown
            result = validate(suite, frame, parameters, docs_dir)
            write_data_docs(docs_dir, suite, result, check_outcomes(suite, result, frame))
    return docs_dir


def pages(docs: Path) -> list[Path]:
    return sorted(p for p in docs.rglob("*.html") if ".gx" not in p.parts)


def row_of(index: str, check: str) -> str:
    row = next(r for r in index.split("<tr") if check in r)
    return row


def test_the_index_is_in_bahasa_and_tells_blocking_failures_from_warnings(docs: Path) -> None:
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert '<html lang="id">' in index
    assert "Hasil pemeriksaan data DTKS" in index
    shown = re.sub(r"<[^>]+>", " ", index)  # the text a reader sees
    assert not re.search(r"\b(FAILED|failed|passed|warning)\b", shown)
    assert "1 pemeriksaan gagal dan menghentikan terbitan" in index
    blocking = row_of(index, "person_id_is_unique")
    assert "verdict-blocking" in blocking and "Gagal - terbitan dihentikan" in blocking
    warning = row_of(index, "each_nik_belongs_to_one_person")
    assert "verdict-warning" in warning and "Peringatan" in warning
    assert "verdict-blocking" not in warning
    for passed in ("rows_are_accounted_for", "village_row_count_did_not_drop"):
        assert "verdict-passed" in row_of(index, passed)
    # what stopped the publish first, then warnings, then passes, across suites
    table = index[index.index("<tbody>") :]
    assert table.index("person_id_is_unique") < table.index("each_nik_belongs_to_one_person")
    assert table.index("each_nik_belongs_to_one_person") < table.index("rows_are_accounted_for")
    # Bahasa descriptions from the suites, not the English ones
    assert "Satu NIK yang sah tidak dipakai dua orang yang berbeda." in warning


def test_gx_builds_its_site_through_the_checkpoint_one_result_per_suite(docs: Path) -> None:
    for suite in ("persons", "villages"):
        site = docs / "gx" / suite
        assert (site / "index.html").exists()
        validations = sorted((site / "validations").rglob("*.html"))
        assert len(validations) == 1, validations  # the earlier run's page is gone
        assert len(list((site / "expectations").glob("*.html"))) == 1


def test_pages_load_nothing_from_the_web_and_their_assets_are_beside_them(docs: Path) -> None:
    checked = 0
    for page in pages(docs):
        text = page.read_text(encoding="utf-8")
        for match in ASSET_TAG.finditer(text):
            url = next(g for g in match.groups() if g)
            assert not url.startswith(("http:", "https:", "//")), (page, url)
            target = (page.parent / unquote(url.split("?")[0])).resolve()
            assert target.exists(), (page, url)
            checked += 1
    assert checked > 20
    assert (docs / "static/vendor/bootstrap/css/bootstrap.min.css").stat().st_size > 100_000


def test_suites_and_data_are_named_for_people(docs: Path) -> None:
    texts = "".join(p.read_text(encoding="utf-8") for p in pages(docs))
    assert "Data asset: None" not in texts
    assert "Data asset: Orang hasil rekonsiliasi (fakta turunan, NIK disamarkan)" in texts
    assert not re.search(r"\b(persons|villages)-[0-9a-f]{12}\b", texts)  # no fingerprints
    names = {p.stem for p in (docs / "gx").glob("*/expectations/*.html")}
    assert names == {"Orang hasil rekonsiliasi", "Jumlah baris per desa"}


def test_examples_show_masked_numbers_only(docs: Path) -> None:
    page = (docs / "persons.html").read_text(encoding="utf-8")
    assert "352811********03" in page  # the shared NIK's row, masked
    assert not re.search(r"\b\d{16}\b", "".join(p.read_text() for p in pages(docs)))
