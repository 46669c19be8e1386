"""The data dictionary of the published files: what every column holds.

These texts become COMMENT ON COLUMN in kecamatan.duckdb (each table's declaration in
`dtks.publish.tables` names its dict), so analysts see them in the duckdb CLI
(`SELECT * FROM duckdb_columns()`), DBeaver and Python.
"""

from __future__ import annotations

from dtks.columns import LINEAGE_COLUMNS
from dtks.match.identifiers import FILE_COMMENTS as IDDTKS_FILE_COMMENTS
from dtks.quality.validation import VALIDATION_ISSUE_COLUMN_COMMENTS
from dtks.reconcile.golden import PERSON_COLUMNS

LINEAGE_COMMENTS = dict(
    zip(
        LINEAGE_COLUMNS,
        (
            "Slug of the village folder the row came from (also the Dagster partition key)",
            "Export file, relative to the raw folder",
            "Sheet name in the export; empty for CSV",
            "Row number as the operator sees it in Excel or a text editor (header counted)",
        ),
        strict=True,
    )
)

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
    "no_kk_repaired": (
        "A member's KK number, cut to 15 digits or unreadable (3.52811E+15) in the export, "
        "was completed from the family's sound one listed next to it"
    ),
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
}
# The matcher's comparisons (it may add some): `level_<comparison>` and `weight_<comparison>`
# of every pair, described by pattern.
MATCH_PAIR_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"level_(\w+)", "Level of the {0} comparison that fired"),
    (r"weight_(\w+)", "Match weight the {0} comparison added"),
)

# DTSEN desil (dtks.desil): the family's desil from the SIKS-NG ranking lists
DESIL_FAMILY_COMMENTS = {
    "desil": "DTSEN desil of the family (1 = poorest tenth, 10 = richest) from the newest desil list that ranks it; NULL: not ranked, or that list conflicts",
    "desil_period": "Period (first day of the month) of the list the desil comes from",
    "desil_matched_by": "How the list row found the family: no_kk, nik_kepala (head's NIK), nik_anggota (a member's NIK) or nama_tanggal_lahir (the row's NIK is missing, cut or mistyped in the village data: the one person in the village with the row's name and the birth date and sex its NIK holds)",
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
    "matched_by": "no_kk, nik_kepala, nik_anggota or nama_tanggal_lahir when matched",
    "household_id": "The registry family the row gave its desil to (NULL unless matched, or dua_desil)",
    "reason": "Why not matched: kk_nik_beda_keluarga, kk_pecah, kk_ganda, kk_tidak_pasti, nik_di_dua_kk, dua_desil, tidak_cocok, desil_tidak_sah, tanpa_kk_nik, bukan_data",
    "reason_text": "The reason in words, for the operator (Bahasa Indonesia)",
    "is_current": "The row belongs to the newest list of its family",
}

