"""Matching desil ranking rows to the reconciled families, in order of trust, never guessing.

For each data row of a desil list (see `dtks.ingest.file_kinds`):

1. **Nomor KK** (`no_kk`): the row's KK is a registry family's (well formed, not possibly
   truncated, held by one family only).
2. **Head's NIK** (`nik_kepala`): the row's NIK is the head's of exactly one family.
3. **A member's NIK** (`nik_anggota`): the row's NIK is a member's, so a member listed in another
   village still finds the family.
4. **Name and birth date** (`nama_tanggal_lahir`): the row's NIK matches no trusted NIK because
   the village data has it missing, unreadable, cut by Excel or mistyped. The row finds the one
   registry person in the list's village with the row's name (matching key, or one letter
   apart) and the birth date and sex its NIK holds, whose own NIK is missing, agrees on the 15
   digits Excel kept, or is one typo (a digit, or two neighbours swapped) away; or, for a
   person whose NIK is missing and whose birth date was never readable, the one with the
   row's name key and sex. Two such persons: nothing.

A NIK is used only when it is trusted on both sides: 16 digits, not possibly truncated by a
spreadsheet, and on the registry side not flagged by the reconcile stage as untrusted
(`UNTRUSTED_NIK_FLAGS`: possibly truncated, shared with another person). Conflicts are flagged
and get no family:

- `kk_nik_beda_keluarga`: the KK names one family and the trusted NIK a person of another
  who is not listed under that KK anywhere in the exports, not even as Excel cut it (to 15
  digits, or to the first digits of 3.52811E+15), and the KK's family holds no person
  without a NIK born on the NIK's date with a name alike (the same person listed twice, once
  without the NIK): one who is moved or married out of it, sits in a family whose number Excel
  spoiled, or is listed in the KK's family without the NIK, and the KK decides;
- `kk_pecah`: the KK is unknown and the NIK is a member's who is not the head: the member most
  likely married and has a new KK (the new family is not in the exports yet); not when the
  NIK's family holds the row's KK as Excel cut it (the same first 15 digits, no sound number
  of its own): then the row writes that family's whole number, and the NIK finds it;
- `kk_ganda`: the KK is held by two registry families;
- `kk_tidak_pasti`: the KK is unknown and the NIK's family has a KK completed after Excel cut
  it (`no_kk_repaired`): the row's KK may be the family's true one, or another family's;
- `nik_di_dua_kk`: no KK match, and the NIK's person is listed under two KKs in the exports
  (moved, married, listed twice): which family the row means is not certain, unless the list's
  village lists them under one KK only, their reconciled family's (a village's list ranks the
  families listed in that village); never when the list's village lists them only under a KK
  Excel made unreadable (3.52811E+15) and their family's KK was read elsewhere;
- `dua_desil`: one family matched by rows with different desils in lists of one period.

Rows matching nothing are `tidak_cocok`; a desil that is not 1-10 is `desil_tidak_sah`; rows with
neither a usable KK nor a usable NIK are `tanpa_kk_nik`; totals, notes, signatures and repeated
headers are `bukan_data`. Every row read gets exactly one `status`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cpdist

from dtks.clean.identifiers import add_number, scientific_leading_digits
from dtks.clean.names import add_person_name, name_key
from dtks.desil.period import period_from_text

# Registry person columns that, when true, make a person's NIK unusable for matching. The
# reconcile stage publishes both today; a further flag (e.g. a NIK on two families' people)
# joins here by name, and a column absent from `persons` is ignored.
UNTRUSTED_NIK_FLAGS: tuple[str, ...] = ("nik_possibly_truncated", "nik_shared_with_other_person")

STATUSES = ("cocok", "konflik", "tidak_cocok", "ditolak", "bukan_data")
MATCHED_BY = ("no_kk", "nik_kepala", "nik_anggota", "nama_tanggal_lahir")
KECAMATAN_LISTS = "_kecamatan"  # the village of rows from lists covering the kecamatan
REASONS: dict[str, str] = {
    "kk_nik_beda_keluarga": "Nomor KK menunjuk satu keluarga, NIK menunjuk orang di keluarga lain",
    "kk_pecah": (
        "Nomor KK tidak dikenal dan NIK milik anggota (bukan kepala) keluarga lain: kemungkinan "
        "KK baru setelah menikah; keluarga baru belum ada di data desa"
    ),
    "kk_ganda": "Nomor KK dipakai dua keluarga di data desa",
    "kk_tidak_pasti": (
        "Nomor KK tidak dikenal dan keluarga yang ditunjuk NIK punya Nomor KK yang dilengkapi "
        "dari angka Excel terpotong: keluarganya tidak pasti"
    ),
    "nik_di_dua_kk": (
        "NIK ini tercatat di dua Nomor KK di data desa (pindah, menikah atau tercatat ganda): "
        "keluarganya tidak pasti"
    ),
    "dua_desil": "Satu keluarga mendapat dua desil berbeda dalam daftar periode yang sama",
    "tidak_cocok": (
        "Tidak ada keluarga di data desa dengan Nomor KK atau NIK ini, dan tidak ada satu orang "
        "di desa ini dengan nama dan tanggal lahir (dari NIK) ini"
    ),
    "desil_tidak_sah": "Nilai desil bukan angka 1 sampai 10",
    "tanpa_kk_nik": "Baris tanpa Nomor KK dan tanpa NIK yang bisa dipakai",
    "bukan_data": "Baris jumlah, catatan, tanda tangan atau judul berulang",
}

DESIL_ROWS_COLUMNS: dict[str, pl.DataType] = {
    "village": pl.String(),
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
    "row_kind": pl.String(),
    "row_unit": pl.String(),
    "desil_period": pl.Date(),
    "desil_period_from": pl.String(),  # kolom, nama_file or tanggal_file
    "no_kk": pl.String(),
    "nik": pl.String(),
    "nama": pl.String(),
    "desil": pl.Int64(),
    "status": pl.String(),
    "matched_by": pl.String(),
    "household_id": pl.String(),
    "reason": pl.String(),
    "reason_text": pl.String(),
    "is_current": pl.Boolean(),
}

HOUSEHOLD_DESIL_COLUMNS: dict[str, pl.DataType] = {
    "household_id": pl.String(),
    "desil": pl.Int64(),
    "desil_period": pl.Date(),
    "desil_matched_by": pl.String(),
    "desil_previous": pl.Int64(),
    "desil_previous_period": pl.Date(),
    "desil_changed": pl.Boolean(),
    "desil_conflict": pl.String(),
    "desil_history": pl.String(),  # "2026-01:3, 2026-07:4"
}


def prepare_rows(raw: pl.DataFrame, files: pl.DataFrame | None) -> pl.LazyFrame:
    """Desil raw rows with KK/NIK normalised (as the clean stage does), desil and period parsed."""
    lf = raw.lazy()
    lf = add_number(lf, "no_kk", "no_kk_was_numeric")
    lf = add_number(lf, "nik", "nik_was_numeric")
    desil_digits = pl.col("desil_text").str.extract(r"^(?i:desil)?\s*(\d{1,2})(?:[.,]0+)?$", 1)
    lf = lf.with_columns(desil_digits.cast(pl.Int64, strict=False).alias("desil"))
    periods = _periods(raw, files)
    return lf.join(periods.lazy(), on=["village", "source_file"], how="left")


def _periods(raw: pl.DataFrame, files: pl.DataFrame | None) -> pl.DataFrame:
    """One period per list: its PERIODE column (most common value), else its name, else its date."""
    lists = raw.select("village", "source_file").unique(maintain_order=True)
    column = (
        raw.drop_nulls("periode_text")
        .group_by("village", "source_file")
        .agg(pl.col("periode_text").mode().first())
    )
    modified = (
        files.select("village", "source_file", pl.col("modified_at").dt.date().alias("_file_date"))
        if files is not None and "modified_at" in files.columns
        else pl.DataFrame(
            schema={"village": pl.String, "source_file": pl.String, "_file_date": pl.Date}
        )
    )
    lists = lists.join(column, on=["village", "source_file"], how="left").join(
        modified, on=["village", "source_file"], how="left"
    )
    records = []
    for village, source_file, text, file_date in lists.iter_rows():  # one per list, not per row
        from_column, from_name = period_from_text(text), period_from_text(source_file)
        if from_column is not None:
            records.append((village, source_file, from_column, "kolom"))
        elif from_name is not None:
            records.append((village, source_file, from_name, "nama_file"))
        else:
            fallback = file_date.replace(day=1) if isinstance(file_date, date) else None
            records.append((village, source_file, fallback, "tanggal_file"))
    return pl.DataFrame(
        records,
        schema={
            "village": pl.String,
            "source_file": pl.String,
            "desil_period": pl.Date,
            "desil_period_from": pl.String,
        },
        orient="row",
    )


def match_desil(
    raw: pl.DataFrame,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    files: pl.DataFrame | None = None,
    sources: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every ranking row with what it matched, and each registry family's current desil.

    `raw`: the store's `desil_raw_rows`; `persons`/`households`: the reconciled ones;
    `files`: `source_files` (for a list's date when neither its content nor its name says);
    `sources`: the reconciled source rows (`person_id`, `no_kk`, optionally `no_kk_as_written`
    and `village`): a person listed under two KKs (moved, married, listed twice) belongs to no
    one family for certain, so their NIK finds no family (`nik_di_dua_kk`) unless the list's
    village settles it.
    """
    rows = prepare_rows(raw, files).with_row_index("_row")
    kk_map = (
        households.lazy()
        .filter(pl.col("no_kk").is_not_null() & ~pl.col("is_kk_malformed").fill_null(False))
        .group_by("no_kk")
        .agg(pl.col("household_id").first().alias("_kk_household"), pl.len().alias("_kk_count"))
    )
    untrusted = [pl.col(c).fill_null(False) for c in UNTRUSTED_NIK_FLAGS if c in persons.columns]
    trusted = pl.col("nik").is_not_null() & pl.col("nik_is_valid").fill_null(False)
    if untrusted:
        trusted = trusted & ~pl.any_horizontal(untrusted)
    facts = _person_facts(persons, households, sources)
    nik_map = (
        persons.lazy()
        .filter(trusted & pl.col("household_id").is_not_null())
        .group_by("nik")
        .agg(
            pl.col("person_id").first().alias("_person"),
            pl.col("household_id").n_unique().alias("_nik_count"),
        )
    )
    nik_usable = pl.col("nik").is_not_null() & ~pl.col("nik_possibly_truncated")
    kk_usable = pl.col("no_kk").is_not_null() & ~pl.col("no_kk_possibly_truncated")
    keyed = (
        rows.with_columns(
            pl.when(kk_usable).then(pl.col("no_kk")).alias("_kk_key"),
            pl.when(nik_usable).then(pl.col("nik")).alias("_nik_key"),
        )
        .join(kk_map, left_on="_kk_key", right_on="no_kk", how="left")
        .join(nik_map, left_on="_nik_key", right_on="nik", how="left")
        .collect()
        .lazy()
    )
    by_name = _person_by_name_and_birth(keyed, persons)
    joined = (
        keyed.join(by_name, on="_row", how="left")
        .with_columns(
            pl.col("_person_by_name").is_not_null().alias("_by_name"),
            pl.coalesce("_person", "_person_by_name").alias("_person"),
            pl.when(pl.col("_person_by_name").is_not_null())
            .then(pl.lit(1, pl.UInt32))
            .otherwise(pl.col("_nik_count"))
            .alias("_nik_count"),
        )
        .join(facts.person, left_on="_person", right_on="person_id", how="left")
        .join(
            facts.here,
            left_on=["_person", "village"],
            right_on=["person_id", "village"],
            how="left",
        )
    )
    # A person listed under two KKs (moved, married, listed twice) is in no one family for
    # certain, unless the list's village holds their rows under one KK only (the same 16
    # digits: a neighbour issued the same day shares 15) and that KK is a registry family's:
    # a village's list ranks the family listed in that village.
    repaired = (
        pl.col("no_kk_repaired").fill_null(False)
        if "no_kk_repaired" in households.columns
        else pl.lit(False)
    )
    here_map = (
        households.lazy()
        .filter(pl.col("no_kk").is_not_null() & ~pl.col("is_kk_malformed").fill_null(False))
        .group_by("no_kk")
        .agg(
            pl.col("household_id").first().alias("_here_household"),
            pl.col("head_person_id").first().alias("_here_head"),
            repaired.first().alias("_here_repaired"),
            pl.len().alias("_here_count"),
        )
        .filter(pl.col("_here_count") == 1)
        .drop("_here_count")
    )
    joined = joined.with_columns(
        pl.when(pl.col("_kks_here").list.len() == 1)
        .then(pl.col("_kks_here").list.first())
        .alias("_kk_here")
    ).join(here_map, left_on="_kk_here", right_on="no_kk", how="left")
    two_kk = pl.col("_count_kk").fill_null(0) > 1
    resolved = (
        pl.col("_here_household").is_not_null()
        & (pl.col("_count_kk_any_here").fill_null(0) <= 1)
        & (two_kk | (pl.col("_count_kk_any").fill_null(0) > 1))
    )
    # ... and the list's village holding them only under a KK Excel made unreadable, while
    # their family's KK was read in another village's rows, may mean another family
    unreadable_here = (
        (pl.col("_kks_here").list.len().fill_null(0) == 0)
        & (pl.col("_count_kk_any_here").fill_null(0) >= 1)
        & (pl.col("_count_kk_any").fill_null(0) > 1)
    )
    joined = joined.with_columns(
        ((two_kk & ~resolved) | unreadable_here).alias("_nik_two_kk"),
        ((pl.col("_count_kk_any").fill_null(0) > 1) & ~resolved).alias("_nik_maybe_two_kk"),
        pl.when(resolved)
        .then(pl.col("_here_household"))
        .otherwise(pl.col("_nik_household"))
        .alias("_nik_household"),
        pl.when(resolved)
        .then(pl.col("_here_head") == pl.col("_person"))
        .otherwise(pl.col("_nik_is_head"))
        .fill_null(False)
        .alias("_nik_is_head"),
        pl.when(resolved)
        .then(pl.col("_here_repaired"))
        .otherwise(pl.col("_nik_kk_repaired"))
        .alias("_nik_kk_repaired"),
        # the NIK's person is listed under the row's KK, or under it as Excel cut it (the
        # same first 15 digits, the 16th lost, or only the first digits kept: 3.52811E+15):
        # the KK and the NIK agree
        (
            pl.col("_kks").list.contains(pl.col("_kk_key"))
            | pl.col("_kks_cut").list.contains(pl.col("_kk_key").str.slice(0, 15))
            | (
                pl.concat_list([pl.col("_kk_key").str.slice(0, n) for n in range(1, 16)])
                .list.set_intersection(pl.col("_kks_unreadable"))
                .list.len()
                > 0
            )
        )
        .fill_null(False)
        .alias("_nik_under_row_kk"),
    )
    # the NIK's family holds the row's KK only as Excel cut it (15 digits agree, the family's
    # own number is doubtful): the list writes that family's whole number
    cut_kks = households.lazy().select(
        "household_id",
        pl.when(pl.col("is_kk_malformed").fill_null(False))
        .then(pl.col("no_kk").str.slice(0, 15))
        .alias("_nik_family_kk15_cut"),
    )
    joined = joined.join(
        cut_kks, left_on="_nik_household", right_on="household_id", how="left"
    ).join(_listed_without_nik_in_kk_family(joined, persons), on="_row", how="left")
    family_kk_cut = (
        pl.col("_kk_count").is_null()
        & (pl.col("_nik_family_kk15_cut") == pl.col("_kk_key").str.slice(0, 15))
    ).fill_null(False)
    kk_one = pl.col("_kk_count") == 1
    nik_one = pl.col("_nik_count") == 1
    data = pl.col("row_kind") == "data"
    reason = (
        pl.when(~data)
        .then(pl.lit("bukan_data"))
        .when(pl.col("desil").is_null() | ~pl.col("desil").is_between(1, 10))
        .then(pl.lit("desil_tidak_sah"))
        .when(pl.col("_kk_key").is_null() & pl.col("_nik_key").is_null())
        .then(pl.lit("tanpa_kk_nik"))
        .when(pl.col("_kk_count") > 1)
        .then(pl.lit("kk_ganda"))
        .when(
            kk_one
            & nik_one
            & (pl.col("_nik_household") != pl.col("_kk_household"))
            & ~pl.col("_nik_under_row_kk")
            & ~pl.col("_same_person_in_kk_family").fill_null(False)
        )
        .then(pl.lit("kk_nik_beda_keluarga"))
        .when(kk_one)
        .then(pl.lit(None, pl.String))
        .when(nik_one & pl.col("_nik_two_kk"))
        .then(pl.lit("nik_di_dua_kk"))
        .when(nik_one & family_kk_cut)
        .then(pl.lit(None, pl.String))
        .when(nik_one & pl.col("_kk_key").is_not_null() & pl.col("_nik_maybe_two_kk"))
        .then(pl.lit("nik_di_dua_kk"))
        .when(nik_one & pl.col("_kk_key").is_not_null() & pl.col("_nik_kk_repaired"))
        .then(pl.lit("kk_tidak_pasti"))
        .when(nik_one & ~pl.col("_nik_is_head") & pl.col("_kk_key").is_not_null())
        .then(pl.lit("kk_pecah"))
        .when(nik_one)
        .then(pl.lit(None, pl.String))
        .otherwise(pl.lit("tidak_cocok"))
    )
    matched_by = (
        pl.when(pl.col("reason").is_not_null())
        .then(pl.lit(None, pl.String))
        .when(kk_one)
        .then(pl.lit("no_kk"))
        .when(pl.col("_by_name"))
        .then(pl.lit("nama_tanggal_lahir"))
        .when(pl.col("_nik_is_head"))
        .then(pl.lit("nik_kepala"))
        .otherwise(pl.lit("nik_anggota"))
    )
    decided = joined.with_columns(reason.alias("reason")).with_columns(
        matched_by.alias("matched_by"),
        pl.when(pl.col("reason").is_null())
        .then(pl.coalesce(pl.when(kk_one).then(pl.col("_kk_household")), pl.col("_nik_household")))
        .alias("household_id"),
    )
    # One family, two desils in lists of one period: the rows matched with the highest trust
    # (KK, then head's NIK, then a member's NIK) decide when they agree with each other; the
    # other rows with another desil are flagged. When the top rows disagree, all are flagged.
    trust = pl.col("matched_by").replace_strict(
        {name: level for level, name in enumerate(MATCHED_BY)}, default=None, return_dtype=pl.Int64
    )
    family = ["household_id", "desil_period"]
    decided = decided.with_columns(trust.alias("_trust"))
    matched = decided.filter(pl.col("household_id").is_not_null())
    top_level = matched.group_by(family).agg(pl.col("_trust").min().alias("_top_trust"))
    top = (
        matched.join(top_level, on=family)
        .filter(pl.col("_trust") == pl.col("_top_trust"))
        .group_by(family)
        .agg(
            pl.col("desil").n_unique().alias("_top_desils"),
            pl.col("desil").first().alias("_top_desil"),
        )
    )
    decided = decided.join(top, on=family, how="left")
    clash = pl.col("household_id").is_not_null() & (
        (pl.col("_top_desils") > 1) | (pl.col("desil") != pl.col("_top_desil"))
    )
    decided = decided.with_columns(
        pl.when(clash.fill_null(False))
        .then(pl.lit("dua_desil"))
        .otherwise(pl.col("reason"))
        .alias("reason"),
    )
    decided = decided.with_columns(
        pl.when(pl.col("reason") == "dua_desil")
        .then(pl.lit(None, pl.String))
        .otherwise(pl.col("matched_by"))
        .alias("matched_by"),
        pl.when(pl.col("reason").is_null())
        .then(pl.lit("cocok"))
        .when(pl.col("reason") == "bukan_data")
        .then(pl.lit("bukan_data"))
        .when(pl.col("reason").is_in(["desil_tidak_sah", "tanpa_kk_nik"]))
        .then(pl.lit("ditolak"))
        .when(pl.col("reason") == "tidak_cocok")
        .then(pl.lit("tidak_cocok"))
        .otherwise(pl.lit("konflik"))
        .alias("status"),
        pl.col("reason")
        .replace_strict(REASONS, default=None, return_dtype=pl.String)
        .alias("reason_text"),
    )
    newest = (
        decided.filter(pl.col("household_id").is_not_null())
        .group_by("household_id")
        .agg(pl.col("desil_period").max().alias("_newest"))
    )
    decided = decided.join(newest, on="household_id", how="left").with_columns(
        (pl.col("desil_period") == pl.col("_newest")).fill_null(False).alias("is_current")
    )
    desil_rows = decided.select(
        [pl.col(c).cast(t) for c, t in DESIL_ROWS_COLUMNS.items()]
    ).collect()
    return desil_rows, household_desil(desil_rows)


