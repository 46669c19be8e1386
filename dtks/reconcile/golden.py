"""Golden person records: one row per person, each value chosen by the survivorship rules below.

All rules live in `SURVIVORSHIP` (one `FieldRule` per group of values that must come from
the same source row, e.g. the NIK with its validity flags, the KK with the relationship to
its head). For a person listed in several rows, the candidates of a rule are the rows where
its first column is filled (**filled beats empty**), ranked by:

1. the rule's own preferences, in order (e.g. for the NIK: marked PADAN DUKCAPIL or
   well-formed and agreeing with the birth date beats one that is not);
2. the rule's own dates, newest first (for the KK: the date the KK was issued);
3. **the most recent export**: the row's TANGGAL UPDATE, else the date its file was modified;
4. **a value seen in more source rows beats a lone one**;
5. then, only to be deterministic: the smaller value, record key and source row.

The KK: a family gets a new KK when it moves, splits or loses its head, and the old card
stays behind in the other village's export until someone removes it. So of two sound KK
numbers on an active listing the one issued later (digits 7-12, `no_kk_issue_date`) is the
family the person belongs to now: a married child listed under the parents' KK and as head
of a new one, or a person who moved and was registered anew, belongs to the new family.
The export date cannot tell this: the old village may have sent its file last.

NIK, birth date and sex come from what is the person's own: a NIK another person carries
and fits (a head's NIK typed on his wife's row) is no candidate, nor is a birth date filled
in from a NIK another person carries (`with_nik_ownership`); sex is only ever the typed one.

The address, village and IDDTKS come together from the person's *primary row*: the listing
that is active (not marked PINDAH or GANDA), carries the person's golden KK, an IDDTKS, a
trusted NIK, and is the most recent. That row is the record kept upward; the person's other
rows are deactivated. Carrying the golden KK keeps the record kept upward, the person's
address and their household (`dtks.reconcile.households`: the golden KK) one family: a
person who moved is kept where the new family lives, the listing under the old KK goes.

Every chosen value keeps the source row it came from in ``<rule>_source_row_key``
(``source_file|source_sheet|source_row``, as in ``person_sources.source_row_key``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from dtks.match.shared_nik import nik_fits_row_expr

PERSON_ID = "person_id"
SOURCE_ROW_KEY = "source_row_key"
RECENCY = "_recency"
LINEAGE = ["village", "source_file", "source_sheet", "source_row"]
# Where a person lives (the primary listing's), and so where the household lives.
ADDRESS_COLUMNS = ("village", "desa_kode", "desa_nama", "alamat", "dusun", "rt", "rw")

STATUS_DECEASED = "MENINGGAL"
STATUS_MOVED = "PINDAH"
STATUS_DUPLICATE = "GANDA"
STATUS_NOT_FOUND = "TIDAK DITEMUKAN"


def _flag(column: str) -> pl.Expr:
    return pl.col(column).fill_null(False)


ACTIVE_LISTING = (
    ~pl.col("keterangan_kode").is_in([STATUS_MOVED, STATUS_DUPLICATE]).fill_null(False)
).alias("active listing (not PINDAH or GANDA)")
PADAN = _flag("padan_dukcapil").alias("PADAN DUKCAPIL = YA")
NIK_SOUND = (_flag("nik_is_valid") & ~_flag("nik_possibly_truncated")).alias(
    "NIK well-formed and not truncated"
)
NIK_PADAN = (PADAN & ~_flag("nik_possibly_truncated")).alias(
    "NIK marked PADAN DUKCAPIL (and not truncated)"
)
NIK_TRUSTED = (
    NIK_PADAN | (NIK_SOUND & (pl.col("nik_birth_date") == pl.col("tanggal_lahir")).fill_null(False))
).alias("NIK marked PADAN DUKCAPIL, or well-formed and agreeing with the birth date")
HAS_IDDTKS = pl.col("iddtks").is_not_null().alias("has an IDDTKS")
DATE_AGREES_WITH_NIK = (
    (NIK_SOUND & (pl.col("tanggal_lahir") == pl.col("nik_birth_date"))).fill_null(False)
).alias("birth date agrees with a sound NIK")
DATE_NOT_PLACEHOLDER = (~_flag("tanggal_lahir_is_placeholder")).alias(
    "birth date not a placeholder"
)
SEX_AGREES_WITH_NIK = (
    (NIK_SOUND & (pl.col("jenis_kelamin") == pl.col("nik_sex"))).fill_null(False)
).alias("sex agrees with a sound NIK")
KK_SOUND = (_flag("no_kk_is_valid") & ~_flag("no_kk_possibly_truncated")).alias(
    "KK well-formed and not truncated"
)
KK_ISSUE_DATE = pl.col("no_kk_issue_date").alias("the KK issued last")
# The golden KK, set beside each of the person's rows while the primary row is chosen.
GOLDEN_KK = "_golden_no_kk"
CARRIES_GOLDEN_KK = (pl.col("no_kk") == pl.col(GOLDEN_KK)).alias("carries the golden KK")
PROGRAMS = ("pkh", "bpnt", "pbi_jk", "bst")


@dataclass(frozen=True)
class FieldRule:
    """Values taken together from one source row, and what makes a row's values preferred."""

    name: str
    columns: tuple[str, ...]
    prefer: tuple[pl.Expr, ...] = ()  # conditions, true first (null counts as false)
    newest_first: tuple[pl.Expr, ...] = ()  # dates, after `prefer`: latest first, null last
    required: pl.Expr | None = None  # default: the first column is filled

    def candidate(self) -> pl.Expr:
        return self.required if self.required is not None else pl.col(self.columns[0]).is_not_null()

    def value(self) -> pl.Expr:
        """The value that counts as "the same" for support and tie-breaks."""
        return pl.concat_str(
            [pl.col(c).cast(pl.String).fill_null("") for c in self.columns], separator="\x1f"
        )


