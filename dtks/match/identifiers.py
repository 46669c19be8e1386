"""What an export's IDDTKS column means, read from its rows: a person, or a family/household.

SIKS-NG exports put either id in the IDDTKS column, depending on menu and year: the family
or household (rumah tangga) id repeated on every member, or a member id (that id plus a
member sequence number). Nothing in the header says which, so each file is read:

- ``family``: in this file, the rows of one IDDTKS value are often different people (they
  cross the safety line, `dtks.match.safety`): at least `FAMILY_SHARE` of the rows with an
  IDDTKS sit in such a value;
- ``member``: values are (nearly) unique, and cutting the last 1-3 digits off them yields
  prefixes shared by different people on at least `FAMILY_SHARE` of the rows (estimated on a
  sample of whole prefix groups, `SAMPLE_ROWS` rows per file): an id plus a sequence number
  (nothing is inferred from the number itself);
- ``person``: neither; ``absent``: no row of the file has an IDDTKS.

Per row this gives ``iddtks_person``, the IDDTKS when it identifies a person (the matcher's
``iddtks``: record keys, blocking, the id registry), and ``iddtks_family``, the family or
household id (weak co-residence evidence only: never a person key, and never a KK
household). In a file that mixes conventions, a value shared by rows that are different
people is a family id for those rows, whatever the file's kind.

>>> import datetime as dt
>>> rows = pl.DataFrame({"source_file": ["a.csv"] * 3, "iddtks": ["F1", "F1", "F2"],
...     "nama_key": ["AHMAD FAUZI", "SITI AMINAH", "HASAN"], "jenis_kelamin": ["L", "P", "L"],
...     "tanggal_lahir": [dt.date(1970, 5, 14), dt.date(1975, 3, 9), dt.date(1980, 1, 2)]})
>>> meaning = read_iddtks_meaning(rows)
>>> meaning.files.select("source_file", "iddtks_kind").rows()
[('a.csv', 'family')]
>>> meaning.rows.select(IDDTKS_PERSON, IDDTKS_FAMILY).rows()
[(None, 'F1'), (None, 'F1'), (None, 'F2')]
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dtks.match.safety import crossing_groups

IDDTKS_PERSON = "iddtks_person"
IDDTKS_FAMILY = "iddtks_family"
PERSON, MEMBER, FAMILY, ABSENT = "person", "member", "family", "absent"
FAMILY_SHARE = 0.05  # share of a file's rows with an IDDTKS that must sit in family-like ids
SUFFIX_DIGITS = (2, 1, 3)  # sequence-number widths tried for the member form, most common first
MAX_GROUP = 60  # rows of one value compared pairwise; a bigger group is many people anyway
SAMPLE_ROWS = 20_000  # rows per file the member form is looked for in (whole groups sampled)
SLOTS = 64
_ROW = "_iddtks_row"

FILE_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "iddtks_kind": pl.String(),
    "iddtks_count_rows": pl.Int64(),
    "iddtks_count_values": pl.Int64(),
    "iddtks_count_values_repeated": pl.Int64(),
    "iddtks_count_values_on_different_people": pl.Int64(),
    "iddtks_count_rows_on_different_people": pl.Int64(),
    "iddtks_member_suffix_digits": pl.Int64(),
    "iddtks_count_rows_in_member_families": pl.Int64(),
}
FILE_COMMENTS: dict[str, str] = {
    "iddtks_kind": "What the IDDTKS column identifies in this file, read from its rows: person, "
    "member (family id + sequence number), family (a family/household id repeated on its "
    "members) or absent",
    "iddtks_count_rows": "Rows with an IDDTKS",
    "iddtks_count_values": "Distinct IDDTKS values",
    "iddtks_count_values_repeated": "IDDTKS values on more than one row",
    "iddtks_count_values_on_different_people": "IDDTKS values on rows that are different people "
    "(differ in two of sex, birth date and name)",
    "iddtks_count_rows_on_different_people": "Rows whose IDDTKS is also on a different person",
    "iddtks_member_suffix_digits": "For the member form: digits of the sequence number",
    "iddtks_count_rows_in_member_families": "For the member form: rows whose id without its "
    "sequence number is shared with a different person (estimated from a sample of about "
    "20,000 rows per file)",
}


@dataclass(frozen=True)
class IddtksMeaning:
    """``rows``: the input with ``iddtks_person`` and ``iddtks_family``; ``files``: one row
    per source file with its kind and the evidence (`FILE_SCHEMA`)."""

    rows: pl.DataFrame
    files: pl.DataFrame

    def summary(self) -> dict[str, object]:
        """Counts for run metadata: files per kind and rows whose IDDTKS is a family id."""
        kinds = dict(self.files.group_by("iddtks_kind").len().iter_rows())
        return {
            "files_by_kind": {k: int(kinds.get(k, 0)) for k in (PERSON, MEMBER, FAMILY, ABSENT)},
            "count_rows_family_id": int(
                self.rows.select(
                    (pl.col(IDDTKS_FAMILY).is_not_null() & pl.col(IDDTKS_PERSON).is_null()).sum()
                ).item()
            ),
        }


def _on_different_people(rows: pl.DataFrame, key: str, big_counts: bool = True) -> pl.DataFrame:
    """Row ids (`_ROW`) whose ``key`` value (within their file) is also on a different person.

    Values on more than `MAX_GROUP` rows count as on different people when ``big_counts``,
    else they are left out (a cut-down id that many rows share is no family).
    """
    keyed = rows.filter(pl.col(key).is_not_null()).with_columns(
        pl.concat_str([pl.col("source_file").fill_null(""), pl.col(key)], separator="\x1f").alias(
            "_group"
        )
    )
    keyed = keyed.with_columns(pl.len().over("_group").alias("_size")).filter(pl.col("_size") > 1)
    big = keyed.filter((pl.col("_size") > MAX_GROUP) & big_counts).select(_ROW)
    crossing = crossing_groups(keyed.filter(pl.col("_size") <= MAX_GROUP), "_group")
    groups = pl.concat(
        [crossing.to_frame("_group"), keyed.join(big, on=_ROW).select("_group")]
    ).unique()
    return keyed.join(groups, on="_group").select(_ROW)


def read_iddtks_meaning(clean: pl.DataFrame) -> IddtksMeaning:
    """Decide per file what its IDDTKS means and split each row's IDDTKS accordingly.

    ``clean``: clean rows (``source_file``, ``iddtks`` and what the safety line reads:
    ``nama_key``, ``tanggal_lahir``, ``tanggal_lahir_from_nik``, ``jenis_kelamin``; missing
    ones count as unknown).
    """
    for column in ("iddtks", "source_file"):
        if column not in clean.columns:
            clean = clean.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    iddtks = pl.col("iddtks").cast(pl.String).str.strip_chars()
    frame = clean.with_row_index(_ROW).with_columns(pl.when(iddtks != "").then(iddtks).alias("_id"))
    shared_rows = _on_different_people(frame, "_id")
    frame = frame.with_columns(pl.col(_ROW).is_in(shared_rows[_ROW].implode()).alias("_shared"))
    member = _member_form(frame)
    frame = frame.join(member.rows, on=_ROW, how="left")
    files = _file_kinds(frame, member.files)
    kind = pl.col("iddtks_kind")
    frame = frame.join(files.select("source_file", "iddtks_kind"), on="source_file", how="left")
    person_id = pl.when((kind == PERSON) | (kind == MEMBER)).then(
        pl.when(~pl.col("_shared")).then(pl.col("_id"))
    )
    family_id = (
        pl.when(kind == FAMILY)
        .then(pl.col("_id"))
        .when(pl.col("_shared"))
        .then(pl.col("_id"))
        .when(kind == MEMBER)
        .then(pl.col("_prefix"))
    )
    rows = frame.sort(_ROW).select(
        pl.exclude(_ROW, "_id", "_shared", "_prefix", "iddtks_kind"),
        person_id.alias(IDDTKS_PERSON),
        family_id.alias(IDDTKS_FAMILY),
    )
    return IddtksMeaning(rows=rows, files=files)


@dataclass(frozen=True)
class _Member:
    rows: pl.DataFrame  # _ROW, _prefix (only for files in the member form)
    files: pl.DataFrame  # source_file, suffix digits, rows in member families


def _member_form(frame: pl.DataFrame) -> _Member:
    """Files whose ids, cut by a few digits, give prefixes shared by different people."""
    with_id = frame.filter(pl.col("_id").is_not_null())
    file_rows = pl.len().over("source_file")
    # whole cut groups are sampled, at most about SAMPLE_ROWS rows per file
    slots = (SLOTS * (SAMPLE_ROWS / file_rows)).ceil().clip(upper_bound=SLOTS)
    best: dict[str, tuple[int, int]] = {}
    for digits in SUFFIX_DIGITS:
        cut = (
            with_id.filter(pl.col("_id").str.len_chars() > digits + 2)
            .with_columns(
                pl.col("_id").str.slice(0, pl.col("_id").str.len_chars() - digits).alias("_cut"),
                file_rows.alias("_file_rows"),
            )
            .filter(pl.col("_cut").hash(seed=digits) % SLOTS < slots)
            .with_columns(pl.len().over("source_file").alias("_sampled_rows"))
        )
        families = _on_different_people(cut, "_cut", big_counts=False)
        counted = (
            cut.join(families, on=_ROW)
            .group_by("source_file")
            .agg(pl.len() * pl.col("_file_rows").first() / pl.col("_sampled_rows").first())
            .iter_rows()
        )
        for source_file, count in counted:
            if count > best.get(source_file, (0, 0))[1]:
                best[source_file] = (digits, round(count))
    files = pl.DataFrame(
        [(f, d, c) for f, (d, c) in best.items()],
        schema={
            "source_file": pl.String,
            "iddtks_member_suffix_digits": pl.Int64,
            "iddtks_count_rows_in_member_families": pl.Int64,
        },
        orient="row",
    )
    rows = with_id.join(
        files.select("source_file", "iddtks_member_suffix_digits"), on="source_file"
    ).select(
        _ROW,
        pl.col("_id")
        .str.slice(0, pl.col("_id").str.len_chars() - pl.col("iddtks_member_suffix_digits"))
        .alias("_prefix"),
    )
    return _Member(rows=rows, files=files)


def _file_kinds(frame: pl.DataFrame, member_files: pl.DataFrame) -> pl.DataFrame:
    with_id = pl.col("_id").is_not_null()
    counts = (
        frame.group_by("source_file")
        .agg(
            with_id.sum().cast(pl.Int64).alias("iddtks_count_rows"),
            pl.col("_id").drop_nulls().n_unique().cast(pl.Int64).alias("iddtks_count_values"),
            pl.col("_id")
            .filter(pl.col("_id").is_duplicated())
            .n_unique()
            .cast(pl.Int64)
            .alias("iddtks_count_values_repeated"),
            pl.col("_id")
            .filter(pl.col("_shared"))
            .n_unique()
            .cast(pl.Int64)
            .alias("iddtks_count_values_on_different_people"),
            pl.col("_shared").sum().cast(pl.Int64).alias("iddtks_count_rows_on_different_people"),
        )
        .join(member_files, on="source_file", how="left")
    )
    rows = pl.col("iddtks_count_rows")
    threshold = pl.max_horizontal(rows.cast(pl.Float64) * FAMILY_SHARE, pl.lit(2.0))
    member_rows = pl.col("iddtks_count_rows_in_member_families").fill_null(0)
    kind = (
        pl.when(rows == 0)
        .then(pl.lit(ABSENT))
        .when(pl.col("iddtks_count_rows_on_different_people") >= threshold)
        .then(pl.lit(FAMILY))
        .when(member_rows >= threshold)
        .then(pl.lit(MEMBER))
        .otherwise(pl.lit(PERSON))
    )
    return (
        counts.with_columns(
            kind.alias("iddtks_kind"),
            pl.when(kind == MEMBER)
            .then(pl.col("iddtks_member_suffix_digits"))
            .alias("iddtks_member_suffix_digits"),
            member_rows.alias("iddtks_count_rows_in_member_families"),
        )
        .select(list(FILE_SCHEMA))
        .cast(FILE_SCHEMA)
        .sort("source_file")
    )
