"""Households (KK families) rebuilt after matching: a person belongs to the KK on their golden record.

A KK number that came through an Excel number cell may have lost its 16th digit. It is completed
only from the export itself: when the row (or the block of rows carrying the same cut number)
sits next to a row whose sound KK number shares its first 15 digits, and only one such
neighbour does, the person joins that family (``no_kk_repaired``): a family is listed together.
A sound number elsewhere in the village is no evidence: KK numbers issued the same day share 15
digits, so a family whose every row was saved as a number would join a neighbour's. Otherwise
the household keeps the doubtful number and is flagged ``is_kk_malformed``.

A KK number Excel wrote in scientific notation (3.52811E+15) is unreadable: only its first
digits survive. Such a person joins the family listed with them, by the same evidence
(``no_kk_repaired``): a KEPALA KELUARGA directly above the rows of a family that has no head,
or a member between two rows of one family (`_listing_completions`); else from the SIKS-NG
ranking list, which names the whole number for the person's NIK (`_ranking_completions`).
Other persons without a usable KK number belong to no household.

The head is the member whose relationship is KEPALA KELUARGA (the living one, the one listed
most often, the oldest, when there are several); the household's village and address are the
head's, or the oldest member's when the family has no head.
"""

from __future__ import annotations

import polars as pl

from dtks.clean.identifiers import scientific_leading_digits
from dtks.reconcile.golden import ADDRESS_COLUMNS

HEAD = "KEPALA KELUARGA"
HOUSEHOLD_KEY = "household_key"
PERSON_ID = "person_id"
LISTED_ROLE = "listed_hubungan_keluarga"  # the relationship on the rows of a completed person
KK_FROM_LIST = "no_kk_from_ranking_list"  # the key is the whole number a ranking list names
UNREADABLE = "?"  # how a row whose KK Excel wrote in scientific notation is listed

HOUSEHOLD_COLUMNS = (
    "household_id",
    "no_kk",
    "head_person_id",
    "head_nama",
    "count_members",
    "count_heads",
    "count_deceased_members",
    *ADDRESS_COLUMNS,
    "count_villages",
    "villages",
    "is_without_head",
    "has_two_heads",
    "head_is_deceased",
    "is_spread_over_villages",
    "is_kk_malformed",
    "no_kk_repaired",
)