@dataclass(frozen=True)
class _PersonFacts:
    """What a matched person tells about the family: `person` (one row per person) and
    `here` (per person and village: the KKs their rows carry there)."""

    person: pl.LazyFrame
    here: pl.LazyFrame


def _person_facts(
    persons: pl.DataFrame, households: pl.DataFrame, sources: pl.DataFrame | None
) -> _PersonFacts:
    """Per person: household, whether they head it, whether its KK was completed, and the KKs
    their source rows carry (on 15 digits: a KK Excel cut to 15 digits is still the same KK;
    `_count_kk_any` also counts a KK written but unreadable, 3.52803E+15: it may be any KK)."""
    repaired = (
        pl.col("no_kk_repaired").fill_null(False)
        if "no_kk_repaired" in households.columns
        else pl.lit(False)
    )
    heads = households.lazy().select(
        "household_id",
        "head_person_id",
        repaired.alias("_nik_kk_repaired"),
    )
    person = (
        persons.lazy()
        .filter(pl.col("household_id").is_not_null())
        .select("person_id", pl.col("household_id").alias("_nik_household"))
        .join(heads, left_on="_nik_household", right_on="household_id", how="left")
        .with_columns(
            (pl.col("person_id") == pl.col("head_person_id")).fill_null(False).alias("_nik_is_head")
        )
        .drop("head_person_id")
    )
    here_schema = {
        "person_id": pl.String,
        "village": pl.String,
        "_kks_here": pl.List(pl.String),
        "_count_kk_any_here": pl.UInt32,
    }
    if sources is None or not {"person_id", "no_kk"} <= set(sources.columns):
        person = person.with_columns(
            pl.lit([], pl.List(pl.String)).alias("_kks"),
            pl.lit([], pl.List(pl.String)).alias("_kks_cut"),
            pl.lit([], pl.List(pl.String)).alias("_kks_unreadable"),
            pl.lit(0, pl.UInt32).alias("_count_kk"),
            pl.lit(0, pl.UInt32).alias("_count_kk_any"),
        )
        return _PersonFacts(person, pl.LazyFrame(schema=here_schema))
    written = (
        pl.col("no_kk_as_written")
        if "no_kk_as_written" in sources.columns
        else pl.lit(None, pl.String)
    )
    kk15 = pl.col("no_kk").str.slice(0, 15)
    cut = (
        pl.col("no_kk_possibly_truncated").fill_null(False)
        if "no_kk_possibly_truncated" in sources.columns
        else pl.lit(False)
    )
    any_kk = pl.coalesce(kk15, pl.lit("?") + written.cast(pl.String))
    listed = sources.lazy().with_columns(kk15.alias("_kk15"), any_kk.alias("_any_kk"))
    kks = listed.group_by("person_id").agg(
        pl.col("no_kk").drop_nulls().unique().alias("_kks"),
        pl.col("_kk15").filter(cut).drop_nulls().unique().alias("_kks_cut"),
        scientific_leading_digits(written).drop_nulls().unique().alias("_kks_unreadable"),
        pl.col("_kk15").drop_nulls().n_unique().alias("_count_kk"),
        pl.col("_any_kk").drop_nulls().n_unique().alias("_count_kk_any"),
    )
    person = person.join(kks, on="person_id", how="left")
    if "village" not in sources.columns:
        return _PersonFacts(person, pl.LazyFrame(schema=here_schema))
    here = listed.group_by("person_id", "village").agg(
        pl.col("no_kk").drop_nulls().unique().alias("_kks_here"),
        pl.col("_any_kk").drop_nulls().n_unique().alias("_count_kk_any_here"),
    )
    return _PersonFacts(person, here)


