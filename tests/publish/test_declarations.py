"""Each published table is declared once (dtks.publish.tables): the tables of each file,
their COMMENTs, the masked copies and the docs' table list all derive from the declarations."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from dtks.publish.atomic import publish_database
from dtks.publish.masking import IDENTIFIERS, NOTHING
from dtks.publish.paths import FULL, MASKED, PUBLISHED_FILES
from dtks.publish.tables import (
    DECLARED,
    DOCS_BEGIN,
    DOCS_END,
    DOCS_FILES,
    PUBLISHED_TABLES,
    TableDeclaration,
    docs_table_list,
    published_tables,
)

PROJECT = Path(__file__).resolve().parents[2]


def _comments(path: Path) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """COMMENT of every table, and of every column, of a published file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = dict(
            con.execute(
                "SELECT table_name, comment FROM duckdb_tables() WHERE NOT internal"
            ).fetchall()
        )
        columns = {
            (table, column): comment
            for table, column, comment in con.execute(
                "SELECT table_name, column_name, comment FROM duckdb_columns() "
                "WHERE NOT internal AND table_name IN (SELECT table_name FROM duckdb_tables())"
            ).fetchall()
        }
    finally:
        con.close()
    return tables, columns


@pytest.mark.parametrize("file", PUBLISHED_FILES, ids=lambda f: f.key)
def test_each_file_holds_the_declared_tables_with_their_comments(published_run, file) -> None:
    tables, columns = _comments(file.path(published_run["curated"]))
    assert sorted(tables) == sorted(t.name for t in PUBLISHED_TABLES if file in t.files)
    for name, comment in tables.items():
        declared = DECLARED[name]
        assert comment == declared.comment, name
        own = [column for (table, column) in columns if table == name]
        expected = declared.column_comments(own)
        assert {c: columns[(name, c)] for c in own} == expected, name


def test_the_masked_copy_drops_what_its_rule_drops_and_keeps_the_rest(published_run) -> None:
    _, full = _comments(FULL.path(published_run["curated"]))
    _, masked = _comments(MASKED.path(published_run["curated"]))
    for declared in PUBLISHED_TABLES:
        in_full = {c for (t, c) in full if t == declared.name}
        in_masked = {c for (t, c) in masked if t == declared.name}
        assert in_masked == in_full - set(declared.masking.dropped), declared.name


def test_a_table_declared_with_nothing_to_mask_has_no_identifying_column(published_run) -> None:
    _, full = _comments(FULL.path(published_run["curated"]))
    for declared in PUBLISHED_TABLES:
        if declared.masking != NOTHING:
            continue
        columns = [c for (t, c) in full if t == declared.name]
        assert IDENTIFIERS.select(columns) == ", ".join(f'"{c}"' for c in columns), declared.name


@pytest.mark.parametrize("doc", DOCS_FILES)
def test_the_docs_list_the_declared_tables(doc: str) -> None:
    """`python -m dtks.publish.tables` writes the list; a declaration changed without it fails."""
    text = (PROJECT / doc).read_text(encoding="utf-8")
    listed = text[text.index(DOCS_BEGIN) + len(DOCS_BEGIN) : text.index(DOCS_END)].strip()
    assert listed == docs_table_list()
    for declared in PUBLISHED_TABLES:
        assert f"| `{declared.name}` | {declared.comment} |" in listed


def test_a_new_declaration_is_copied_masked_and_described(tmp_path: Path) -> None:
    """A table added by its declaration alone: its rows copied from the store by its query,
    its COMMENTs written, its masked copy masked by its rule, and a full-only table kept out
    of the masked file."""
    store = duckdb.connect()
    store.execute(
        "CREATE TABLE store_items AS SELECT 'kapong' AS village, '3528114506890001' AS nik, "
        "'SITI AMINAH' AS nama_ibu_kandung, '{\"x\": 1}' AS extras, "
        "'pindah ke KK 3528110101100099' AS catatan"
    )
    declarations = (
        TableDeclaration(
            "items",
            "Items, one per row",
            {"village": "Village slug", "nik": "NIK of the item's person"},
            query="SELECT * FROM store_items",
        ),
        TableDeclaration(
            "notes",
            "Notes for the full file only",
            {"note": "A note"},
            computed_by="a function of the test",
            files=(FULL,),
        ),
    )
    computed = {"notes": pl.DataFrame({"note": ["hanya untuk berkas penuh"]})}
    for file in PUBLISHED_FILES:
        tables = published_tables(store, file, computed, declarations)
        publish_database(file.path(tmp_path), tables, con=store)
    full_tables, full_columns = _comments(FULL.path(tmp_path))
    masked_tables, masked_columns = _comments(MASKED.path(tmp_path))
    assert full_tables == {"items": "Items, one per row", "notes": "Notes for the full file only"}
    assert masked_tables == {"items": "Items, one per row"}
    assert (
        full_columns[("items", "nik")]
        == masked_columns[("items", "nik")]
        == ("NIK of the item's person")
    )
    assert ("items", "extras") in full_columns and ("items", "extras") not in masked_columns
    con = duckdb.connect(str(MASKED.path(tmp_path)), read_only=True)
    try:
        assert con.execute("SELECT nik, nama_ibu_kandung, catatan FROM items").fetchall() == [
            ("352811********01", "S*** A*****", "pindah ke KK 352811********99")
        ]
    finally:
        con.close()


def test_computed_tables_must_be_the_declared_ones() -> None:
    store = duckdb.connect()
    with pytest.raises(ValueError, match="differ from the declared"):
        published_tables(store, FULL, {"runs": pl.DataFrame({"run_id": ["r1"]})})


def test_a_declaration_has_one_source() -> None:
    with pytest.raises(ValueError, match="either a query or computed_by"):
        TableDeclaration("both", "?", {}, query="SELECT 1", computed_by="f")
    with pytest.raises(ValueError, match="either a query or computed_by"):
        TableDeclaration("neither", "?", {})


def test_keys_made_from_a_nik_are_hashed_again_in_the_masked_file(published_run) -> None:
    """A record key is a hash of NIK, name and birth date: with the masked NIK and the birth
    date beside it, about 100 candidates give it back. The masked file holds it hashed again
    with the work store's secret, the same in every table, so joins still work."""
    full = duckdb.connect(str(FULL.path(published_run["curated"])), read_only=True)
    masked = duckdb.connect(str(MASKED.path(published_run["curated"])), read_only=True)
    try:
        full_keys = {k for (k,) in full.execute("SELECT record_key FROM person_sources").fetchall()}
        masked_keys = {
            k for (k,) in masked.execute("SELECT record_key FROM person_sources").fetchall()
        }
        pair_keys = {
            k
            for (k,) in masked.execute(
                "SELECT record_key_l FROM match_pairs UNION SELECT record_key_r FROM match_pairs"
            ).fetchall()
        }
    finally:
        full.close()
        masked.close()
    assert len(masked_keys) == len(full_keys) > 0
    assert not masked_keys & full_keys
    assert all(k.startswith("k-") and len(k) == 18 and k[2:].isalpha() for k in masked_keys)
    assert pair_keys and pair_keys <= masked_keys
