"""The convenience views of the published files, with their COMMENTs: questions analysts
ask every week, answered over the published tables."""

from __future__ import annotations

from dtks.publish.atomic import PublishedView
from dtks.publish.comments import (
    DELIBERATION_ITEM_COMMENTS,
    DESIL_FAMILY_COMMENTS,
    DESIL_HOUSEHOLD_COMMENTS,
    HOUSEHOLD_COMMENTS,
    PERSON_COMMENTS,
)

PROGRAM_NAMES = {"pkh": "PKH", "bpnt": "BPNT", "pbi_jk": "PBI-JK", "bst": "BST"}

_RECIPIENT_COLUMNS = (
    "person_id, household_id, nik, nama, jenis_kelamin, tanggal_lahir, village, desa_nama, "
    "alamat, is_deceased, is_moved, needs_review, has_valid_nik"
)

VIEWS: tuple[PublishedView, ...] = (
    PublishedView(
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
    PublishedView(
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
    PublishedView(
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
    PublishedView(
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
    PublishedView(
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
    PublishedView(
        "deliberation_open",
        """
        SELECT village, kind, reason, status, nama, dusun, rt, rw, nik_masked, no_kk_masked,
               programme, desil, evidence, item_id
        FROM deliberation_items
        WHERE is_current AND status IN ('belum', 'diusulkan', 'diterima')
        ORDER BY village, kind, reason, dusun, nama
        """,
        "Deliberation items still open: not yet discussed, proposed upward, or accepted and not done",
        {
            c: DELIBERATION_ITEM_COMMENTS[c]
            for c in (
                "village",
                "kind",
                "reason",
                "status",
                "nama",
                "dusun",
                "rt",
                "rw",
                "nik_masked",
                "no_kk_masked",
                "programme",
                "desil",
                "evidence",
                "item_id",
            )
        },
    ),
    PublishedView(
        "deliberation_per_village",
        """
        SELECT village, kind, reason, count(*) AS items,
               count(*) FILTER (WHERE status = 'belum') AS belum,
               count(*) FILTER (WHERE status = 'diusulkan') AS diusulkan,
               count(*) FILTER (WHERE status = 'diterima') AS diterima,
               count(*) FILTER (WHERE status = 'ditolak') AS ditolak,
               count(*) FILTER (WHERE status = 'selesai') AS selesai
        FROM deliberation_items WHERE is_current
        GROUP BY ALL ORDER BY village, kind, reason
        """,
        "The camat's summary: deliberation items per village, kind and reason, by status",
        {
            "village": "Village slug",
            "kind": DELIBERATION_ITEM_COMMENTS["kind"],
            "reason": DELIBERATION_ITEM_COMMENTS["reason"],
            "items": "Items of this village, kind and reason",
            "belum": "Not yet discussed",
            "diusulkan": "Proposed upward (SIKS-NG)",
            "diterima": "Accepted",
            "ditolak": "Rejected",
            "selesai": "Done",
        },
    ),
    PublishedView(
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
