"""The published tables, each declared once: its name, where its rows come from, its
COMMENTs, how its masked copy is masked and which published files it goes to.

Everything else is derived from `PUBLISHED_TABLES`: the tables the publish stage copies
(`published_tables`), the masked copy (`Masking.select`), the COMMENTs of every table and
column, the column descriptions Dagster shows (`column_comments`), and the table list of
README.md and docs/analysts.md (`docs_table_list`; `python -m dtks.publish.tables` writes it
there). To publish a new table, add its declaration here.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb
import polars as pl

from dtks.privacy import identifier_secret
from dtks.publish.atomic import PublishedTable
from dtks.publish.comments import (
    CHANGE_COMMENTS,
    DEACTIVATION_COMMENTS,
    DELIBERATION_ITEM_COMMENTS,
    DESIL_FAMILY_COMMENTS,
    DESIL_HOUSEHOLD_COMMENTS,
    DESIL_ROW_COMMENTS,
    HOUSEHOLD_COMMENTS,
    MATCH_PAIR_COMMENTS,
    MATCH_PAIR_PATTERNS,
    PERSON_COMMENTS,
    PERSON_SOURCE_COMMENTS,
    REGISTER_ROW_COMMENTS,
    REJECTED_ROW_COMMENTS,
    REVIEW_QUEUE_COMMENTS,
    SOURCE_FILE_COMMENTS,
    VALIDATION_ISSUE_COMMENTS,
    VILLAGE_STATUS_COMMENTS,
)
from dtks.publish.masking import IDENTIFIERS, NOTHING, Masking
from dtks.publish.paths import FULL, MASKED, PublishedFile
from dtks.publish.run_history import RUN_COMMENTS


@dataclass(frozen=True)
class TableDeclaration:
    """One published table. Its rows are `query`, a SELECT over the work store that DuckDB
    copies without Python, or a frame the publish stage computes (`computed_by` names the
    function)."""

    name: str
    comment: str  # COMMENT ON TABLE
    columns: Mapping[str, str]  # COMMENT ON COLUMN, by column name
    query: str = ""
    computed_by: str = ""
    patterns: tuple[tuple[str, str], ...] = ()  # (regex, template) for columns named by pattern
    masking: Masking = IDENTIFIERS  # how its copy in the masked file is masked
    files: tuple[PublishedFile, ...] = field(default=(FULL, MASKED))

    def __post_init__(self) -> None:
        if bool(self.query) == bool(self.computed_by):
            raise ValueError(f"{self.name}: declare either a query or computed_by, not both")

    def column_comments(self, columns: list[str]) -> dict[str, str]:
        """The COMMENT of every column we can describe: named ones first, then columns that
        follow a pattern (e.g. ``level_<comparison>`` of match pairs)."""
        result = {c: self.columns[c] for c in columns if c in self.columns}
        for column in columns:
            if column in result:
                continue
            for pattern, template in self.patterns:
                if found := re.fullmatch(pattern, column):
                    result[column] = template.format(*found.groups())
                    break
        return result


# In the order of the published files.
PUBLISHED_TABLES: tuple[TableDeclaration, ...] = (
    TableDeclaration(
        "persons",
        "One row per reconciled person (golden record): person_id stable across runs, each "
        "value chosen by the survivorship rules with the source row it came from, quality "
        "flags, the family's DTSEN desil",
        {**PERSON_COMMENTS, **DESIL_FAMILY_COMMENTS},
        # the family's DTSEN desil (dtks.desil) on every person
        query="SELECT p.*, d.desil, d.desil_period, d.desil_matched_by FROM reconciled_persons p "
        "LEFT JOIN desil_households d USING (household_id)",
    ),
    TableDeclaration(
        "households",
        "One row per household (KK family) rebuilt after matching: household_id stable across "
        "runs, its head, members, villages and flags (no head, two heads, spread over "
        "villages); a KK number Excel cut to 15 digits or wrote unreadable (3.52811E+15) is "
        "completed only from the family listed next to it in the export (no_kk_repaired); the "
        "DTSEN desil, its period, how it was "
        "matched (no_kk, nik_kepala, nik_anggota, nama_tanggal_lahir), the previous desil",
        {**HOUSEHOLD_COMMENTS, **DESIL_HOUSEHOLD_COMMENTS},
        query="SELECT h.*, d.* EXCLUDE (household_id) FROM reconciled_households h "
        "LEFT JOIN desil_households d USING (household_id)",
    ),
    TableDeclaration(
        "person_sources",
        "Every accepted source row: its lineage (village, source_file, source_sheet, "
        "source_row), its cleaned values and the person_id it belongs to",
        PERSON_SOURCE_COMMENTS,
        # the KK's issue date is digits 7-12 of the number the masked file hides
        query="SELECT * EXCLUDE (no_kk_issue_date) FROM reconciled_sources",
    ),
    TableDeclaration(
        "rejected_rows",
        "Every source row that was read but not accepted (totals rows, signature blocks, "
        "notes, rows without a name), with reason_code and reason",
        REJECTED_ROW_COMMENTS,
        query="SELECT * FROM clean_rejected",
    ),
    TableDeclaration(
        "validation_issues",
        "One row per problem found in a village's rows: source row, code, severity, a message "
        "in Bahasa Indonesia, the masked value, a suggestion, status (new, still_open, fixed)",
        VALIDATION_ISSUE_COMMENTS,
        computed_by="dtks.quality.validation_issues",
    ),
    TableDeclaration(
        "match_pairs",
        "Pairs of source rows merged, to review or confirm, decided by a clerk, or kept apart "
        "by a safety rule despite a high score; with score, evidence per comparison and "
        "decision (pairs scored as different people are not kept)",
        MATCH_PAIR_COMMENTS,
        query="SELECT * FROM match_pairs",
        patterns=MATCH_PAIR_PATTERNS,
    ),
    TableDeclaration(
        "review_queue",
        "Pairs that need a clerk's decision (sama / beda), both records side by side",
        REVIEW_QUEUE_COMMENTS,
        computed_by="dtks.publish.computed.review_queue",
        patterns=MATCH_PAIR_PATTERNS,
    ),
    TableDeclaration(
        "village_status",
        "Per village: latest export, rows, open problems, missing or stale",
        VILLAGE_STATUS_COMMENTS,
        computed_by="dtks.publish.computed.village_status",
        masking=NOTHING,
    ),
    TableDeclaration(
        "source_files",
        "Every export file seen in the raw folder: its SHA-256, what it is (file_kind), how it "
        "was read or why it could not be, what its IDDTKS column identifies (iddtks_kind)",
        SOURCE_FILE_COMMENTS,
        # with what the match stage read each file's IDDTKS column to mean
        query="SELECT f.*, i.* EXCLUDE (source_file) FROM source_files AS f "
        "LEFT JOIN iddtks_files AS i USING (source_file)",
    ),
    TableDeclaration(
        "deactivations",
        "Source rows to deactivate upward: duplicates (with the record kept), deceased, moved; "
        "and earlier duplicate requests to cancel (BATAL_GANDA)",
        DEACTIVATION_COMMENTS,
        query="SELECT * FROM reconciled_deactivations",
    ),
    TableDeclaration(
        "change_log",
        "What changed in persons and households since the previous publish",
        CHANGE_COMMENTS,
        query="SELECT * FROM reconciled_changes",
    ),
    TableDeclaration(
        "runs",
        "One row per run that published (or failed to), with its trigger, inputs, row "
        "accounting and counts",
        RUN_COMMENTS,
        computed_by="dtks.publish.run_history",
        masking=NOTHING,
    ),
    TableDeclaration(
        "desil_rows",
        "Every row of every desil ranking list (SIKS-NG Pemeringkatan Desil) and what it "
        "matched: a family, a conflict, nothing",
        DESIL_ROW_COMMENTS,
        query="SELECT * FROM desil_rows",
    ),
    # the village deliberation (dtks.musdes)
    TableDeclaration(
        "deliberation_items",
        "The village deliberation (musyawarah desa) lists: families to propose, persons to "
        "remove, persons to verify, targeting checks; each with evidence, source rows and the "
        "operator's status with its history",
        DELIBERATION_ITEM_COMMENTS,
        query="SELECT * FROM deliberation_items",
    ),
    TableDeclaration(
        "register_rows",
        "Every row read from the village population registers: its civil status and the "
        "registry person it matched (the register's row accounting)",
        REGISTER_ROW_COMMENTS,
        query="SELECT * FROM register_rows",
    ),
)
DECLARED: dict[str, TableDeclaration] = {table.name: table for table in PUBLISHED_TABLES}


def column_comments(table: str, columns: list[str]) -> dict[str, str]:
    """The column COMMENTs of the published table `table` (none for a table not published)."""
    declared = DECLARED.get(table)
    return declared.column_comments(columns) if declared else {}


def published_tables(
    con: duckdb.DuckDBPyConnection,
    file: PublishedFile,
    computed: Mapping[str, pl.DataFrame],
    declarations: tuple[TableDeclaration, ...] = PUBLISHED_TABLES,
) -> list[PublishedTable]:
    """The tables of `file`, ready for `publish_database` on the work store's connection
    `con`: their rows (the declared query, or the frame in `computed`), their COMMENTs, and
    in the masked file their masking."""
    expected = {t.name for t in declarations if t.computed_by}
    if set(computed) != expected:
        raise ValueError(
            f"computed tables {sorted(computed)} differ from the declared {sorted(expected)}"
        )
    secret = identifier_secret(con) if file == MASKED else ""
    tables = []
    for declared in declarations:
        if file not in declared.files:
            continue
        rows: pl.DataFrame | str = computed.get(declared.name, declared.query)
        columns = (
            rows.columns
            if isinstance(rows, pl.DataFrame)
            else con.sql(f"SELECT * FROM ({rows}) LIMIT 0").columns  # noqa: S608 - declared SQL
        )
        tables.append(
            PublishedTable(
                declared.name,
                rows,
                declared.comment,
                declared.column_comments(columns),
                select=partial(declared.masking.select, secret=secret) if secret else None,
            )
        )
    return tables


DOCS_BEGIN = "<!-- published tables: generated from dtks/publish/tables.py -->"
DOCS_END = "<!-- end of published tables -->"
DOCS_FILES = ("README.md", "docs/analysts.md")


def docs_table_list() -> str:
    """The table list of the docs, as markdown: each table, what it holds, and what its copy
    in the masked file hides (or that it is not there)."""
    lines = [
        f"| table | what it holds | in `{MASKED.name}` |",
        "|---|---|---|",
    ]
    for table in PUBLISHED_TABLES:
        masked = table.masking.description if MASKED in table.files else "not published"
        lines.append(f"| `{table.name}` | {table.comment} | {masked} |")
    return "\n".join(lines)


def with_docs_table_list(text: str) -> str:
    """`text` (a markdown file) with its generated table list replaced by the current one."""
    begin, end = text.index(DOCS_BEGIN) + len(DOCS_BEGIN), text.index(DOCS_END)
    return text[:begin] + "\n" + docs_table_list() + "\n" + text[end:]


def main(root: Path) -> int:
    """Write the table list into the docs under `root` (README.md, docs/analysts.md)."""
    for name in DOCS_FILES:
        path = root / name
        path.write_text(with_docs_table_list(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(__file__).resolve().parents[2]))
