"""Spotting two files of one village that are two versions of the same export."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import polars as pl

from dtks.ingest.model import ExportRead

DEFAULT_MIN_OVERLAP_SHARE = 0.5


@dataclass(frozen=True)
class ExportOverlap:
    """Two files sharing many people: likely an old and a new version of one export.

    `overlap_share` = shared keys / keys of the smaller file, on the key (`nik` or `iddtks`)
    with the larger share.
    """

    file_a: str
    file_b: str
    key: str
    shared_count: int
    smaller_count: int
    overlap_share: float


def detect_overlapping_exports(
    reads: list[ExportRead], min_share: float = DEFAULT_MIN_OVERLAP_SHARE
) -> list[ExportOverlap]:
    r"""Pairs of readable files whose NIK or IDDTKS sets overlap by more than `min_share`.

    Parts of one split submission hold different people, so a large overlap means versions.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from dtks.ingest.export import read_export
    >>> raw_dir = Path(tempfile.mkdtemp())
    >>> (raw_dir / "kapong").mkdir()
    >>> people = "".join(f"35281145068900{i:02d};SITI {i}\n" for i in range(1, 11))
    >>> for name, extra in (("a.csv", ""), ("b.csv", "3528115203910002;ALI\n")):
    ...     _ = (raw_dir / "kapong" / name).write_text("NIK;NAMA\n" + people + extra)
    >>> reads = [read_export(raw_dir / "kapong" / n, raw_dir) for n in ("a.csv", "b.csv")]
    >>> detect_overlapping_exports(reads)  # b.csv is a.csv plus one person: two versions
    [ExportOverlap(file_a='kapong/a.csv', file_b='kapong/b.csv', key='nik', shared_count=10, smaller_count=10, overlap_share=1.0)]
    """
    keys = {r.source_file: _identity_keys(r.rows) for r in reads if r.status == "ok"}
    overlaps: list[ExportOverlap] = []
    for file_a, file_b in combinations(sorted(keys), 2):
        best: ExportOverlap | None = None
        for key in ("iddtks", "nik"):
            a, b = keys[file_a][key], keys[file_b][key]
            smaller = min(len(a), len(b))
            if smaller == 0:
                continue
            shared = len(a & b)
            share = shared / smaller
            if best is None or share > best.overlap_share:
                best = ExportOverlap(file_a, file_b, key, shared, smaller, round(share, 4))
        if best is not None and best.overlap_share > min_share:
            overlaps.append(best)
    return overlaps


def _identity_keys(rows: pl.DataFrame) -> dict[str, set[str]]:
    """Distinct IDDTKS and NIK (digits only, 10+ digits) of the data rows."""
    data = rows.filter(pl.col("row_kind") == "data")
    iddtks = data.get_column("iddtks").drop_nulls()
    nik = data.get_column("nik").str.replace_all(r"\D", "")
    nik = nik.filter(nik.str.len_chars() >= 10)
    return {"iddtks": set(iddtks.unique().to_list()), "nik": set(nik.unique().to_list())}