def household_keys(
    persons: pl.DataFrame,
    sources: pl.DataFrame | None = None,
    named_kks: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``person_id`` -> ``household_key`` (the KK number the family is grouped by) and whether
    the KK number was completed from the rows listed next to it (``no_kk_repaired``); persons
    without a KK number that is known or completed are left out.

    ``sources``: the person's source rows (``person_id``, ``source_file``, ``source_sheet``,
    ``source_row``, ``no_kk``, ``no_kk_as_written``, ``no_kk_is_valid``,
    ``no_kk_possibly_truncated``, ``hubungan_keluarga``); a truncated number is completed
    from the sound number listed next to it (`_completions`), an unreadable one from the
    family it heads or sits inside (`_listing_completions`), else from the KK the ranking
    list names for the person's NIK (``named_kks``, `_ranking_completions`). Without sources
    no number is completed.
    """
    truncated = pl.col("no_kk_possibly_truncated").fill_null(False)
    with_kk = persons.filter(pl.col("no_kk").is_not_null())
    completions = (
        _completions(sources)
        if sources is not None
        else pl.DataFrame(
            schema={PERSON_ID: pl.String, "no_kk": pl.String, "_completed": pl.String}
        )
    )
    keys = (
        with_kk.join(completions, on=[PERSON_ID, "no_kk"], how="left", maintain_order="left")
        .with_columns((truncated & pl.col("_completed").is_not_null()).alias("no_kk_repaired"))
        .select(
            PERSON_ID,
            pl.when(pl.col("no_kk_repaired"))
            .then(pl.col("_completed"))
            .otherwise(pl.col("no_kk"))
            .alias(HOUSEHOLD_KEY),
            "no_kk_repaired",
            pl.lit(None, pl.String).alias(LISTED_ROLE),
            pl.lit(False).alias(KK_FROM_LIST),
        )
    )
    if sources is None:
        return keys
    keys = pl.concat([keys, _listing_completions(persons, sources, keys, named_kks)])
    if named_kks is None or named_kks.is_empty():
        return keys
    return pl.concat([keys, _ranking_completions(persons, sources, named_kks, keys)])


def with_listed_roles(persons: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """Persons with ``hubungan_keluarga`` filled, for those completed into a family from
    their listing, with the relationship written on their rows: a golden record takes the
    relationship from the row whose KK it keeps, so a person without a readable KK has none.
    """
    return (
        persons.join(keys.select(PERSON_ID, LISTED_ROLE), on=PERSON_ID, how="left")
        .with_columns(pl.coalesce("hubungan_keluarga", LISTED_ROLE).alias("hubungan_keluarga"))
        .drop(LISTED_ROLE)
    )


def _completions(sources: pl.DataFrame) -> pl.DataFrame:
    """(``person_id``, cut ``no_kk``) -> the one sound number sharing its first 15 digits that
    is written on the row just above or just below the block of rows carrying the cut number
    (same file and sheet); pairs with none, or with two different ones, are left out.
    """
    sheet = ["source_file", "source_sheet"]
    sound = pl.col("no_kk_is_valid").fill_null(False) & ~pl.col(
        "no_kk_possibly_truncated"
    ).fill_null(False)
    rows = (
        sources.select(PERSON_ID, *sheet, "source_row", "no_kk", sound.alias("_sound"))
        .sort(*sheet, "source_row")
        .with_columns(
            (pl.col("no_kk").ne_missing(pl.col("no_kk").shift(1)).over(sheet))
            .cum_sum()
            .alias("_block")
        )
    )
    blocks = (
        rows.group_by("_block", maintain_order=True)
        .agg(pl.first(*sheet, "no_kk"), pl.col("_sound").any())
        .with_columns(
            pl.when(pl.col("_sound")).then(pl.col("no_kk")).alias("_sound_kk"),
            pl.col("no_kk").str.slice(0, 15).alias("_prefix"),
        )
        .with_columns(
            pl.col("_sound_kk").shift(1).over(sheet).alias("_above"),
            pl.col("_sound_kk").shift(-1).over(sheet).alias("_below"),
        )
    )
    fits = [
        pl.when(
            (pl.col(side).str.slice(0, 15) == pl.col("_prefix")) & (pl.col(side) != pl.col("no_kk"))
        ).then(pl.col(side))
        for side in ("_above", "_below")
    ]
    candidates = blocks.filter(~pl.col("_sound") & pl.col("no_kk").is_not_null()).select(
        "_block", pl.concat_list(fits).list.drop_nulls().alias("_candidates")
    )
    return (
        rows.join(candidates, on="_block")
        .explode("_candidates")
        .drop_nulls("_candidates")
        .group_by(PERSON_ID, "no_kk")
        .agg(pl.col("_candidates").unique().alias("_all"))
        .filter(pl.col("_all").list.len() == 1)
        .select(PERSON_ID, "no_kk", pl.col("_all").list.first().alias("_completed"))
    )


def _listing_completions(
    persons: pl.DataFrame,
    sources: pl.DataFrame,
    keys: pl.DataFrame,
    named_kks: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Persons whose KK is unreadable everywhere (Excel wrote it as 3.52811E+15) -> the family
    their rows are listed with (``household_key``; ``no_kk_repaired`` true, the flag of a cut
    KK completed from its neighbours). Two rules, each inside one sheet of one file, and only
    with a sound KK beginning with the digits Excel kept:

    - **the head above a headless family**: a KEPALA KELUARGA whose KK is unreadable, listed
      directly above the rows of one sound KK, joins that family (with the unreadable rows
      listed just below the head), when every row from the head down to the next head or the
      end of the sheet carries that KK or an unreadable one, and no person of the family is
      its head: the family's head is the one whose number Excel spoiled. Never when the row
      below is itself a head, when the rows below carry two KKs (or one missing, cut or
      invalid), when the family has a head, or when two persons would head it this way.
    - **a member inside the family**: rows with unreadable KKs, none a head, between two rows
      of the same sound KK, the one below not a head, join that family.

    The rows of a person listed twice in the sheet under a sound KK are left out first: such
    a second listing is often put among another family's rows. A person's rows must point at
    one family; a person listed as a head on any row never joins as a member. A head whom the
    ranking list names under another KK (``named_kks``, `dtks.desil.named_kks`) does not join
    the family below: that is a headless family listed after a family of one, and the list's
    number is the head's (`_ranking_completions`). The person takes the relationship written
    on those rows (``LISTED_ROLE``, `with_listed_roles`): their golden record has none, it
    comes with a readable KK.

    Example, one sheet: (KEPALA KELUARGA, 3.52811E+15), (ISTRI, 3528110101100001), (ANAK,
    3.52811E+15), (ANAK, 3528110101100001) -> the head and the first child join
    3528110101100001 (when no person of that family is its head).
    """
    sheet = ["source_file", "source_sheet"]
    sound = pl.col("no_kk_is_valid").fill_null(False) & ~pl.col(
        "no_kk_possibly_truncated"
    ).fill_null(False)
    digits = scientific_leading_digits(pl.col("no_kk_as_written"))
    listed, run, segment = pl.col("_listed"), "_run", "_segment"
    unreadable = listed == UNREADABLE
    rows = (
        sources.select(
            PERSON_ID,
            *sheet,
            "source_row",
            (pl.col("hubungan_keluarga") == HEAD).fill_null(False).alias("_head"),
            pl.col("hubungan_keluarga").alias("_role"),
            digits.alias("_digits"),
            pl.when(sound)
            .then(pl.col("no_kk"))
            .when(pl.col("no_kk").is_null() & digits.is_not_null())
            .then(pl.lit(UNREADABLE))
            .alias("_listed"),
            sound.alias("_sound"),
        )
        # a second listing of a person (listed twice in the sheet, under a sound KK) sits
        # among another family's rows as often as among their own: the listing is read
        # without it
        .filter(~((pl.len().over(*sheet, PERSON_ID) > 1) & pl.col("_sound")))
        .sort(*sheet, "source_row")
        .with_columns(
            (pl.int_range(pl.len()) == 0).over(sheet).alias("_first"),
            # a person listed as a head anywhere never joins a family as a member
            pl.col("_head").any().over(PERSON_ID).alias("_leads"),
        )
        .with_columns(
            # a run: rows listed alike one after another; a segment: a head and the rows below
            (pl.col("_first") | listed.ne_missing(listed.shift(1)) | listed.is_null())
            .cum_sum()
            .alias(run),
            (pl.col("_first") | pl.col("_head")).cum_sum().alias(segment),
            listed.shift(1).over(sheet).alias("_above"),
            listed.shift(-1).over(sheet).alias("_below"),
            pl.col("_head").shift(-1).over(sheet).fill_null(False).alias("_head_below"),
        )
    )
    segments = (
        rows.group_by(segment)
        .agg(
            (pl.first("_head") & (listed.first() == UNREADABLE)).alias("_by"),
            pl.first(PERSON_ID).alias("_segment_head"),
            pl.first(run).alias("_head_run"),
            listed.is_null().any().alias("_other"),
            listed.filter(listed != UNREADABLE).unique().alias("_kks"),
        )
        .filter(pl.col("_by") & ~pl.col("_other") & (pl.col("_kks").list.len() == 1))
    )
    heading = (
        rows.join(segments, on=segment)
        .filter(
            unreadable
            & (pl.col(run) == pl.col("_head_run"))
            & (pl.col("_head") | ~pl.col("_leads"))
        )
        .select(
            PERSON_ID,
            "_role",
            "_digits",
            "_segment_head",
            pl.col("_kks").list.first().alias("_kk"),
        )
    )
    inside = (
        rows.with_columns(
            pl.col("_head").any().over(run).alias("_run_has_head"),
            pl.col("_above").first().over(run),
            pl.col("_below").last().over(run),
            pl.col("_head_below").last().over(run),
        )
        .filter(
            unreadable
            & ~pl.col("_run_has_head")
            & ~pl.col("_leads")
            & (pl.col("_above") == pl.col("_below"))
            & ~pl.col("_head_below")
        )
        .select(
            PERSON_ID,
            "_role",
            "_digits",
            pl.lit(None, pl.String).alias("_segment_head"),
            pl.col("_above").alias("_kk"),
        )
    )
    # a family already headed, or headed by two persons this way, takes no head from above
    headed = (
        keys.join(persons.select(PERSON_ID, "hubungan_keluarga"), on=PERSON_ID)
        .filter(pl.col("hubungan_keluarga") == HEAD)
        .select(pl.col(HOUSEHOLD_KEY).alias("_kk"))
        .unique()
    )
    heading = heading.join(headed, on="_kk", how="anti").filter(
        pl.col("_segment_head").n_unique().over("_kk") == 1
    )
    candidates = pl.concat([heading, inside]).filter(
        pl.col("_kk").str.starts_with(pl.col("_digits"))
        & ~pl.col(PERSON_ID).is_in(keys[PERSON_ID].implode())
    )
    one_family = (
        candidates.group_by(PERSON_ID)
        .agg(pl.col("_kk").unique(), pl.col("_role").drop_nulls().unique())
        .filter(pl.col("_kk").list.len() == 1)
        .select(
            PERSON_ID,
            pl.col("_kk").list.first().alias(HOUSEHOLD_KEY),
            pl.lit(True).alias("no_kk_repaired"),
            pl.when(pl.col("_role").list.len() == 1)
            .then(pl.col("_role").list.first())
            .alias(LISTED_ROLE),
            pl.lit(False).alias(KK_FROM_LIST),
        )
    )
    if named_kks is not None and not named_kks.is_empty():
        heads = one_family.filter(pl.col(LISTED_ROLE) == HEAD)
        one_family = one_family.filter(
            ~pl.col(PERSON_ID).is_in(_named_elsewhere(persons, named_kks, heads))
        )
    # the rows below a head go with the head, or not at all
    joined_heads = one_family.select(pl.col(PERSON_ID).alias("_segment_head"))
    with_their_head = (
        candidates.filter(
            pl.col("_segment_head").is_null()
            | pl.col("_segment_head").is_in(joined_heads["_segment_head"].implode())
        )
        .select(PERSON_ID)
        .unique()
    )
    return one_family.join(with_their_head, on=PERSON_ID).sort(PERSON_ID)


