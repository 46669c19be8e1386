"""The deliberation items of each village: families to propose, persons to remove, persons to
verify and targeting checks, each with its evidence and the source rows it rests on.

Kinds (`kind`) and reasons (`reason`):

- `usulan` / `KELUARGA_BARU`: a family of the population register (alive residents sharing a
  KK) none of whose members is a registry person and whose KK and NIKs are in no desil list;
- `sanggah` / `MENINGGAL`, `PINDAH`: a registry person the register records as deceased or
  moved out (matched on a trusted NIK, or on name, birth date and mother's name together), or
  whose KETERANGAN says so; `GANDA`: a duplicate row of the deactivation list;
  `TIDAK LAYAK`: a family receiving a programme and ranked at or above the removal desil;
- `verifikasi` / `TIDAK_DI_REGISTER`: a living registry person of a village that has a register,
  found in no register row (no removal code: the operator checks);
- `cek_sasaran` / `DI_ATAS_BATAS` (programme recipient above its programme's cut-off, below the
  removal desil: possible inclusion error), `TANPA_PROGRAM` (family at or below a cut-off
  receiving no programme: possible exclusion error).

Each item's `item_id` is a hash of its kind, reason and subject (person_id, household_id, the
register family's KK, or a duplicate row's stable record key): the same item on the next
export keeps its id, so the status an operator gave it is kept (`dtks.musdes.status`).
"""

from __future__ import annotations

import hashlib
import json

import polars as pl

from dtks.musdes.settings import PROGRAMME_LABELS, PROGRAMMES, ProgrammeCutoffs
from dtks.privacy import mask_number_expr, mask_text_expr

KINDS = ("usulan", "sanggah", "verifikasi", "cek_sasaran")
REASONS = {
    "usulan": ("KELUARGA_BARU",),
    "sanggah": ("MENINGGAL", "PINDAH", "GANDA", "TIDAK LAYAK"),
    "verifikasi": ("TIDAK_DI_REGISTER",),
    "cek_sasaran": ("DI_ATAS_BATAS", "TANPA_PROGRAM"),
}
ITEM_SCHEMA: dict[str, pl.DataType] = {
    "item_id": pl.String(),
    "village": pl.String(),
    "kind": pl.String(),
    "reason": pl.String(),
    "subject_key": pl.String(),  # person_id, household_id, kk:<hash> or row:<record_key>
    "person_id": pl.String(),
    "household_id": pl.String(),
    "programme": pl.String(),
    "desil": pl.Int64(),
    "nama": pl.String(),
    "nik_masked": pl.String(),
    "no_kk_masked": pl.String(),
    "dusun": pl.String(),
    "rt": pl.String(),
    "rw": pl.String(),
    "count_members": pl.Int64(),
    "evidence": pl.String(),  # in Bahasa Indonesia, for the deliberation
    "evidence_sources": pl.String(),  # register, keterangan, deaktivasi, desil, program
    "source_rows": pl.String(),  # JSON [{"source_file", "source_sheet", "source_row"}]
    "count_source_rows": pl.Int64(),
}
ROW = ["source_file", "source_sheet", "source_row"]


def item_id(kind: str, reason: str, subject_key: str) -> str:
    """Stable id of an item: "M-" and 16 hex digits of a hash of kind, reason and subject.

    >>> item_id("sanggah", "MENINGGAL", "P-1") == item_id("sanggah", "MENINGGAL", "P-1")
    True
    """
    digest = hashlib.sha256(f"{kind}|{reason}|{subject_key}".encode()).hexdigest()
    return f"M-{digest[:16]}"


_DIGITS_AS_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def with_secret_item_ids(items: pl.DataFrame, secret: str) -> pl.DataFrame:
    """`items` with each `item_id` hashed again with the work store's secret
    (`dtks.privacy.identifier_secret`), written as letters. The workbooks posted at the
    village office carry the id in a hidden column; an id made from a register family's KK
    or a duplicate's record key could otherwise be traced back to the number by hashing the
    candidates its masked digits leave.

    >>> ids = with_secret_item_ids(pl.DataFrame({"item_id": ["M-1", None]}), "s")["item_id"]
    >>> ids[0][:2], len(ids[0]), ids[0][2:].isalpha(), ids[1]
    ('M-', 18, True, None)
    """

    def one(item: str) -> str:
        digest = hashlib.sha256(f"{secret}|{item}".encode()).hexdigest()[:16]
        return "M-" + digest.translate(_DIGITS_AS_LETTERS)

    return items.with_columns(
        pl.col("item_id").map_elements(one, return_dtype=pl.String, skip_nulls=True)
    )