@dataclass(frozen=True)
class PrimaryRule:
    """How the primary row is chosen; it gives the address, the village and the IDDTKS."""

    columns: tuple[str, ...]
    prefer: tuple[pl.Expr, ...]
    completeness: tuple[str, ...] = field(
        default=("nik", "no_kk", "tanggal_lahir", "nama_ibu_kandung", "tempat_lahir", "alamat")
    )


# A NIK is borrowed when another person carries it and fits it (its birth date and sex are
# theirs, `dtks.match.shared_nik`) while this person does not: the other person's NIK, never
# this person's golden NIK. A birth date filled in from a NIK another person carries is
# that NIK's, not this person's: no golden birth date.
NIK_IS_BORROWED = "_nik_is_borrowed"
DATE_FROM_SHARED_NIK = "_date_from_shared_nik"


def with_nik_ownership(sources: pl.DataFrame) -> pl.DataFrame:
    """``sources`` with `NIK_IS_BORROWED` and `DATE_FROM_SHARED_NIK` (see above)."""
    nik = pl.when(_flag("nik_is_valid")).then(pl.col("nik"))
    shared = (nik.is_not_null() & (pl.col(PERSON_ID).n_unique().over(nik) > 1)).fill_null(False)
    person_fits = nik_fits_row_expr().any().over(PERSON_ID, nik)
    frame = sources.with_columns(
        shared.alias("_shared"), person_fits.alias("_person_fits"), nik.alias("_valid_nik")
    )
    fitting_persons = pl.col(PERSON_ID).filter(pl.col("_person_fits")).n_unique().over("_valid_nik")
    return frame.with_columns(
        (pl.col("_shared") & ~pl.col("_person_fits") & (fitting_persons > 0))
        .fill_null(False)
        .alias(NIK_IS_BORROWED),
        (pl.col("_shared") & _flag("tanggal_lahir_from_nik")).alias(DATE_FROM_SHARED_NIK),
    ).drop("_shared", "_person_fits", "_valid_nik")