def _trusted_nik() -> pl.Expr:
    return (
        pl.col("nik").is_not_null()
        & pl.col("nik_is_valid").fill_null(False)
        & ~pl.col("nik_possibly_truncated").fill_null(False)
    )


def _named_elsewhere(
    persons: pl.DataFrame, named_kks: pl.DataFrame, keyed: pl.DataFrame
) -> pl.Series:
    """Persons of ``keyed`` (``person_id``, ``household_key``) whose trusted NIK the ranking
    list names under another KK, as a list for `is_in`."""
    return (
        persons.filter(_trusted_nik())
        .select(PERSON_ID, "nik")
        .join(keyed.select(PERSON_ID, HOUSEHOLD_KEY), on=PERSON_ID)
        .join(named_kks.select("nik", pl.col("no_kk").alias("_named")), on="nik")
        .filter(pl.col("_named") != pl.col(HOUSEHOLD_KEY))[PERSON_ID]
        .implode()
    )


def _ranking_completions(
    persons: pl.DataFrame, sources: pl.DataFrame, named_kks: pl.DataFrame, keys: pl.DataFrame
) -> pl.DataFrame:
    """Heads whose KK is unreadable everywhere and who joined no family by their listing ->
    the KK the newest ranking list names for their trusted NIK (`dtks.desil.named_kks`), when
    it begins with the digits Excel kept on every one of their rows (``no_kk_repaired``).

    DTSEN takes its families from Dukcapil: the list writes the whole number the export lost.
    Only a person listed as KEPALA KELUARGA on every row: a member the list names under another
    KK has most likely married out into a family the exports do not hold yet (`kk_pecah`), and
    joining it would give that family's desil to the registry. The head takes the relationship
    written on their rows, as in `_listing_completions`.
    """
    candidates = (
        persons.filter(_trusted_nik() & pl.col("no_kk").is_null())
        .select(PERSON_ID, "nik")
        .join(keys.select(PERSON_ID), on=PERSON_ID, how="anti")
        .join(named_kks.select("nik", pl.col("no_kk").alias("_kk")), on="nik")
    )
    digits = scientific_leading_digits(pl.col("no_kk_as_written"))
    rows = sources.join(candidates, on=PERSON_ID).with_columns(digits.alias("_digits"))
    return (
        rows.group_by(PERSON_ID)
        .agg(
            pl.col("_kk").first().alias(HOUSEHOLD_KEY),
            pl.col("_digits").is_not_null().all().alias("_all_unreadable"),
            pl.col("_kk").first().str.starts_with(pl.col("_digits")).all().alias("_fits"),
            pl.col("hubungan_keluarga").drop_nulls().unique().alias("_roles"),
        )
        .filter(
            pl.col("_all_unreadable")
            & pl.col("_fits").fill_null(False)
            & (pl.col("_roles") == pl.lit([HEAD], pl.List(pl.String)))
        )
        .select(
            PERSON_ID,
            HOUSEHOLD_KEY,
            pl.lit(True).alias("no_kk_repaired"),
            pl.when(pl.col("_roles").list.len() == 1)
            .then(pl.col("_roles").list.first())
            .alias(LISTED_ROLE),
            pl.lit(True).alias(KK_FROM_LIST),
        )
        .sort(PERSON_ID)
    )


