"""Dagster's table metadata of the DuckDB table an asset writes: `dagster/table_name`,
`dagster/row_count` and `dagster/column_schema`, so the asset catalog shows how many rows
it holds and which columns, with their types and the descriptions of `dtks.publish.tables`.

Only counts, names, types and descriptions: never a value of the table, so no NIK, KK
number or name can reach Dagster's metadata through it.
"""

from __future__ import annotations

from typing import Any

import dagster as dg
import duckdb

from dtks.publish.tables import column_comments
from dtks.store import quoted


def table_metadata(
    con: duckdb.DuckDBPyConnection, table: str, described_as: str | None = None
) -> dict[str, Any]:
    """The three `dagster/` entries of `table` in the database `con` is connected to.

    `described_as` names the published table whose column descriptions apply (the store's
    `reconciled_persons` is published as `persons`); a COMMENT on the column wins.

    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE t AS SELECT 'kapong' AS village, 3 AS source_row")
    >>> meta = table_metadata(con, "t", described_as="person_sources")
    >>> meta["dagster/table_name"], meta["dagster/row_count"]
    ('memory.main.t', 1)
    >>> [(c.name, c.type) for c in meta["dagster/column_schema"].columns]
    [('village', 'VARCHAR'), ('source_row', 'INTEGER')]
    >>> meta["dagster/column_schema"].columns[0].description[:15]
    'Slug of the vil'
    """
    rows = con.execute(
        "SELECT database_name, schema_name, column_name, data_type, comment, is_nullable "
        "FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database() "
        "AND schema_name = current_schema() ORDER BY column_index",
        [table],
    ).fetchall()
    if not rows:
        return {}
    database, schema = rows[0][0], rows[0][1]
    described = column_comments(described_as or table, [r[2] for r in rows])
    columns = [
        dg.TableColumn(
            name=name,
            type=data_type,
            description=comment or described.get(name),
            constraints=dg.TableColumnConstraints(nullable=bool(nullable)),
        )
        for _, _, name, data_type, comment, nullable in rows
    ]
    (count,) = con.execute(f"SELECT count(*) FROM {quoted(table)}").fetchone()  # noqa: S608
    return {
        "dagster/table_name": f"{database}.{schema}.{table}",
        "dagster/row_count": int(count),
        "dagster/column_schema": dg.TableSchema(columns=columns),
    }


def published_table_metadata(path: str, table: str) -> dict[str, Any]:
    """`table_metadata` of a table of a published DuckDB file, opened read-only."""
    con = duckdb.connect(path, read_only=True)
    try:
        return table_metadata(con, table)
    finally:
        con.close()
