"""The data dictionary of the published file: what every table and column holds.

These texts become COMMENT ON TABLE / COLUMN in kecamatan.duckdb, so analysts see them in
the duckdb CLI (`SELECT * FROM duckdb_columns()`), DBeaver and Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dtks.match import default_comparisons
from dtks.match.identifiers import FILE_COMMENTS as IDDTKS_FILE_COMMENTS
from dtks.quality.validation import VALIDATION_ISSUE_COLUMN_COMMENTS
from dtks.reconcile.golden import PERSON_COLUMNS

LINEAGE_COMMENTS = {
    "village": "Slug of the village folder the row came from (also the Dagster partition key)",
    "source_file": "Export file, relative to the raw folder",
    "source_sheet": "Sheet name in the export; empty for CSV",
    "source_row": "Row number as the operator sees it in Excel or a text editor (header counted)",
}

CLEAN_VALUE_COMMENTS = {
    "iddtks": "IDDTKS, the registry's own record id, as sent",
    "nik": "NIK normalised to 16 digits; NULL when absent or unusable",
    "nik_as_written": "NIK exactly as the village sent it",
    "nik_is_valid": "NIK has 16 digits, a real embedded birth date and a serial other than 0000",
    "nik_possibly_truncated": "NIK came through a number cell or scientific notation: last digits untrustworthy",
    "nik_birth_date": "Birth date embedded in the NIK (day minus 40 for women)",
    "nik_sex": "Sex embedded in the NIK: L or P",
    "nik_region_is_local": "The NIK was first issued in this kecamatan",
    "no_kk": "Family card number normalised to 16 digits; NULL when absent or unusable",
    "no_kk_as_written": "Family card number exactly as sent",
    "no_kk_is_valid": "Family card number has 16 digits and a real issue date",
    "no_kk_possibly_truncated": "KK number came through a number cell or scientific notation",
    "nama": "Name, display form: upper case, single spaces, titles removed",
    "nama_gelar": "Titles found in the name (H., HJ., K.H., academic titles)",
    "nama_key": "Name, match form: abbreviations (MOH., ABD., ST.) and spelling variants folded",
    "nama_ibu_kandung": "Mother's maiden name, display form",
    "nama_ibu_key": "Mother's name, match form",
    "tempat_lahir": "Birth place, display form",
    "tempat_lahir_key": "Birth place, match form",
    "tanggal_lahir": "Birth date; NULL when unreadable or impossible",
    "tanggal_lahir_as_written": "Birth date exactly as sent",
    "tanggal_lahir_is_placeholder": "Birth date is a placeholder such as 01-01, 31-12 or 01-07 of a year",
    "tanggal_lahir_from_nik": "The written birth date was missing or impossible; the NIK's date is used",
    "jenis_kelamin": "Sex: L (laki-laki) or P (perempuan)",
    "hubungan_keluarga": "Relationship to the head of the family (KEPALA KELUARGA, ISTRI, ANAK, ...)",
    "status_kawin": "Marital status: BELUM KAWIN, KAWIN, CERAI HIDUP, CERAI MATI",
    "pekerjaan": "Occupation as sent",
    "padan_dukcapil": "NIK matched against the civil registry (PADAN DUKCAPIL = YA)",
    "pkh": "Receives PKH (conditional cash transfer)",
    "bpnt": "Receives BPNT / SEMBAKO (food aid)",
    "pbi_jk": "Health insurance premium paid by the state (PBI-JK)",
    "bst": "Receives BST (cash transfer)",
    "keterangan": "KETERANGAN as sent",
    "keterangan_kode": "KETERANGAN read as a code: MENINGGAL, PINDAH, GANDA, TIDAK DITEMUKAN",
    "desa_kode": "Kemendagri code of the village the row belongs to (its folder)",
    "desa_nama": "Official name of that village",
    "desa_as_written": "DESA/KELURAHAN column as sent",
    "desa_tertulis_kode": "Village the DESA column names, resolved against the region table",
    "alamat": "Address as sent",
    "dusun": "Hamlet (dusun)",
    "rt": "RT, three digits",
    "rw": "RW, three digits",
    "tanggal_update": "Last update date of the record, as sent",
    "extras": "Columns the export had that are not DTKS columns, as JSON",
}

# The matcher's comparisons, whose fired level and weight `match_pairs` carries per pair.
MATCH_COMPARISONS = tuple(comparison.name for comparison in default_comparisons())

PROVENANCE_COMMENTS = {
    "primary_source_row_key": (
        "The person's primary row (the record kept upward), which gave iddtks, village and "
        "address: source_file|source_sheet|source_row, as in person_sources.source_row_key"
    ),
    "nik_source_row_key": "Source row the NIK (and its flags) came from",
    "nama_source_row_key": "Source row the name came from",
    "tanggal_lahir_source_row_key": "Source row the birth date came from",
    "jenis_kelamin_source_row_key": "Source row the sex came from",
    "tempat_lahir_source_row_key": "Source row the birth place came from",
    "nama_ibu_kandung_source_row_key": "Source row the mother's name came from",
    "no_kk_source_row_key": "Source row the KK number and relationship came from",
    "status_kawin_source_row_key": "Source row the marital status came from",
    "pekerjaan_source_row_key": "Source row the occupation came from",
    "program_source_row_key": "Source row the program flags (PKH, BPNT, PBI-JK, BST) came from",
}

PERSON_COMMENTS = {
    # every cleaned value a golden record carries, described as in person_sources ...
    **{c: CLEAN_VALUE_COMMENTS[c] for c in PERSON_COLUMNS if c in CLEAN_VALUE_COMMENTS},
    # ... except where the golden record means something of its own
    "person_id": "Stable id of the reconciled person: kept across runs, re-exports and corrections (opaque, no NIK inside)",
    "household_id": "Stable id of the person's household (KK family); NULL when the person has no usable KK number",
    "iddtks": "IDDTKS of the primary row (the record kept upward)",
    "village": "Slug of the village the person is listed in now (of the primary row)",
    "tanggal_update": "Latest update date over the person's rows",
    "count_sources": "How many source rows were merged into this person",
    "count_villages": "In how many villages' exports the person is listed",
    "villages": "Villages whose exports list this person, comma separated",
    "has_valid_nik": "The chosen NIK is well-formed (16 digits, real date, serial not 0000) and not truncated",
    "tanggal_lahir_agrees_with_nik": "The birth date equals the date embedded in the NIK",
    "count_distinct_nik": "Distinct sound NIKs among the person's rows (more than 1: check which is right)",
    "nik_shared_with_other_person": "Another reconciled person has the same NIK",
    "needs_review": "A candidate pair of this person waits for a clerk's decision or an operator's confirmation",
    "is_deceased": "A row of this person is marked MENINGGAL (deceased)",
    "is_moved": "A row of this person is marked PINDAH (moved)",
    "is_listed_as_duplicate": "A row of this person is marked GANDA (duplicate) by an operator",
    "is_not_found": "A row of this person is marked TIDAK DITEMUKAN (not found)",
    "is_active": "Not deceased and listed at least once without PINDAH: part of the submission upward",
    **PROVENANCE_COMMENTS,
}

HOUSEHOLD_COMMENTS = {
    "household_id": "Stable id of the household (KK family): kept across runs (opaque, no KK inside)",
    "no_kk": "The family's KK number (completed when a member's number lost its last digit)",
    "head_person_id": "person_id of the head (KEPALA KELUARGA); NULL when no member is the head",
    "head_nama": "Name of the head",
    "count_members": "Reconciled persons in this family",
    "count_heads": "Members whose relationship is KEPALA KELUARGA",
    "count_deceased_members": "Members listed as deceased",
    "village": "Village slug of the head (or of the oldest member when there is no head)",
    "desa_kode": "Kemendagri code of that village",
    "desa_nama": "Name of that village",
    "alamat": "Address of the head (or of the oldest member)",
    "dusun": "Hamlet of the head (or of the oldest member)",
    "rt": "RT of the head (or of the oldest member)",
    "rw": "RW of the head (or of the oldest member)",
    "count_villages": "In how many villages the members are listed",
    "villages": "Villages of the members, comma separated",
    "is_without_head": "No member is KEPALA KELUARGA",
    "has_two_heads": "Two or more members are KEPALA KELUARGA",
    "head_is_deceased": "The head is listed as deceased (the family needs a new KK)",
    "is_spread_over_villages": "Members are listed in more than one village",
    "is_kk_malformed": "No member's own KK number is sound (invalid or truncated by Excel)",
    "no_kk_repaired": "A member's truncated KK number was completed from the family's sound one",
}

DEACTIVATION_COMMENTS = {
    **LINEAGE_COMMENTS,
    "desa_kode": "Kemendagri code of the village of the row",
    "desa_nama": "Name of the village of the row",
    "person_id": "The reconciled person this row belongs to",
    "iddtks": "IDDTKS of the row to deactivate",
    "nik": "NIK of the row to deactivate",
    "no_kk": "KK number of the row to deactivate",
    "nama": "Name on the row to deactivate",
    "tanggal_lahir": "Birth date on the row to deactivate",
    "reason_code": "GANDA (duplicate of the kept record), MENINGGAL (deceased), PINDAH (moved), "
    "or BATAL_GANDA (an earlier publish listed the row as a duplicate of a person it was wrongly "
    "merged with: cancel that request)",
    "reason": "The reason in words (Bahasa Indonesia)",
    "iddtks_kept": "IDDTKS of the record kept for this person (duplicates and moves)",
    "nik_kept": "NIK of the record kept",
    "nama_kept": "Name on the record kept",
    "village_kept": "Village of the record kept",
    "source_file_kept": "File of the record kept",
    "source_sheet_kept": "Sheet of the record kept",
    "source_row_kept": "Row of the record kept",
}

CHANGE_COMMENTS = {
    "run_id": "The run that published this change",
    "entity": "person or household",
    "entity_id": "person_id or household_id",
    "change_type": "new, updated (one row per field), merged (into related_id), split (off related_id) or removed",
    "field": "For updated: the field that changed",
    "old_value": "For updated: the value at the previous publish (NIK, KK, mother's name masked)",
    "new_value": "For updated: the value now (NIK, KK, mother's name masked)",
    "related_id": "For merged: the id it was merged into; for split: the id it split off",
    "village": "Village slug of the person or household (before removal, for removed ones)",
}

PAIR_SIDE_COMMENTS = {
    **{
        f"{column}_{side}": f"{text} (of the {name} row)"
        for side, name in (("l", "left"), ("r", "right"))
        for column, text in {**LINEAGE_COMMENTS, "iddtks": "IDDTKS"}.items()
    },
}

MATCH_PAIR_COMMENTS = {
    "record_key_l": "Stable key of the left row (IDDTKS, else NIK + name + birth date), hashed",
    "record_key_r": "Stable key of the right row",
    "blocking_rule": "The blocking rule that made this pair a candidate",
    "match_weight": "Fellegi-Sunter match weight (log2 Bayes factor), all comparisons summed",
    "match_probability": "Probability that both rows are the same person",
    "decision": "merged, review or distinct",
    "decided_by": "score, rule (a hard safety rule), review (a clerk's decision) or queue_limit "
    "(decided by the score: the review queue was full, at most one pair per 100 rows)",
    "hard_rule": "The safety rule that decided the pair, if any",
    "needs_confirmation": "Merged, but an operator should confirm it (e.g. NIK one digit apart)",
    **PAIR_SIDE_COMMENTS,
    **{f"level_{c}": f"Level of the {c} comparison that fired" for c in MATCH_COMPARISONS},
    **{f"weight_{c}": f"Match weight the {c} comparison added" for c in MATCH_COMPARISONS},
}

# DTSEN desil (dtks.desil): the family's desil from the SIKS-NG ranking lists
DESIL_FAMILY_COMMENTS = {
    "desil": "DTSEN desil of the family (1 = poorest tenth, 10 = richest) from the newest desil list that ranks it; NULL: not ranked, or that list conflicts",
    "desil_period": "Period (first day of the month) of the list the desil comes from",
    "desil_matched_by": "How the list row found the family: no_kk, nik_kepala (head's NIK) or nik_anggota (a member's NIK)",
}
DESIL_HOUSEHOLD_COMMENTS = {
    **DESIL_FAMILY_COMMENTS,
    "desil_previous": "The desil of the previous list that ranked the family; NULL when none",
    "desil_previous_period": "Period of that previous list",
    "desil_changed": "The desil differs from the previous list's",
    "desil_conflict": "Why the newest list gives no desil (dua_desil: two desils for the family in one period); NULL when none",
    "desil_history": "Every period and desil, oldest first, e.g. '2026-01:3, 2026-07:4' (konflik: conflicting rows)",
}
DESIL_ROW_COMMENTS = {
    "village": "Village folder the list was found in (_kecamatan: lists covering all villages)",
    "source_file": "List file, relative to the raw folder",
    "source_sheet": "Sheet name; empty for CSV",
    "source_row": "Row (Excel) or line (CSV) of the file",
    "row_kind": "data, or why the row is no ranking: totals, signature, note, repeated_header",
    "row_unit": "keluarga (one row per family) or anggota (one row per member)",
    "desil_period": "Period of the list: from its PERIODE column, else its file name, else the file date",
    "desil_period_from": "Where the period came from: kolom, nama_file or tanggal_file",
    "no_kk": "The row's KK number, normalised (16 digits); NULL when missing or malformed",
    "nik": "The row's NIK, normalised (16 digits); NULL when missing or malformed",
    "nama": "Name as written in the list",
    "desil": "Desil as written, as a number; NULL when not a number 1-10",
    "status": "cocok (matched), konflik (flagged for the operator), tidak_cocok (no family), ditolak (no usable desil or key), bukan_data",
    "matched_by": "no_kk, nik_kepala or nik_anggota when matched",
    "household_id": "The registry family the row gave its desil to (NULL unless matched, or dua_desil)",
    "reason": "Why not matched: kk_nik_beda_keluarga, kk_pecah, kk_ganda, kk_tidak_pasti, nik_di_dua_kk, dua_desil, tidak_cocok, desil_tidak_sah, tanpa_kk_nik, bukan_data",
    "reason_text": "The reason in words, for the operator (Bahasa Indonesia)",
    "is_current": "The row belongs to the newest list of its family",
}

TABLE_COMMENTS = {
    "desil_rows": "Every row of every desil ranking list (SIKS-NG Pemeringkatan Desil) and what it matched: a family, a conflict, nothing",
    "persons": "One row per reconciled person (golden record): each value chosen by the survivorship rules, with the source row it came from",
    "households": "One row per household (KK family) rebuilt after matching, with its head and flags",
    "person_sources": "Every accepted source row, its cleaned values and the person_id it belongs to",
    "rejected_rows": "Every source row that was read but not accepted, with the reason",
    "validation_issues": "One row per problem found in a village's rows, with a message in Bahasa Indonesia",
    "match_pairs": "Pairs of source rows merged, to review or confirm, decided by a clerk, or kept apart by a safety rule despite a high score; with score, evidence per comparison and decision (pairs scored as different people are not kept)",
    "review_queue": "Pairs that need a clerk's decision (sama / beda), both records side by side",
    "village_status": "Per village: latest export, rows, open problems, missing or stale",
    "source_files": "Every export file seen in the raw folder, how it was read, and why it could not be",
    "deactivations": "Source rows to deactivate upward: duplicates (with the record kept), "
    "deceased, moved; and earlier duplicate requests to cancel (BATAL_GANDA)",
    "change_log": "What changed in persons and households since the previous publish",
    "runs": "One row per run that published (or failed to), with its trigger, inputs, row accounting and counts",
}

COLUMN_COMMENTS: dict[str, dict[str, str]] = {
    "persons": {**PERSON_COMMENTS, **DESIL_FAMILY_COMMENTS},
    "households": {**HOUSEHOLD_COMMENTS, **DESIL_HOUSEHOLD_COMMENTS},
    "desil_rows": DESIL_ROW_COMMENTS,
    "person_sources": {
        "person_id": "Id of the reconciled person this row belongs to (stable across runs)",
        **LINEAGE_COMMENTS,
        "record_key": "Stable key of the row (IDDTKS, else NIK + name + birth date), hashed; survives a re-export",
        "source_row_key": "source_file|source_sheet|source_row: what persons.*_source_row_key point at",
        **CLEAN_VALUE_COMMENTS,
    },
    "rejected_rows": {
        **LINEAGE_COMMENTS,
        "row_kind": "What the row looked like: data, totals, signature, note, repeated_header",
        "reason_code": "Why the row is not a person: totals, signature, note, repeated_header, nama_missing, ...",
        "reason": "The reason in words (Bahasa Indonesia)",
    },
    "validation_issues": {
        **LINEAGE_COMMENTS,
        "column": "The column the problem is in",
        "code": "Issue code (see the fix list)",
        "severity": "error (must be fixed) or warning (check it)",
        "message": "What the operator should do, in Bahasa Indonesia",
        "value_masked": "The offending value; NIK, KK and mother's name masked",
        "suggested_value": "A value the pipeline can suggest, e.g. the NIK-embedded birth date",
        **VALIDATION_ISSUE_COLUMN_COMMENTS,
    },
    "match_pairs": MATCH_PAIR_COMMENTS,
    "review_queue": {
        **MATCH_PAIR_COMMENTS,
        "decision": "review (needs a clerk) or merged with needs_confirmation",
        **{
            f"{column}_{side}": f"{CLEAN_VALUE_COMMENTS[column]} (of the {name} row)"
            for side, name in (("l", "left"), ("r", "right"))
            for column in ("nama", "tanggal_lahir", "nik", "nama_ibu_kandung")
        },
    },
    "village_status": {
        "village": "Village slug",
        "desa_kode": "Kemendagri village code",
        "desa_nama": "Official village name",
        "count_files": "Export files present in the village folder",
        "count_files_failed": "Files that could not be read",
        "latest_export_file": "The newest readable export file",
        "latest_export_at": "When the newest export file was last modified (UTC)",
        "rows_read": "Rows read from the files",
        "rows_accepted": "Rows accepted as persons' source rows",
        "rows_rejected": "Rows read but rejected",
        "count_errors": "Open problems of severity error",
        "count_warnings": "Open problems of severity warning",
        "is_missing": "No readable export for this village",
        "is_stale": "The newest export is older than the staleness limit",
    },
    "source_files": {
        "village": "Village slug",
        "source_file": "File, relative to the raw folder",
        "file_hash": "SHA-256 of the file's bytes",
        "size_bytes": "File size",
        "modified_at": "File modification time (UTC)",
        "file_format": "csv or xlsx",
        "status": "ok, or error when the file could not be used",
        "error_code": "Why the file could not be used",
        "error_message": "The reason in words, with what to do (Bahasa Indonesia)",
        "encoding": "Text encoding of a CSV file (utf-8, cp1252, ...)",
        "delimiter": "Field delimiter of a CSV file",
        "rows_read": "Rows read from the file (non-empty rows below a recognised header)",
        "sheets_read": "Sheets with a recognised header that were read",
        "skipped_sheets": "Sheets without a recognised header, with the reason (JSON)",
        "warnings": "Non-fatal remarks about the file, in Bahasa Indonesia (JSON)",
        **IDDTKS_FILE_COMMENTS,
        "file_kind": "What the header says the file is: registry_export, desil_list or unknown",
        "file_kind_evidence": "Per sheet: its kind and the headers that decided it (JSON)",
        "desil_rows_read": "Rows read from desil ranking lists (kept apart, never person rows)",
    },
    "deactivations": DEACTIVATION_COMMENTS,
    "change_log": CHANGE_COMMENTS,
    "runs": {
        "run_id": "Dagster run id (or the id of a run outside Dagster)",
        "started_at": "When the run started (UTC)",
        "published_at": "When the file was published (UTC); NULL when the run did not publish",
        "trigger": "manual, schedule or sensor",
        "outcome": "published, or failed / blocked and why",
        "rows_read": "Rows read over all villages",
        "rows_accepted": "Rows accepted over all villages",
        "rows_rejected": "Rows rejected over all villages",
        "count_persons": "Reconciled persons",
        "count_households": "Households (KK families)",
        "count_persons_new": "Persons new since the previous publish",
        "count_persons_updated": "Persons with at least one changed field",
        "count_persons_merged": "Person ids merged into another one",
        "count_persons_split": "Persons split off another one",
        "count_persons_removed": "Persons no longer listed",
        "count_households_new": "Households new since the previous publish",
        "count_households_removed": "Households no longer listed",
        "count_pairs_to_review": "Candidate pairs waiting for a clerk or an operator's confirmation",
        "count_deactivations": "Source rows to deactivate upward",
        "count_errors": "Validation problems of severity error",
        "count_warnings": "Validation problems of severity warning",
        "count_villages_missing": "Villages without a readable export",
        "accounting": "Per village: rows read, accepted, rejected (JSON)",
        "input_files": "Every input file with its village, SHA-256, status and rows read (JSON)",
    },
}


# Columns named by pattern (the matcher may add comparisons): regex -> comment template.
PATTERN_COMMENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "match_pairs": (
        (r"level_(\w+)", "Level of the {0} comparison that fired"),
        (r"weight_(\w+)", "Match weight the {0} comparison added"),
    ),
}
PATTERN_COMMENTS["review_queue"] = PATTERN_COMMENTS["match_pairs"]


def column_comments(table: str, columns: list[str]) -> dict[str, str]:
    """The COMMENT of every column of ``table`` we can describe: named ones first, then
    columns that follow a known pattern (e.g. ``level_<comparison>`` of match pairs)."""
    named = COLUMN_COMMENTS.get(table, {})
    result = {c: named[c] for c in columns if c in named}
    for column in columns:
        if column in result:
            continue
        for pattern, template in PATTERN_COMMENTS.get(table, ()):
            found = re.fullmatch(pattern, column)
            if found:
                result[column] = template.format(*found.groups())
                break
    return result


@dataclass(frozen=True)
class ViewSpec:
    """A convenience view of the published file, with its comments."""

    name: str
    sql: str
    comment: str
    column_comments: dict[str, str] = field(default_factory=dict)


PROGRAM_NAMES = {"pkh": "PKH", "bpnt": "BPNT", "pbi_jk": "PBI-JK", "bst": "BST"}

_RECIPIENT_COLUMNS = (
    "person_id, household_id, nik, nama, jenis_kelamin, tanggal_lahir, village, desa_nama, "
    "alamat, is_deceased, is_moved, needs_review, has_valid_nik"
)

VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec(
        "village_summary",
        """
        SELECT s.village, s.desa_kode, s.desa_nama, s.is_missing, s.is_stale,
               s.latest_export_at, s.rows_read, s.rows_accepted, s.rows_rejected,
               coalesce(p.count_persons, 0) AS count_persons,
               coalesce(p.count_persons_active, 0) AS count_persons_active,
               coalesce(h.count_households, 0) AS count_households,
               coalesce(p.count_without_valid_nik, 0) AS count_persons_without_valid_nik,
               coalesce(p.count_needs_review, 0) AS count_persons_needing_review,
               coalesce(p.count_deceased, 0) AS count_persons_deceased,
               coalesce(p.count_moved, 0) AS count_persons_moved,
               coalesce(h.count_without_head, 0) AS count_households_without_head,
               coalesce(d.count_deactivations, 0) AS count_rows_to_deactivate,
               coalesce(p.count_pkh, 0) AS count_pkh,
               coalesce(p.count_bpnt, 0) AS count_bpnt,
               coalesce(p.count_pbi_jk, 0) AS count_pbi_jk,
               coalesce(p.count_bst, 0) AS count_bst,
               s.count_errors, s.count_warnings
        FROM village_status s
        LEFT JOIN (
            SELECT village, count(*) AS count_persons,
                   count(*) FILTER (WHERE is_active) AS count_persons_active,
                   count(*) FILTER (WHERE NOT has_valid_nik) AS count_without_valid_nik,
                   count(*) FILTER (WHERE needs_review) AS count_needs_review,
                   count(*) FILTER (WHERE is_deceased) AS count_deceased,
                   count(*) FILTER (WHERE is_moved) AS count_moved,
                   count(*) FILTER (WHERE pkh) AS count_pkh,
                   count(*) FILTER (WHERE bpnt) AS count_bpnt,
                   count(*) FILTER (WHERE pbi_jk) AS count_pbi_jk,
                   count(*) FILTER (WHERE bst) AS count_bst
            FROM persons GROUP BY village
        ) p USING (village)
        LEFT JOIN (
            SELECT village, count(*) AS count_households,
                   count(*) FILTER (WHERE is_without_head) AS count_without_head
            FROM households GROUP BY village
        ) h USING (village)
        LEFT JOIN (
            SELECT village, count(*) AS count_deactivations FROM deactivations GROUP BY village
        ) d USING (village)
        ORDER BY s.desa_kode
        """,
        "Per village: export status, rows, persons, households, problems and program recipients",
        {
            "village": "Village slug",
            "desa_kode": "Kemendagri village code",
            "desa_nama": "Official village name",
            "is_missing": "No readable export for this village",
            "is_stale": "The newest export is older than the staleness limit",
            "latest_export_at": "When the newest export file was last modified (UTC)",
            "rows_read": "Rows read from the village's files",
            "rows_accepted": "Rows accepted as persons' source rows",
            "rows_rejected": "Rows read but rejected",
            "count_persons": "Reconciled persons whose primary row is in this village",
            "count_persons_active": "Of those, active (not deceased, not moved away)",
            "count_households": "Households whose head (or oldest member) is in this village",
            "count_persons_without_valid_nik": "Persons without a sound NIK",
            "count_persons_needing_review": "Persons with a pair waiting for review or confirmation",
            "count_persons_deceased": "Persons listed as deceased",
            "count_persons_moved": "Persons listed as moved",
            "count_households_without_head": "Households without a KEPALA KELUARGA",
            "count_rows_to_deactivate": "The village's source rows to deactivate upward",
            "count_pkh": "PKH recipients",
            "count_bpnt": "BPNT / SEMBAKO recipients",
            "count_pbi_jk": "PBI-JK recipients",
            "count_bst": "BST recipients",
            "count_errors": "Open problems of severity error",
            "count_warnings": "Open problems of severity warning",
        },
    ),
    ViewSpec(
        "program_recipients",
        "\nUNION ALL\n".join(
            f"SELECT '{label}' AS program, {_RECIPIENT_COLUMNS} FROM persons WHERE {column}"  # noqa: S608 - fixed names
            for column, label in PROGRAM_NAMES.items()
        ),
        "One row per person and program they receive (PKH, BPNT, PBI-JK, BST)",
        {
            "program": "PKH, BPNT, PBI-JK or BST",
            **{
                c: PERSON_COMMENTS[c]
                for c in (
                    "person_id",
                    "household_id",
                    "nik",
                    "nama",
                    "jenis_kelamin",
                    "tanggal_lahir",
                    "village",
                    "desa_nama",
                    "alamat",
                    "is_deceased",
                    "is_moved",
                    "needs_review",
                    "has_valid_nik",
                )
            },
        },
    ),
    ViewSpec(
        "persons_needing_review",
        """
        SELECT person_id, household_id, nik, nama, tanggal_lahir, village, villages,
               count_sources, count_distinct_nik, needs_review, nik_shared_with_other_person,
               concat_ws('; ',
                   CASE WHEN needs_review THEN 'pasangan data menunggu keputusan petugas' END,
                   CASE WHEN nik_shared_with_other_person THEN 'NIK sama dengan orang lain' END,
                   CASE WHEN count_distinct_nik > 1 THEN 'lebih dari satu NIK' END
               ) AS alasan
        FROM persons
        WHERE needs_review OR nik_shared_with_other_person OR count_distinct_nik > 1
        ORDER BY village, nama
        """,
        "Persons a clerk should look at: pairs waiting for a decision, shared or conflicting NIKs",
        {
            **{
                c: PERSON_COMMENTS[c]
                for c in (
                    "person_id",
                    "household_id",
                    "nik",
                    "nama",
                    "tanggal_lahir",
                    "village",
                    "villages",
                    "count_sources",
                    "count_distinct_nik",
                    "needs_review",
                    "nik_shared_with_other_person",
                )
            },
            "alasan": "Why the person needs a look, in Bahasa Indonesia",
        },
    ),
    ViewSpec(
        "households_without_head",
        """
        SELECT h.household_id, h.no_kk, h.village, h.desa_nama, h.alamat, h.count_members,
               h.head_is_deceased, h.is_without_head,
               string_agg(p.nama || ' (' || coalesce(p.hubungan_keluarga, '?') || ')', ', '
                          ORDER BY p.tanggal_lahir) AS members
        FROM households h JOIN persons p USING (household_id)
        WHERE h.is_without_head OR h.head_is_deceased
        GROUP BY ALL
        ORDER BY h.village, h.household_id
        """,
        "Households (KK families) without a living head: no KEPALA KELUARGA, or the head is deceased",
        {
            "household_id": HOUSEHOLD_COMMENTS["household_id"],
            "no_kk": HOUSEHOLD_COMMENTS["no_kk"],
            "village": HOUSEHOLD_COMMENTS["village"],
            "desa_nama": HOUSEHOLD_COMMENTS["desa_nama"],
            "alamat": HOUSEHOLD_COMMENTS["alamat"],
            "count_members": HOUSEHOLD_COMMENTS["count_members"],
            "head_is_deceased": HOUSEHOLD_COMMENTS["head_is_deceased"],
            "is_without_head": HOUSEHOLD_COMMENTS["is_without_head"],
            "members": "Members' names with their relationship, oldest first",
        },
    ),
    ViewSpec(
        "families_by_desil",
        """
        SELECT village, desa_nama, dusun, desil, count(*) AS count_families,
               sum(count_members) AS count_persons
        FROM households
        GROUP BY ALL
        ORDER BY village, dusun, desil NULLS LAST
        """,
        "Registry families per village, dusun and DTSEN desil (NULL desil: not ranked or in conflict)",
        {
            "village": HOUSEHOLD_COMMENTS["village"],
            "desa_nama": HOUSEHOLD_COMMENTS["desa_nama"],
            "dusun": HOUSEHOLD_COMMENTS["dusun"],
            "desil": DESIL_FAMILY_COMMENTS["desil"],
            "count_families": "Families (KK) in this village, dusun and desil",
            "count_persons": "Reconciled persons in those families",
        },
    ),
    ViewSpec(
        "families_not_ranked",
        """
        SELECT household_id, no_kk, head_nama, village, desa_nama, dusun, alamat, count_members,
               desil_conflict
        FROM households
        WHERE desil IS NULL
        ORDER BY village, dusun, household_id
        """,
        "Registry families with no desil: no desil list ranks them, or the newest one conflicts",
        {
            "household_id": HOUSEHOLD_COMMENTS["household_id"],
            "no_kk": HOUSEHOLD_COMMENTS["no_kk"],
            "head_nama": HOUSEHOLD_COMMENTS["head_nama"],
            "village": HOUSEHOLD_COMMENTS["village"],
            "desa_nama": HOUSEHOLD_COMMENTS["desa_nama"],
            "dusun": HOUSEHOLD_COMMENTS["dusun"],
            "alamat": HOUSEHOLD_COMMENTS["alamat"],
            "count_members": HOUSEHOLD_COMMENTS["count_members"],
            "desil_conflict": DESIL_HOUSEHOLD_COMMENTS["desil_conflict"],
        },
    ),
)