def build_households(persons: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """One row per household key with its head, members, place and flags (no ids yet).

    ``persons``: golden records; ``keys``: `household_keys` of them.
    """
    is_head = pl.coalesce("hubungan_keluarga", LISTED_ROLE) == HEAD
    members = persons.join(keys, on="person_id", how="inner").with_columns(
        is_head.fill_null(False).alias("_is_head"),
        pl.col("is_deceased").fill_null(False).alias("_deceased"),
        pl.col("no_kk_is_valid").fill_null(False).alias("_kk_valid"),
        pl.col("no_kk_possibly_truncated").fill_null(False).alias("_kk_truncated"),
    )
    anchor_order = ["_is_head", "_deceased", "count_sources", "tanggal_lahir", "person_id"]
    anchors = (
        members.sort(
            [HOUSEHOLD_KEY, *anchor_order],
            descending=[False, True, False, True, False, False],
            nulls_last=True,
        )
        .unique(HOUSEHOLD_KEY, keep="first", maintain_order=True)
        .select(
            HOUSEHOLD_KEY,
            pl.when(pl.col("_is_head")).then(pl.col("person_id")).alias("head_person_id"),
            pl.when(pl.col("_is_head")).then(pl.col("nama")).alias("head_nama"),
            (pl.col("_is_head") & pl.col("_deceased")).alias("head_is_deceased"),
            *ADDRESS_COLUMNS,
        )
    )
    facts = members.group_by(HOUSEHOLD_KEY).agg(
        pl.len().cast(pl.Int64).alias("count_members"),
        pl.col("_is_head").sum().cast(pl.Int64).alias("count_heads"),
        pl.col("_deceased").sum().cast(pl.Int64).alias("count_deceased_members"),
        pl.col("village").n_unique().cast(pl.Int64).alias("count_villages"),
        pl.col("village").unique().sort().str.join(", ").alias("villages"),
        # the family's number is doubtful when no member's own number is sound, nor the
        # whole number a ranking list names
        (~((pl.col("_kk_valid") & ~pl.col("_kk_truncated")) | pl.col(KK_FROM_LIST)).any()).alias(
            "is_kk_malformed"
        ),
        pl.col("no_kk_repaired").any(),
    )
    return (
        facts.join(anchors, on=HOUSEHOLD_KEY)
        .with_columns(
            pl.col(HOUSEHOLD_KEY).alias("no_kk"),
            pl.lit(None, dtype=pl.String).alias("household_id"),
            (pl.col("count_heads") == 0).alias("is_without_head"),
            (pl.col("count_heads") > 1).alias("has_two_heads"),
            (pl.col("count_villages") > 1).alias("is_spread_over_villages"),
        )
        .select(HOUSEHOLD_KEY, *HOUSEHOLD_COLUMNS)
        .sort(HOUSEHOLD_KEY)
    )