# Registry persons a ranking row's NIK may name although it matches no trusted NIK: their own
# NIK is missing, unreadable or cut by Excel (then its 15 digits must agree), or differs from
# the row's by one mistyped digit or two swapped neighbours.
_NIK_LENGTH = 16


def _one_typo(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Two 16-digit NIKs differ by one digit, or by two neighbouring digits swapped."""
    differ = [a.str.slice(i, 1) != b.str.slice(i, 1) for i in range(_NIK_LENGTH)]
    count = pl.sum_horizontal([d.cast(pl.Int8) for d in differ])
    swapped = pl.any_horizontal(
        [
            differ[i]
            & (a.str.slice(i, 1) == b.str.slice(i + 1, 1))
            & (a.str.slice(i + 1, 1) == b.str.slice(i, 1))
            for i in range(_NIK_LENGTH - 1)
        ]
    )
    return (count == 1) | ((count == 2) & swapped)


_BIRTH = ("_day", "_month", "_yy", "_sex")  # what a NIK says of its holder's birth


def _with_name_and_birth_of_nik(rows: pl.LazyFrame) -> pl.LazyFrame:
    """``rows`` (``nama``, ``_nik_key``) with the name's matching key (``_name_key``) and the
    birth day, month, two-digit year and sex the NIK holds (`_BIRTH`; a woman's day + 40)."""
    nik = pl.col("_nik_key")
    day = nik.str.slice(6, 2).cast(pl.Int32, strict=False)
    return rows.pipe(add_person_name, "nama", "_row_nama", None, "_name_key").with_columns(
        pl.when(day > 40).then(day - 40).otherwise(day).alias("_day"),
        nik.str.slice(8, 2).cast(pl.Int32, strict=False).alias("_month"),
        nik.str.slice(10, 2).cast(pl.Int32, strict=False).alias("_yy"),
        pl.when(day > 40).then(pl.lit("P")).otherwise(pl.lit("L")).alias("_sex"),
    )


def _registry_birth() -> list[pl.Expr]:
    """The registry person's name key and birth as `_with_name_and_birth_of_nik` gives a NIK's."""
    born = pl.col("tanggal_lahir")
    return [
        name_key(pl.col("nama")).alias("_name_key"),
        born.dt.day().cast(pl.Int32).alias("_day"),
        born.dt.month().cast(pl.Int32).alias("_month"),
        (born.dt.year() % 100).cast(pl.Int32).alias("_yy"),
        pl.col("jenis_kelamin").alias("_sex"),
    ]


def _listed_without_nik_in_kk_family(rows: pl.LazyFrame, persons: pl.DataFrame) -> pl.LazyFrame:
    """`_row` -> `_same_person_in_kk_family`: the family the row's KK names holds a person
    with no NIK, the birth date and sex the row's NIK holds and a name alike (`_names_alike`):
    most likely the NIK's person, listed there a second time without the NIK and not joined to
    their other listing. The KK and the NIK then agree."""
    needed = {"nama", "tanggal_lahir", "jenis_kelamin", "household_id", "nik"}
    empty = pl.LazyFrame(schema={"_row": pl.UInt32, "_same_person_in_kk_family": pl.Boolean})
    if not needed <= set(persons.columns):
        return empty
    undocumented = (
        persons.lazy()
        .filter(pl.col("nik").is_null() & pl.col("household_id").is_not_null())
        .select(pl.col("household_id").alias("_kk_household"), *_registry_birth())
    )
    return (
        rows.filter(
            pl.col("_kk_household").is_not_null()
            & pl.col("_nik_key").is_not_null()
            & pl.col("nama").is_not_null()
        )
        .select("_row", "_kk_household", "_nik_key", "nama")
        .pipe(_with_name_and_birth_of_nik)
        .join(undocumented, on=["_kk_household", *_BIRTH], suffix="_registry")
        .filter(_names_alike(pl.col("_name_key"), pl.col("_name_key_registry")))
        .select("_row", pl.lit(True).alias("_same_person_in_kk_family"))
        .unique("_row")
    )


def _names_alike(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Two name matching keys are equal or one letter apart (ALIP and ALIF, NABILA and
    NABILLA): a spelling the village typed differently from Dukcapil."""

    def one_apart(pair: pl.Series) -> pl.Series:
        left, right = pair.struct.field("a").fill_null(""), pair.struct.field("b").fill_null("")
        edits = cpdist(left.to_list(), right.to_list(), scorer=Levenshtein.distance, workers=-1)
        return pl.Series(edits <= 1) & (left != "") & (right != "")

    pair = pl.struct(a.alias("a"), b.alias("b"))
    return (a == b).fill_null(False) | pair.map_batches(one_apart, return_dtype=pl.Boolean)


def _person_by_name_and_birth(rows: pl.LazyFrame, persons: pl.DataFrame) -> pl.LazyFrame:
    """`_row` -> `_person_by_name`, for rows whose usable NIK matched no trusted NIK: the one
    registry person (in the list's village, or anywhere for a `_kecamatan` list) with the row's
    name (matching key, or one letter apart: `_names_alike`), the birth date and sex the row's
    NIK holds (a placeholder date such as 1 July counts too: Dukcapil writes it into the NIK
    as well) and a NIK that is missing, cut to the row's 15 digits or one typo away; or, when
    the person's NIK is missing and their birth date was never readable, the one person with
    the row's name key and sex. Two such persons, or none: nothing."""
    needed = {"nama", "tanggal_lahir", "jenis_kelamin", "household_id"}
    empty = pl.LazyFrame(schema={"_row": pl.UInt32, "_person_by_name": pl.String})
    if not needed <= set(persons.columns):
        return empty
    nik = pl.col("_nik_key")
    unmatched = (
        rows.filter(
            (pl.col("row_kind") == "data")
            & pl.col("_nik_count").is_null()
            & (pl.col("_kk_count").fill_null(0) != 1)
            & nik.is_not_null()
            & pl.col("nama").is_not_null()
        )
        .select("_row", "village", "_nik_key", "nama")
        .pipe(_with_name_and_birth_of_nik)
        .select("_row", "village", "_nik_key", "_name_key", *_BIRTH)
    )
    shared = (
        pl.col("nik_shared_with_other_person").fill_null(False)
        if "nik_shared_with_other_person" in persons.columns
        else pl.lit(False)
    )
    cut = (
        pl.col("nik_possibly_truncated").fill_null(False)
        if "nik_possibly_truncated" in persons.columns
        else pl.lit(False)
    )
    villages = (
        pl.col("villages").str.split(", ")
        if "villages" in persons.columns
        else pl.concat_list(pl.col("village"))
        if "village" in persons.columns
        else pl.lit([], pl.List(pl.String))
    )
    born = pl.col("tanggal_lahir")
    candidates = (
        persons.lazy()
        .filter(
            pl.col("household_id").is_not_null()
            & born.is_not_null()
            & ~shared
            & pl.col("nama").is_not_null()
        )
        .select(
            pl.col("person_id").alias("_person_by_name"),
            pl.col("nik").alias("_registry_nik"),
            cut.alias("_registry_cut"),
            villages.alias("_villages"),
            *_registry_birth(),
        )
    )
    registry, row_nik = pl.col("_registry_nik"), pl.col("_nik_key")
    fits = (
        registry.is_null()
        | (pl.col("_registry_cut") & (registry.str.slice(0, 15) == row_nik.str.slice(0, 15)))
        | _one_typo(registry, row_nik)
    )
    here = (pl.col("village") == KECAMATAN_LISTS) | pl.col("_villages").list.contains(
        pl.col("village")
    )
    born_alike = (
        unmatched.join(candidates, on=["_day", "_month", "_yy", "_sex"], suffix="_registry")
        .filter(fits.fill_null(False) & here.fill_null(False))
        .filter(_names_alike(pl.col("_name_key"), pl.col("_name_key_registry")))
    )
    # a registry person whose NIK is missing and whose birth date was never readable
    # (31-02-1980): the name alone, with the sex the row's NIK holds
    undated = persons.lazy().filter(
        pl.col("household_id").is_not_null()
        & born.is_null()
        & pl.col("nik").is_null()
        & ~shared
        & pl.col("nama").is_not_null()
    )
    named_alike = unmatched.join(
        undated.select(
            pl.col("person_id").alias("_person_by_name"),
            villages.alias("_villages"),
            name_key(pl.col("nama")).alias("_name_key"),
            pl.col("jenis_kelamin").alias("_sex"),
        ),
        on=["_name_key", "_sex"],
    ).filter(here.fill_null(False))
    found = pl.concat(
        [f.select("_row", "_person_by_name") for f in (born_alike, named_alike)],
        how="vertical",
    )
    return (
        found.group_by("_row")
        .agg(pl.col("_person_by_name").unique())
        .filter(pl.col("_person_by_name").list.len() == 1)
        .select("_row", pl.col("_person_by_name").list.first())
    )


def household_desil(desil_rows: pl.DataFrame) -> pl.DataFrame:
    """Each matched family's desil: the newest period's, with the previous one and the history."""
    matched = desil_rows.filter(pl.col("household_id").is_not_null())
    per_period = (
        matched.group_by("household_id", "desil_period")
        .agg(
            pl.col("desil").filter(pl.col("status") == "cocok").first().alias("desil"),
            pl.col("matched_by")
            .filter(pl.col("status") == "cocok")
            .sort()
            .first()
            .alias("matched_by"),
            pl.col("reason").filter(pl.col("status") == "konflik").first().alias("conflict"),
        )
        .sort("household_id", "desil_period")
    )
    return (
        per_period.group_by("household_id", maintain_order=True)
        .agg(
            pl.col("desil").last().alias("desil"),
            pl.col("desil_period").last().alias("desil_period"),
            pl.col("matched_by").last().alias("desil_matched_by"),
            pl.col("desil").drop_nulls().reverse().slice(1, 1).first().alias("_previous"),
            pl.col("desil_period")
            .filter(pl.col("desil").is_not_null())
            .reverse()
            .slice(1, 1)
            .first()
            .alias("desil_previous_period"),
            pl.col("conflict").last().alias("desil_conflict"),
            pl.concat_str(
                pl.col("desil_period").dt.strftime("%Y-%m"),
                pl.lit(":"),
                pl.col("desil").cast(pl.String).fill_null("konflik"),
            )
            .str.join(", ")
            .alias("desil_history"),
        )
        .with_columns(
            pl.when(pl.col("desil").is_not_null())
            .then(pl.col("_previous"))
            .alias("desil_previous"),
        )
        .with_columns(
            (
                pl.col("desil_previous").is_not_null()
                & (pl.col("desil_previous") != pl.col("desil"))
            ).alias("desil_changed")
        )
        .select([pl.col(c).cast(t) for c, t in HOUSEHOLD_DESIL_COLUMNS.items()])
    )