DELIBERATION_ITEM_COMMENTS = {
    "item_id": "Stable id of the item (hash of kind, reason and subject, keyed with the work store's secret): the same item on the next export keeps it, and its status",
    "village": "Village slug",
    "kind": "usulan (family to propose), sanggah (to remove), verifikasi (to verify, no removal code), cek_sasaran (targeting check)",
    "reason": "KELUARGA_BARU; MENINGGAL, PINDAH, GANDA, TIDAK LAYAK; TIDAK_DI_REGISTER; DI_ATAS_BATAS (recipient above the programme's desil cut-off), TANPA_PROGRAM (eligible, no programme)",
    "subject_key": "What the item is about: a person_id, a household_id (|programme), kk:/nik: hash of a register family, ganda: the record keys of a duplicate pair",
    "person_id": "The registry person the item is about (sanggah, verifikasi)",
    "household_id": "The registry family the item is about (TIDAK LAYAK, cek_sasaran)",
    "programme": "pkh, bpnt, pbi_jk or bst (DI_ATAS_BATAS)",
    "desil": "The family's DTSEN desil (targeting items)",
    "nama": "Name of the person, or of the family's head",
    "nik_masked": "NIK, masked",
    "no_kk_masked": "Nomor KK, masked",
    "dusun": "Hamlet",
    "rt": "RT",
    "rw": "RW",
    "count_members": "Members of the family (usulan: living residents in the register)",
    "evidence": "Why the item is listed, in Bahasa Indonesia, as the deliberation reads it",
    "evidence_sources": "Where the evidence comes from: register, keterangan, deaktivasi, desil, program",
    "source_rows": "The rows the item rests on: registry export rows and register rows (JSON [{source_file, source_sheet, source_row}])",
    "count_source_rows": "Number of source rows",
    "status": "belum (not yet discussed), diusulkan, diterima, ditolak, selesai: as the operator wrote it in the deliberation workbook",
    "catatan": "The operator's note in the workbook",
    "status_updated_at": "When the status last changed (UTC, ISO 8601)",
    "status_history": "Every status the item had, when it was read and from which workbook (JSON)",
    "is_current": "The item is produced by this run; false: kept from an earlier run for its status (e.g. a removal done)",
}
REGISTER_ROW_COMMENTS = {
    **LINEAGE_COMMENTS,
    "row_kind": "What the row looked like: data, totals, signature, note, repeated_header",
    "status": "The resident's civil status in the register: HIDUP, MENINGGAL, PINDAH, HILANG, TIDAK_VALID",
    "status_as_written": "The register's STATUS DASAR (or STATUS / KETERANGAN) cell as written",
    "nik": "NIK, normalised (16 digits)",
    "nik_is_trusted": "16 valid digits, not cut by a spreadsheet: usable as a key",
    "no_kk": "Nomor KK, normalised",
    "family_key": "The register family: kk:<Nomor KK>, else nik:<NIK>, else the row",
    "nama": "Name (display form)",
    "nama_key": "Name (match form)",
    "tanggal_lahir": "Birth date",
    "nama_ibu_key": "Mother's name (match form)",
    "hubungan_keluarga": "Relationship to the head of the family",
    "dusun": "Hamlet",
    "rt": "RT",
    "rw": "RW",
    "outcome": "cocok (a registry person), tidak_cocok (in no registry record), ditolak (not a resident row)",
    "person_id": "The registry person the row matched",
    "matched_by": "nik (trusted NIK) or nama_tgl_ibu (name, birth date and mother's name together)",
    "reason": "Why a row was not used (Bahasa Indonesia)",
}

PERSON_SOURCE_COMMENTS = {
    "person_id": "Id of the reconciled person this row belongs to (stable across runs)",
    **LINEAGE_COMMENTS,
    "record_key": "Stable key of the row (IDDTKS, else NIK + name + birth date), hashed; survives a re-export",
    "source_row_key": "source_file|source_sheet|source_row: what persons.*_source_row_key point at",
    **CLEAN_VALUE_COMMENTS,
}

REJECTED_ROW_COMMENTS = {
    **LINEAGE_COMMENTS,
    "row_kind": "What the row looked like: data, totals, signature, note, repeated_header",
    "reason_code": "Why the row is not a person: totals, signature, note, repeated_header, nama_missing, ...",
    "reason": "The reason in words (Bahasa Indonesia)",
}

VALIDATION_ISSUE_COMMENTS = {
    **LINEAGE_COMMENTS,
    "column": "The column the problem is in",
    "code": "Issue code (see the fix list)",
    "severity": "error (must be fixed) or warning (check it)",
    "message": "What the operator should do, in Bahasa Indonesia",
    "value_masked": "The offending value; NIK, KK and mother's name masked",
    "suggested_value": "A value the pipeline can suggest, e.g. the NIK-embedded birth date",
    **VALIDATION_ISSUE_COLUMN_COMMENTS,
}

REVIEW_QUEUE_COMMENTS = {
    **MATCH_PAIR_COMMENTS,
    "decision": "review (needs a clerk) or merged with needs_confirmation",
    **{
        f"{column}_{side}": f"{CLEAN_VALUE_COMMENTS[column]} (of the {name} row)"
        for side, name in (("l", "left"), ("r", "right"))
        for column in ("nama", "tanggal_lahir", "nik", "nama_ibu_kandung")
    },
}

VILLAGE_STATUS_COMMENTS = {
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
}

SOURCE_FILE_COMMENTS = {
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
    "file_kind": "What the header says the file is: registry_export, desil_list, population_register or unknown",
    "file_kind_evidence": "Per sheet: its kind and the headers that decided it (JSON)",
    "desil_rows_read": "Rows read from desil ranking lists (kept apart, never person rows)",
    "register_rows_read": "Rows read from village population registers (kept apart, never person rows; see deliberation_items)",
}
