"""The data dictionary of the published file: what every table and column holds.

These texts become COMMENT ON TABLE / COLUMN in kecamatan.duckdb, so analysts see them in
the duckdb CLI (`SELECT * FROM duckdb_columns()`), DBeaver and Python.
"""

from __future__ import annotations

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

MATCH_COMPARISONS = (
    "iddtks",
    "nik",
    "nama",
    "tanggal_lahir",
    "nama_ibu",
    "no_kk",
    "jenis_kelamin",
    "tempat_lahir",
    "desa",
    "alamat",
)

TABLE_COMMENTS = {
    "person_sources": "Every accepted source row, its cleaned values and the person_id it belongs to",
    "rejected_rows": "Every source row that was read but not accepted, with the reason",
    "persons": "One row per reconciled person",
    "validation_issues": "One row per problem found in a village's rows, with a message in Bahasa Indonesia",
    "match_pairs": "Candidate pairs of source rows with score, evidence per comparison and decision",
    "review_queue": "Pairs that need a clerk's decision (sama / beda), both records side by side",
    "village_status": "Per village: latest export, rows, open problems, missing or stale",
    "source_files": "Every export file seen in the raw folder, how it was read, and why it could not be",
    "runs": "One row per publishing run, with the row accounting per village",
}

COLUMN_COMMENTS: dict[str, dict[str, str]] = {
    "person_sources": {
        "person_id": "Id of the reconciled person this row belongs to (stable across runs)",
        **LINEAGE_COMMENTS,
        **CLEAN_VALUE_COMMENTS,
    },
    "rejected_rows": {
        **LINEAGE_COMMENTS,
        "reason_code": "Why the row is not a person: totals, signature, note, repeated_header, no_name",
        "reason": "The reason in words (Bahasa Indonesia)",
    },
    "persons": {
        "person_id": "Stable id of the reconciled person",
        "count_sources": "How many source rows were merged into this person",
        "villages": "Villages whose exports list this person",
        **{k: v for k, v in CLEAN_VALUE_COMMENTS.items() if not k.endswith("_as_written")},
    },
    "validation_issues": {
        **LINEAGE_COMMENTS,
        "column": "The column the problem is in",
        "code": "Issue code (see docs/data_dictionary or the fix list)",
        "severity": "error (must be fixed) or warning (check it)",
        "message": "What the operator should do, in Bahasa Indonesia",
        "value_masked": "The offending value; NIK, KK and mother's name masked",
        "suggested_value": "A value the pipeline can suggest, e.g. the NIK-embedded birth date",
    },
    "match_pairs": {
        "record_key_l": "Stable key of the left row (IDDTKS, else NIK + name + birth date), hashed",
        "record_key_r": "Stable key of the right row",
        "blocking_rule": "The blocking rule that made this pair a candidate",
        "match_weight": "Fellegi-Sunter match weight (log2 Bayes factor), all comparisons summed",
        "match_probability": "Probability that both rows are the same person",
        "decision": "merged, review or distinct",
        "decided_by": "score, rule (a hard safety rule) or review (a clerk's decision)",
        "hard_rule": "The safety rule that decided the pair, if any",
        "needs_confirmation": "Merged, but an operator should confirm it (e.g. NIK one digit apart)",
        **{
            f"{column}_{side}": f"{text} (of the {name} row)"
            for side, name in (("l", "left"), ("r", "right"))
            for column, text in {**LINEAGE_COMMENTS, "iddtks": "IDDTKS"}.items()
        },
        **{f"level_{c}": f"Level of the {c} comparison that fired" for c in MATCH_COMPARISONS},
        **{f"weight_{c}": f"Match weight the {c} comparison added" for c in MATCH_COMPARISONS},
    },
    "review_queue": {
        "record_key_l": "Stable key of the left row",
        "record_key_r": "Stable key of the right row",
        "match_probability": "Probability that both rows are the same person",
        "decision": "review (needs a clerk) or merged with needs_confirmation",
    },
    "village_status": {
        "village": "Village slug",
        "desa_kode": "Kemendagri village code",
        "desa_nama": "Official village name",
        "count_files": "Export files present in the village folder",
        "count_files_failed": "Files that could not be read",
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
        "status": "ok, or error when the file could not be used",
        "error_code": "Why the file could not be used",
        "error_message": "The reason in words, with what to do (Bahasa Indonesia)",
        "rows_read": "Rows read from the file (non-empty rows below a recognised header)",
        "sheets_read": "Sheets read, with header row and rows read (JSON)",
        "sheets_skipped": "Sheets without a recognised header, with the reason (JSON)",
    },
    "runs": {
        "run_id": "Dagster run id (or the id of a run outside Dagster)",
        "started_at": "When the run started (UTC)",
        "published_at": "When the file was published (UTC)",
        "trigger": "manual, schedule or sensor",
        "outcome": "published",
        "rows_read": "Rows read over all villages",
        "rows_accepted": "Rows accepted over all villages",
        "rows_rejected": "Rows rejected over all villages",
        "count_persons": "Reconciled persons",
        "accounting": "Per village: rows read, accepted, rejected (JSON)",
        "input_files": "Every input file with its SHA-256 (JSON)",
    },
}