def _rows_json(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    """Per `by`: the JSON list of its source rows and their count."""
    if frame.is_empty():
        return pl.DataFrame(
            schema={by: pl.String, "source_rows": pl.String, "count_source_rows": pl.Int64}
        )
    grouped = (
        frame.unique([by, *ROW])
        .sort([by, *ROW])
        .group_by(by, maintain_order=True)
        .agg(pl.struct(ROW).alias("_rows"))
    )
    return grouped.select(
        by,
        pl.col("_rows")
        .map_elements(
            lambda rows: json.dumps(list(rows), ensure_ascii=False), return_dtype=pl.String
        )
        .alias("source_rows"),
        pl.col("_rows").list.len().cast(pl.Int64).alias("count_source_rows"),
    )


def _finish(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    ids = [item_id(kind, r, s) for r, s in zip(frame["reason"], frame["subject_key"], strict=True)]
    frame = frame.with_columns(pl.Series("item_id", ids, pl.String), pl.lit(kind).alias("kind"))
    return frame.select(
        [
            (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
            for c, t in ITEM_SCHEMA.items()
        ]
    )


def deliberation_items(
    register: pl.DataFrame,
    persons: pl.DataFrame,
    sources: pl.DataFrame,
    households: pl.DataFrame,
    desil_households: pl.DataFrame | None,
    desil_rows: pl.DataFrame | None,
    deactivations: pl.DataFrame | None,
    cutoffs: ProgrammeCutoffs,
) -> pl.DataFrame:
    """Every item of every village (`ITEM_SCHEMA`), sorted by village, kind, reason, dusun, name."""
    desil = (
        desil_households.select("household_id", "desil")
        if desil_households is not None and desil_households.height
        else pl.DataFrame(schema={"household_id": pl.String, "desil": pl.Int64})
    )
    frames = [
        _proposals(register, persons, sources, households, desil_rows),
        _removals_deceased_moved(register, persons, sources),
        _duplicates(deactivations, sources),
        _verify(register, persons, sources),
        *_targeting(persons, sources, households, desil, cutoffs),
    ]
    items = pl.concat([f for f in frames if f.height] or [pl.DataFrame(schema=ITEM_SCHEMA)])
    order = {k: i for i, k in enumerate(KINDS)}
    return items.sort(
        "village",
        pl.col("kind").replace_strict(order, return_dtype=pl.Int32),
        "reason",
        "dusun",
        "nama",
        "item_id",
        nulls_last=True,
    )


def _proposals(
    register: pl.DataFrame,
    persons: pl.DataFrame,
    sources: pl.DataFrame,
    households: pl.DataFrame,
    desil_rows: pl.DataFrame | None,
) -> pl.DataFrame:
    if register.is_empty():
        return pl.DataFrame(schema=ITEM_SCHEMA)
    residents = _possibly_listed(register.filter(pl.col("outcome") != "ditolak"), sources)
    known_kk = set(households["no_kk"].drop_nulls()) | set(sources["no_kk"].drop_nulls())
    desil_numbers: set[str] = set()
    if desil_rows is not None and desil_rows.height:
        desil_numbers = set(desil_rows["no_kk"].drop_nulls()) | set(desil_rows["nik"].drop_nulls())
    families = residents.group_by("village", "family_key").agg(
        ((pl.col("outcome") == "cocok") | pl.col("_possibly_listed"))
        .any()
        .alias("_has_registry_person"),
        (pl.col("status") == "HIDUP").sum().alias("_alive"),
        pl.col("no_kk").drop_nulls().first().alias("_kk"),
        pl.col("nik").drop_nulls().alias("_niks"),
        pl.col("nama")
        .sort_by((pl.col("hubungan_keluarga") != "KEPALA KELUARGA").fill_null(True))
        .first()
        .alias("nama"),
        pl.col("dusun").drop_nulls().first(),
        pl.col("rt").drop_nulls().first(),
        pl.col("rw").drop_nulls().first(),
        (pl.col("status") == "HIDUP").sum().cast(pl.Int64).alias("count_members"),
    )
    known = (
        pl.col("_kk").is_in(list(known_kk | desil_numbers)).fill_null(False)
        | pl.col("_niks").list.eval(pl.element().is_in(list(desil_numbers))).list.any()
    )
    families = families.filter(~pl.col("_has_registry_person"), pl.col("_alive") > 0, ~known)
    rows = _rows_json(
        residents.filter(pl.col("status") == "HIDUP").with_columns(
            (pl.col("village") + "|" + pl.col("family_key")).alias("_key")
        ),
        "_key",
    )
    families = families.with_columns(
        (pl.col("village") + "|" + pl.col("family_key")).alias("_key"),
        pl.lit("KELUARGA_BARU").alias("reason"),
        pl.col("family_key").alias(
            "subject_key"
        ),  # kk:/nik:/row: with a hash (dtks.musdes.register)
        mask_number_expr("_kk").alias("no_kk_masked"),
        pl.format(
            "Tercatat di data penduduk desa ({} anggota hidup) tetapi tidak ada di data DTKS "
            "maupun daftar desil: bahas untuk diusulkan.",
            pl.col("count_members"),
        ).alias("evidence"),
        pl.lit("register").alias("evidence_sources"),
    ).join(rows, on="_key", how="left")
    return _finish(families, "usulan")


# Keys that make a resident "possibly a registry person": too weak to remove anyone, strong
# enough to keep the family off the proposals (a family to propose must be new). Measured on
# 20,000 generated people: name + mother's name, or birth date + mother's name, are shared by
# unrelated people too often (common names, placeholder dates) and cost a third of the recall.
LOOSE_KEY = ("nama_key", "tanggal_lahir")
PLACEHOLDER_DAY_MONTHS = ("01-01", "31-12", "01-07")


def _possibly_listed(residents: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    """`_possibly_listed`: the resident's NIK is on any export row (trusted or not), or name
    and a real (not placeholder) birth date agree with an export row."""
    niks = sources.select(
        pl.col("nik").drop_nulls().unique().alias("nik"), pl.lit(True).alias("_nik")
    )
    found = (
        sources.drop_nulls(list(LOOSE_KEY))
        .select(*LOOSE_KEY)
        .unique()
        .with_columns(pl.lit(True).alias("_loose"))
    )
    real_date = ~pl.col("tanggal_lahir").dt.strftime("%d-%m").is_in(PLACEHOLDER_DAY_MONTHS)
    return (
        residents.join(niks, on="nik", how="left")
        .join(found, on=list(LOOSE_KEY), how="left")
        .with_columns(
            (
                pl.col("_nik").fill_null(False)
                | (pl.col("_loose").fill_null(False) & real_date.fill_null(False))
            ).alias("_possibly_listed")
        )
    )


def _person_facts(persons: pl.DataFrame) -> pl.DataFrame:
    return persons.select(
        "person_id",
        "household_id",
        "village",
        "nama",
        mask_number_expr("nik").alias("nik_masked"),
        mask_number_expr("no_kk").alias("no_kk_masked"),
        "dusun",
        "rt",
        "rw",
    )


def _removals_deceased_moved(
    register: pl.DataFrame, persons: pl.DataFrame, sources: pl.DataFrame
) -> pl.DataFrame:
    """MENINGGAL / PINDAH from the register and from KETERANGAN, one item per person and reason."""
    register_hits = register.filter(
        pl.col("outcome") == "cocok", pl.col("status").is_in(["MENINGGAL", "PINDAH"])
    ).select(
        "person_id",
        pl.col("status").alias("reason"),
        pl.lit("register").alias("_source"),
        pl.format(
            "data penduduk desa: status {} (baris {}; cocok lewat {})",
            mask_text_expr(pl.col("status_as_written")).fill_null(pl.col("status")),
            "source_row",
            pl.col("matched_by").replace(
                {"nik": "NIK", "nama_tgl_ibu": "nama, tanggal lahir dan nama ibu"}
            ),
        ).alias("_evidence"),
        *ROW,
    )
    keterangan_hits = sources.filter(
        pl.col("keterangan_kode").is_in(["MENINGGAL", "PINDAH"])
    ).select(
        "person_id",
        pl.col("keterangan_kode").alias("reason"),
        pl.lit("keterangan").alias("_source"),
        pl.format(
            "KETERANGAN ekspor DTKS: '{}' (baris {})",
            mask_text_expr(pl.col("keterangan")).fill_null(pl.col("keterangan_kode")),
            "source_row",
        ).alias("_evidence"),
        *ROW,
    )
    hits = pl.concat([register_hits, keterangan_hits], how="vertical_relaxed")
    if hits.is_empty():
        return pl.DataFrame(schema=ITEM_SCHEMA)
    registry_rows = sources.select("person_id", *ROW)
    hits = hits.with_columns((pl.col("person_id") + "|" + pl.col("reason")).alias("_key"))
    rows = _rows_json(
        pl.concat(
            [
                hits.select("_key", *ROW),
                hits.select("_key", "person_id")
                .unique()
                .join(registry_rows, on="person_id")
                .select("_key", *ROW),
            ]
        ),
        "_key",
    )
    grouped = hits.group_by("_key", "person_id", "reason").agg(
        pl.col("_evidence").unique().sort().str.join("; ").alias("evidence"),
        pl.col("_source").unique().sort().str.join(", ").alias("evidence_sources"),
    )
    items = (
        grouped.join(_person_facts(persons), on="person_id", how="inner")
        .join(rows, on="_key", how="left")
        .with_columns(pl.col("person_id").alias("subject_key"))
    )
    return _finish(items, "sanggah")


def _duplicates(deactivations: pl.DataFrame | None, sources: pl.DataFrame) -> pl.DataFrame:
    """GANDA: each duplicate row of the deactivation list, keyed on the stable record keys of
    the pair (which of the two rows is kept may change with a new export; the pair does not)."""
    if deactivations is None or deactivations.is_empty():
        return pl.DataFrame(schema=ITEM_SCHEMA)
    kept = sources.select(
        pl.col("village").alias("village_kept"),
        *(pl.col(c).alias(f"{c}_kept") for c in ROW),
        pl.col("record_key").alias("_record_key_kept"),
    )
    dupes = (
        deactivations.filter(pl.col("reason_code") == "GANDA")
        .join(
            sources.select("village", *ROW, "record_key", "dusun", "rt", "rw"),
            on=["village", *ROW],
            how="left",
        )
        .join(kept, on=["village_kept", *(f"{c}_kept" for c in ROW)], how="left")
    )
    if dupes.is_empty():
        return pl.DataFrame(schema=ITEM_SCHEMA)
    items = dupes.with_columns(
        pl.lit("GANDA").alias("reason"),
        (
            "ganda:"
            + pl.concat_list(
                pl.coalesce(
                    "record_key",
                    pl.col("source_file") + "|" + pl.col("source_row").cast(pl.String),
                ),
                pl.col("_record_key_kept").fill_null(""),
            )
            .list.sort()
            .list.join("+")
        ).alias("subject_key"),
        mask_number_expr("nik").alias("nik_masked"),
        mask_number_expr("no_kk").alias("no_kk_masked"),
        pl.format(
            "Baris {} ganda: orang yang sama dengan {} (desa {}, baris {}); nonaktifkan "
            "baris ganda ini, yang lain tetap.",
            "source_row",
            pl.col("nama_kept").fill_null("-"),
            pl.col("village_kept").fill_null("-"),
            pl.col("source_row_kept").cast(pl.String).fill_null("-"),
        ).alias("evidence"),
        pl.lit("deaktivasi").alias("evidence_sources"),
        pl.concat_list(
            pl.struct(ROW),
            pl.struct(
                pl.col("source_file_kept").alias("source_file"),
                pl.col("source_sheet_kept").alias("source_sheet"),
                pl.col("source_row_kept").alias("source_row"),
            ),
        )
        .list.eval(pl.element().filter(pl.element().struct.field("source_file").is_not_null()))
        .alias("_rows"),
    )
    items = items.with_columns(
        pl.col("_rows")
        .map_elements(
            lambda rows: json.dumps(list(rows), ensure_ascii=False), return_dtype=pl.String
        )
        .alias("source_rows"),
        pl.col("_rows").list.len().cast(pl.Int64).alias("count_source_rows"),
    ).unique("subject_key", keep="first", maintain_order=True)
    return _finish(items, "sanggah")


def _verify(register: pl.DataFrame, persons: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    """Living registry persons of villages with a register that no register row matched."""
    if register.is_empty():
        return pl.DataFrame(schema=ITEM_SCHEMA)
    villages = register["village"].unique().to_list()
    matched = register.filter(pl.col("outcome") == "cocok")["person_id"].unique().to_list()
    active = ~pl.col("is_deceased").fill_null(False) & ~pl.col("is_moved").fill_null(False)
    missing = persons.filter(
        pl.col("village").is_in(villages), ~pl.col("person_id").is_in(matched), active
    )
    if missing.is_empty():
        return pl.DataFrame(schema=ITEM_SCHEMA)
    rows = _rows_json(
        sources.filter(pl.col("person_id").is_in(missing["person_id"].to_list())), "person_id"
    )
    items = (
        missing.select("person_id")
        .join(_person_facts(persons), on="person_id")
        .join(rows, on="person_id", how="left")
        .with_columns(
            pl.lit("TIDAK_DI_REGISTER").alias("reason"),
            pl.col("person_id").alias("subject_key"),
            pl.lit(
                "Ada di data DTKS tetapi tidak ditemukan di data penduduk desa (NIK, atau nama + "
                "tanggal lahir + nama ibu): periksa apakah masih tinggal di desa."
            ).alias("evidence"),
            pl.lit("register").alias("evidence_sources"),
        )
    )
    return _finish(items, "verifikasi")


def _targeting(
    persons: pl.DataFrame,
    sources: pl.DataFrame,
    households: pl.DataFrame,
    desil: pl.DataFrame,
    cutoffs: ProgrammeCutoffs,
) -> list[pl.DataFrame]:
    """DI_ATAS_BATAS, TANPA_PROGRAM (cek_sasaran) and TIDAK LAYAK (sanggah) per family."""
    active = ~pl.col("is_deceased").fill_null(False) & ~pl.col("is_moved").fill_null(False)
    receives = (
        persons.filter(active)
        .group_by("household_id")
        .agg(*[pl.col(p).fill_null(False).any().alias(p) for p in PROGRAMMES])
    )
    families = (
        households.select(
            "household_id", "village", "no_kk", "head_nama", "dusun", "rt", "rw", "count_members"
        )
        .join(desil, on="household_id", how="inner")
        .filter(pl.col("desil").is_not_null())
        .join(receives, on="household_id", how="left")
        .with_columns([pl.col(p).fill_null(False) for p in PROGRAMMES])
    )
    if families.is_empty():
        return []
    rows = _rows_json(
        sources.join(persons.select("person_id", "household_id"), on="person_id").select(
            "household_id", *ROW
        ),
        "household_id",
    )
    base = [
        "household_id",
        "village",
        pl.col("head_nama").alias("nama"),
        mask_number_expr("no_kk").alias("no_kk_masked"),
        "dusun",
        "rt",
        "rw",
        pl.col("count_members").cast(pl.Int64),
        "desil",
    ]
    any_programme = pl.any_horizontal([pl.col(p) for p in PROGRAMMES])
    above = []
    for programme in PROGRAMMES:
        limit = cutoffs.cutoffs[programme]
        label = PROGRAMME_LABELS[programme]
        hit = families.filter(
            pl.col(programme), pl.col("desil") > limit, pl.col("desil") < cutoffs.tidak_layak
        )
        above.append(
            hit.select(
                *base,
                pl.lit(programme).alias("programme"),
                pl.lit("DI_ATAS_BATAS").alias("reason"),
                (pl.col("household_id") + f"|{programme}").alias("subject_key"),
                pl.format(
                    "Penerima {} pada desil {}, di atas batas program (desil {} ke bawah): "
                    "mungkin salah sasaran (inclusion error).",
                    pl.lit(label),
                    "desil",
                    pl.lit(limit),
                ).alias("evidence"),
                pl.lit("desil, program").alias("evidence_sources"),
            )
        )
    loosest = max(cutoffs.cutoffs.values())
    without = families.filter(~any_programme, pl.col("desil") <= loosest).select(
        *base,
        pl.lit(None, pl.String).alias("programme"),
        pl.lit("TANPA_PROGRAM").alias("reason"),
        pl.col("household_id").alias("subject_key"),
        pl.format(
            "Desil {}, tidak menerima program apa pun (batas: {}): mungkin terlewat "
            "(exclusion error).",
            "desil",
            pl.lit(cutoffs.describe().split(";")[0]),
        ).alias("evidence"),
        pl.lit("desil, program").alias("evidence_sources"),
    )
    tidak_layak = families.filter(any_programme, pl.col("desil") >= cutoffs.tidak_layak).select(
        *base,
        pl.lit("TIDAK LAYAK").alias("reason"),
        pl.col("household_id").alias("subject_key"),
        pl.concat_str(
            pl.lit("Menerima "),
            pl.concat_str(
                [pl.when(pl.col(p)).then(pl.lit(PROGRAMME_LABELS[p])) for p in PROGRAMMES],
                separator=", ",
                ignore_nulls=True,
            ),
            pl.format(
                " pada desil {} (desil {} ke atas tidak lagi layak): usulkan keluar dari program.",
                "desil",
                pl.lit(cutoffs.tidak_layak),
            ),
        ).alias("evidence"),
        pl.lit("desil, program").alias("evidence_sources"),
    )
    checks = pl.concat([*above, without], how="vertical_relaxed").join(
        rows, on="household_id", how="left"
    )
    removals = tidak_layak.join(rows, on="household_id", how="left")
    return [_finish(checks, "cek_sasaran"), _finish(removals, "sanggah")]