# The survivorship rules, in one place. Order of `prefer` = order of precedence.
SURVIVORSHIP: tuple[FieldRule, ...] = (
    FieldRule(
        "nik",
        ("nik", "nik_is_valid", "nik_possibly_truncated", "nik_birth_date", "padan_dukcapil"),
        prefer=(NIK_TRUSTED, NIK_PADAN, NIK_SOUND),
        required=pl.col("nik").is_not_null() & ~pl.col(NIK_IS_BORROWED),
    ),
    FieldRule("nama", ("nama", "nama_gelar"), prefer=(PADAN,)),
    FieldRule(
        "tanggal_lahir",
        ("tanggal_lahir", "tanggal_lahir_is_placeholder"),
        prefer=(DATE_AGREES_WITH_NIK, PADAN, DATE_NOT_PLACEHOLDER),
        required=pl.col("tanggal_lahir").is_not_null() & ~pl.col(DATE_FROM_SHARED_NIK),
    ),
    FieldRule("jenis_kelamin", ("jenis_kelamin",), prefer=(SEX_AGREES_WITH_NIK, PADAN)),
    FieldRule("tempat_lahir", ("tempat_lahir",), prefer=(PADAN,)),
    FieldRule("nama_ibu_kandung", ("nama_ibu_kandung",), prefer=(PADAN,)),
    FieldRule(
        "no_kk",
        ("no_kk", "no_kk_is_valid", "no_kk_possibly_truncated", "hubungan_keluarga"),
        prefer=(ACTIVE_LISTING, KK_SOUND),
        newest_first=(KK_ISSUE_DATE,),  # a new KK: the family moved or split (see above)
    ),
    FieldRule("status_kawin", ("status_kawin",), prefer=(ACTIVE_LISTING,)),
    FieldRule("pekerjaan", ("pekerjaan",), prefer=(ACTIVE_LISTING,)),
    FieldRule(
        "program",
        PROGRAMS,
        prefer=(ACTIVE_LISTING,),
        required=pl.any_horizontal(pl.col(p).is_not_null() for p in PROGRAMS),
    ),
)
PRIMARY = PrimaryRule(
    columns=("iddtks", *ADDRESS_COLUMNS),
    prefer=(ACTIVE_LISTING, CARRIES_GOLDEN_KK, HAS_IDDTKS, NIK_TRUSTED, PADAN),
)
KK_RULE = next(rule for rule in SURVIVORSHIP if rule.name == "no_kk")

# Column order of the published `persons` table (provenance columns follow).
PERSON_COLUMNS = (
    PERSON_ID,
    "household_id",
    "iddtks",
    "nik",
    "no_kk",
    "nama",
    "nama_gelar",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_kelamin",
    "nama_ibu_kandung",
    "hubungan_keluarga",
    "status_kawin",
    "pekerjaan",
    "padan_dukcapil",
    *PROGRAMS,
    *ADDRESS_COLUMNS,
    "tanggal_update",
    "count_sources",
    "count_villages",
    "villages",
    "has_valid_nik",
    "nik_is_valid",
    "nik_possibly_truncated",
    "tanggal_lahir_agrees_with_nik",
    "tanggal_lahir_is_placeholder",
    "count_distinct_nik",
    "nik_shared_with_other_person",
    "no_kk_is_valid",
    "no_kk_possibly_truncated",
    "needs_review",
    "is_deceased",
    "is_moved",
    "is_listed_as_duplicate",
    "is_not_found",
    "is_active",
)


def source_row_key_expr() -> pl.Expr:
    """``source_file|source_sheet|source_row``: names one source row of this run."""
    return pl.concat_str(
        [
            pl.col("source_file").fill_null(""),
            pl.col("source_sheet").fill_null(""),
            pl.col("source_row").cast(pl.String).fill_null(""),
        ],
        separator="|",
    ).alias(SOURCE_ROW_KEY)


def with_recency(sources: pl.DataFrame, source_files: pl.DataFrame | None) -> pl.DataFrame:
    """``sources`` with ``_recency``: the row's TANGGAL UPDATE, else its file's modification date."""
    if source_files is not None and source_files.height and "modified_at" in source_files.columns:
        dates = source_files.select(
            "source_file", pl.col("modified_at").dt.date().alias("_file_date")
        ).unique("source_file")
        joined = sources.join(dates, on="source_file", how="left", maintain_order="left")
    else:
        joined = sources.with_columns(pl.lit(None, dtype=pl.Date).alias("_file_date"))
    return joined.with_columns(
        pl.coalesce(pl.col("tanggal_update"), pl.col("_file_date")).alias(RECENCY)
    ).drop("_file_date")


