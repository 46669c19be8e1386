"""Writes the fixture of tests/reconcile/test_upgrade_from_family_ids.py: the id state a
publish by the code *before* IDDTKS was read per file leaves in the work store, over the
hand-built exports of tests/family_exports.py.

Run it with that older code first on the path (here: the commit the fixture names):

    git archive 66eacc7 | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before:tests .venv/bin/python tests/reconcile/upgrade_fixture.py

It publishes once and keeps, as Parquet under ``fixtures/published_before_family_ids/``, the
persistent work-store tables (ids, published snapshot), the published deactivations and the
record keys of the published rows (for the clerks' decision the test replays).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from family_exports import write_exports

from dtks.publish.run_history import RunInfo
from dtks.region import load_kecamatan
from dtks.stages import STORE_LAYOUT
from dtks.stages.clean import clean_village
from dtks.stages.ingest import ingest_village
from dtks.stages.match import match_kecamatan
from dtks.stages.publish import publish_kecamatan
from dtks.stages.reconcile import reconcile_kecamatan
from dtks.store import WorkStore, read_table

FIXTURE = Path(__file__).parent / "fixtures" / "published_before_family_ids"
STATE = ("id_registry", "id_merges", "published_persons", "published_households")
PUBLISHED = {
    "deactivations": "SELECT * FROM deactivations",
    "person_sources": "SELECT village, source_file, source_sheet, source_row, person_id, "
    "record_key FROM person_sources",
}


def main() -> None:
    kecamatan = load_kecamatan("35.28.11")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_exports(root / "raw")
        with WorkStore(root / "work" / "store.duckdb", layout=STORE_LAYOUT).session() as con:
            for village in kecamatan.desa:
                ingest_village(con, root / "raw", village.slug)
                clean_village(con, kecamatan, village.slug)
            match_kecamatan(con)
            reconcile_kecamatan(con, run_id="before")
            run = RunInfo("before", "manual", datetime(2026, 12, 1, tzinfo=UTC))
            publish_kecamatan(con, kecamatan, root / "curated", run)
            FIXTURE.mkdir(parents=True, exist_ok=True)
            for table in STATE:
                frame = read_table(con, table)
                if frame is not None:
                    frame.write_parquet(FIXTURE / f"{table}.parquet")
        with duckdb.connect(str(root / "curated" / "kecamatan.duckdb"), read_only=True) as db:
            for name, sql in PUBLISHED.items():
                db.sql(sql).pl().write_parquet(FIXTURE / f"published_{name}.parquet")
    print(f"written to {FIXTURE}", file=sys.stderr)


if __name__ == "__main__":
    main()