def _best_row(rows: pl.DataFrame, keys: list[tuple[pl.Expr, bool]]) -> pl.DataFrame:
    """The first row per person after sorting by ``keys`` (expression, descending), then by
    record key and source row so that the choice never depends on row order."""
    names = [f"_rank_{i}" for i in range(len(keys))]
    ranked = rows.with_columns(expr.alias(n) for (expr, _), n in zip(keys, names, strict=True))
    order = [PERSON_ID, *names, "record_key", SOURCE_ROW_KEY]
    descending = [False, *[d for _, d in keys], False, False]
    return ranked.sort(order, descending=descending, nulls_last=True).unique(
        PERSON_ID, keep="first", maintain_order=True
    )


def _field_keys(rule: FieldRule) -> list[tuple[pl.Expr, bool]]:
    """Preferences (true first), the rule's dates and recency (newest first), support (most
    first), value."""
    value = rule.value()
    return [
        *[(p.fill_null(False), True) for p in rule.prefer],
        *[(d, True) for d in rule.newest_first],
        (pl.col(RECENCY), True),
        (pl.len().over(PERSON_ID, value), True),
        (value, False),
    ]


def primary_rows(sources: pl.DataFrame, golden_kk: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per person the source row kept upward: ``person_id``, its ``source_row_key`` and values.

    Ranked by `PRIMARY.prefer`, then recency, then how many identity fields are filled,
    then by its values. ``golden_kk``: the chosen ``no_kk`` per ``person_id`` (`KK_RULE`),
    chosen here when not given.
    """
    if golden_kk is None:
        golden_kk = _chosen(sources, KK_RULE)
    sources = sources.join(
        golden_kk.select(PERSON_ID, pl.col("no_kk").alias(GOLDEN_KK)),
        on=PERSON_ID,
        how="left",
        maintain_order="left",
    )
    complete = pl.sum_horizontal(pl.col(c).is_not_null() for c in PRIMARY.completeness)
    content = pl.concat_str(
        [pl.col(c).cast(pl.String).fill_null("") for c in PRIMARY.columns], separator="\x1f"
    )
    keys = [
        *[(p.fill_null(False), True) for p in PRIMARY.prefer],
        (pl.col(RECENCY), True),
        (complete, True),
        (content, False),  # equal rows otherwise: the choice must not depend on row order
    ]
    best = _best_row(sources, keys)
    return best.select(PERSON_ID, SOURCE_ROW_KEY, *PRIMARY.columns).rename(
        {SOURCE_ROW_KEY: "primary_source_row_key"}
    )


def _chosen(sources: pl.DataFrame, rule: FieldRule) -> pl.DataFrame:
    candidates = sources.filter(rule.candidate())
    best = _best_row(candidates, _field_keys(rule))
    return best.select(
        PERSON_ID, *rule.columns, pl.col(SOURCE_ROW_KEY).alias(f"{rule.name}_source_row_key")
    )


def _values_of_several_rows(sources: pl.DataFrame) -> pl.DataFrame:
    """Chosen values of persons listed in several rows: each rule ranks their rows."""
    chosen = {rule.name: _chosen(sources, rule) for rule in SURVIVORSHIP}
    persons = primary_rows(sources, chosen[KK_RULE.name])
    for values in chosen.values():
        persons = persons.join(values, on=PERSON_ID, how="left")
    return persons.select(*_value_columns())


def _values_of_single_rows(sources: pl.DataFrame) -> pl.DataFrame:
    """Values of persons listed once (most of them): their row, no ranking needed; a rule
    whose first column is empty gives nothing, exactly as for several rows."""
    chosen = []
    for rule in SURVIVORSHIP:
        candidate = rule.candidate().fill_null(False)
        chosen += [pl.when(candidate).then(pl.col(c)).alias(c) for c in rule.columns]
        chosen.append(
            pl.when(candidate).then(pl.col(SOURCE_ROW_KEY)).alias(f"{rule.name}_source_row_key")
        )
    return sources.select(
        PERSON_ID,
        pl.col(SOURCE_ROW_KEY).alias("primary_source_row_key"),
        *PRIMARY.columns,
        *chosen,
    ).select(*_value_columns())


def _value_columns() -> list[str]:
    columns = [PERSON_ID, "primary_source_row_key", *PRIMARY.columns]
    for rule in SURVIVORSHIP:
        columns += [*rule.columns, f"{rule.name}_source_row_key"]
    return columns


def golden_persons(sources: pl.DataFrame, pairs: pl.DataFrame | None = None) -> pl.DataFrame:
    """One golden record per ``person_id`` of ``sources``.

    ``sources``: clean rows with ``person_id``, ``record_key``, ``source_row_key`` and
    ``_recency`` (see `with_recency`). ``pairs``: the match pairs; persons with a pair that
    waits for review or an operator's confirmation get ``needs_review``.
    """
    sources = with_nik_ownership(sources)
    listed_often = pl.len().over(PERSON_ID) > 1
    persons = pl.concat(
        [
            _values_of_single_rows(sources.filter(~listed_often)),
            _values_of_several_rows(sources.filter(listed_often)),
        ]
    )
    persons = persons.join(_listing_facts(sources), on=PERSON_ID, how="left")
    persons = persons.join(_needs_review(sources, pairs), on=PERSON_ID, how="left")
    return (
        persons.with_columns(
            pl.col("needs_review").fill_null(False),
            (
                pl.col("nik").is_not_null()
                & _flag("nik_is_valid")
                & ~_flag("nik_possibly_truncated")
            ).alias("has_valid_nik"),
            (pl.col("tanggal_lahir") == pl.col("nik_birth_date"))
            .fill_null(False)
            .alias("tanggal_lahir_agrees_with_nik"),
            (pl.col("nik").is_not_null() & (pl.len().over("nik") > 1)).alias(
                "nik_shared_with_other_person"
            ),
            pl.lit(None, dtype=pl.String).alias("household_id"),
        )
        .select(*PERSON_COLUMNS, *_provenance_columns())
        .sort(PERSON_ID)
    )


def _provenance_columns() -> list[str]:
    return ["primary_source_row_key", *[f"{r.name}_source_row_key" for r in SURVIVORSHIP]]


def _listing_facts(sources: pl.DataFrame) -> pl.DataFrame:
    """What all of a person's rows say together: counts, villages, statuses."""
    status = pl.col("keterangan_kode")
    sound_nik = pl.col("nik").filter(NIK_SOUND)
    return sources.group_by(PERSON_ID).agg(
        pl.len().cast(pl.Int64).alias("count_sources"),
        pl.col("village").n_unique().cast(pl.Int64).alias("count_villages"),
        pl.col("village").unique().sort().str.join(", ").alias("villages"),
        pl.col("tanggal_update").max(),
        sound_nik.n_unique().cast(pl.Int64).alias("count_distinct_nik"),
        (status == STATUS_DECEASED).any().alias("is_deceased"),
        (status == STATUS_MOVED).any().alias("is_moved"),
        (status == STATUS_DUPLICATE).any().alias("is_listed_as_duplicate"),
        (status == STATUS_NOT_FOUND).any().alias("is_not_found"),
        (
            ~(status == STATUS_DECEASED).any()
            & (~status.is_in([STATUS_MOVED]).fill_null(False)).any()
        ).alias("is_active"),
    )


def _needs_review(sources: pl.DataFrame, pairs: pl.DataFrame | None) -> pl.DataFrame:
    """Persons with at least one pair in review or merged awaiting an operator's confirmation."""
    schema = {PERSON_ID: pl.String, "needs_review": pl.Boolean}
    if pairs is None or pairs.is_empty():
        return pl.DataFrame(schema=schema)
    open_pairs = pairs.filter((pl.col("decision") == "review") | _flag("needs_confirmation"))
    rows = sources.select(PERSON_ID, *LINEAGE)
    sides = [
        open_pairs.select(pl.col(f"{c}_{side}").alias(c) for c in LINEAGE) for side in ("l", "r")
    ]
    flagged = pl.concat(sides).join(rows, on=LINEAGE, how="inner")
    return flagged.select(PERSON_ID).unique().with_columns(pl.lit(True).alias("needs_review"))
