-- Contoh pertanyaan analis Dinas Sosial atas data kecamatan yang sudah direkonsiliasi.
-- Worked example questions an analyst of Dinas Sosial asks of the reconciled dataset.
--
-- Jalankan semuanya / run them all (read-only, the pipeline can keep publishing):
--   duckdb -readonly data/curated/kecamatan.duckdb -f docs/queries.sql
-- atau satu per satu di DBeaver / Python. Semua kueri juga berjalan pada
-- kecamatan_masked.duckdb (NIK, No KK dan nama ibu di sana disamarkan).
-- Every query also runs on kecamatan_masked.duckdb. tests/publish checks that they do.

-- 1. Ringkasan per desa: status kiriman, baris, orang, keluarga, masalah.
--    Per village: export status, rows, persons, households, problems.
SELECT village, is_missing, is_stale, rows_read, count_persons, count_persons_active,
       count_households, count_persons_needing_review, count_errors, count_warnings
FROM village_summary
ORDER BY desa_kode;

-- 2. Desa mana yang belum mengirim data, gagal dibaca, atau datanya sudah lama?
--    Which villages sent nothing, sent unreadable files, or stale data?
SELECT village, desa_nama, count_files, count_files_failed, latest_export_file,
       latest_export_at, is_missing, is_stale
FROM village_status
WHERE is_missing OR is_stale OR count_files_failed > 0
ORDER BY desa_kode;

-- 3. Jumlah penerima tiap program per desa (orang aktif saja).
--    Recipients of each program per village (active persons only).
SELECT p.village,
       count(*) FILTER (WHERE r.program = 'PKH') AS pkh,
       count(*) FILTER (WHERE r.program = 'BPNT') AS bpnt,
       count(*) FILTER (WHERE r.program = 'PBI-JK') AS pbi_jk,
       count(*) FILTER (WHERE r.program = 'BST') AS bst
FROM program_recipients r
JOIN persons p USING (person_id)
WHERE p.is_active
GROUP BY p.village
ORDER BY p.village;

-- 4. Penerima bantuan yang tercatat meninggal: bantuannya perlu dihentikan.
--    Recipients listed as deceased: their aid should stop.
SELECT r.program, r.village, r.person_id, r.nama, r.tanggal_lahir, p.villages
FROM program_recipients r
JOIN persons p USING (person_id)
WHERE r.is_deceased
ORDER BY r.program, r.village, r.nama;

-- 5. Orang yang terdaftar di lebih dari satu desa (pindah, menikah, atau ganda).
--    Persons listed in more than one village.
SELECT person_id, nama, tanggal_lahir, villages, count_sources, is_moved
FROM persons
WHERE count_villages > 1
ORDER BY count_villages DESC, nama;

-- 6. NIK yang dipakai lebih dari satu orang: salah ketik atau data yang keliru.
--    NIKs carried by more than one reconciled person.
SELECT nik, count(*) AS persons, string_agg(nama || ' (' || village || ')', '; ') AS who
FROM persons
WHERE nik_shared_with_other_person
GROUP BY nik
ORDER BY persons DESC, nik;

-- 7. Berapa persen orang di tiap desa yang belum punya NIK valid?
--    Share of persons without a sound NIK, per village.
SELECT village,
       count(*) AS persons,
       count(*) FILTER (WHERE NOT has_valid_nik) AS without_valid_nik,
       round(100.0 * count(*) FILTER (WHERE NOT has_valid_nik) / count(*), 1) AS percent
FROM persons
GROUP BY village
ORDER BY percent DESC;

-- 8. Keluarga tanpa kepala keluarga, atau kepala keluarganya sudah meninggal.
--    Households without a (living) head.
SELECT village, household_id, no_kk, count_members, head_is_deceased, members
FROM households_without_head
ORDER BY village, household_id;

-- 9. Keluarga dengan dua kepala keluarga atau anggota yang tersebar di beberapa desa.
--    Households with two heads or members spread over villages.
SELECT household_id, no_kk, village, villages, count_members, count_heads,
       has_two_heads, is_spread_over_villages, is_kk_malformed
FROM households
WHERE has_two_heads OR is_spread_over_villages
ORDER BY village, household_id;

-- 10. Lansia (60 tahun ke atas) yang aktif tetapi tidak menerima bantuan apa pun.
--     Active elderly (60+) receiving no aid at all.
SELECT village, count(*) AS elderly_without_aid
FROM persons
WHERE is_active
  AND tanggal_lahir <= current_date - INTERVAL 60 YEAR
  AND NOT coalesce(pkh OR bpnt OR pbi_jk OR bst, false)
GROUP BY village
ORDER BY elderly_without_aid DESC;

-- 11. Masalah data yang paling sering, per desa (untuk daftar perbaikan operator).
--     Most frequent validation problems per village.
SELECT village, code, severity, count(*) AS problems
FROM validation_issues
GROUP BY village, code, severity
QUALIFY row_number() OVER (PARTITION BY village ORDER BY count(*) DESC, code) <= 3
ORDER BY village, problems DESC;

-- 12. Pasangan data yang menunggu keputusan petugas (sama / beda), paling mirip dulu.
--     Candidate pairs waiting for a clerk, most likely matches first.
SELECT village_l, source_row_l, nama_l, village_r, source_row_r, nama_r,
       round(match_probability, 3) AS probability, decision
FROM review_queue
ORDER BY match_probability DESC
LIMIT 50;

-- 13. Baris yang harus dinonaktifkan ke atas, per desa dan alasan.
--     Source rows to deactivate upward, per village and reason.
SELECT village, reason_code, count(*) AS rows_to_deactivate
FROM deactivations
GROUP BY ALL
ORDER BY village, reason_code;

-- 14. Dari baris mana saja satu orang disusun? (contoh: orang dengan sumber terbanyak)
--     Where does a golden record come from? Its source rows, and which row gave the NIK.
WITH one AS (
    SELECT person_id, nik_source_row_key FROM persons
    ORDER BY count_sources DESC, person_id LIMIT 1
)
SELECT s.person_id, s.village, s.source_file, s.source_sheet, s.source_row, s.nama,
       s.tanggal_lahir, s.keterangan_kode,
       s.source_row_key = one.nik_source_row_key AS gave_the_nik
FROM person_sources s JOIN one USING (person_id)
ORDER BY s.village, s.source_row;

-- 15. Apa yang berubah sejak terbitan sebelumnya?
--     What changed since the previous publish?
SELECT entity, change_type, coalesce(field, '-') AS field, count(*) AS changes
FROM change_log
GROUP BY ALL
ORDER BY entity, change_type, field;

-- 16. Riwayat run: kapan, dipicu apa, hasilnya, dan akuntansi baris.
--     Run history: when, what triggered it, the outcome and the row accounting.
SELECT run_id, started_at, trigger, outcome, rows_read, rows_accepted, rows_rejected,
       rows_read = rows_accepted + rows_rejected AS every_row_accounted,
       count_persons, count_persons_new, count_persons_updated
FROM runs
ORDER BY started_at DESC;

-- 17. Sebaran desil DTSEN per desa dan dusun (keluarga dan jiwa).
--     DTSEN desil distribution per village and dusun (families and persons).
SELECT village, dusun, coalesce(CAST(desil AS VARCHAR), 'tanpa desil') AS desil,
       count_families, count_persons
FROM families_by_desil
ORDER BY village, dusun, families_by_desil.desil NULLS LAST;

-- 18. Keluarga desil 1-4 (sasaran utama program nasional) per desa.
--     Families in desil 1-4 (what national programmes mostly target) per village.
SELECT village, count(*) AS families, sum(count_members) AS persons
FROM households
WHERE desil BETWEEN 1 AND 4
GROUP BY village
ORDER BY village;

-- 19. Keluarga di data desa yang belum punya desil (tidak ada di daftar, atau konflik).
--     Registry families with no desil (not in any list, or the newest list conflicts).
SELECT village, dusun, head_nama, count_members, coalesce(desil_conflict, 'tidak ada di daftar') AS why
FROM families_not_ranked
ORDER BY village, dusun;

-- 20. Baris daftar desil yang tidak masuk ke keluarga mana pun, dengan alasannya.
--     Ranking rows that gave their desil to no family, and why (for the operators).
SELECT village, source_file, source_row, status, reason, reason_text
FROM desil_rows
WHERE status IN ('konflik', 'tidak_cocok', 'ditolak')
ORDER BY village, source_file, source_row;

-- 21. Keluarga yang desilnya berubah sejak daftar sebelumnya.
--     Families whose desil changed since the previous list.
SELECT village, head_nama, desil_previous, desil_previous_period, desil, desil_period,
       desil_history
FROM households
WHERE desil_changed
ORDER BY village, head_nama;

-- 22. Bagaimana desil sampai ke keluarga: lewat Nomor KK, NIK kepala, atau NIK anggota.
--     How desils reached the families: by Nomor KK, the head's NIK or a member's NIK.
SELECT desil_matched_by, count(*) AS families
FROM households
WHERE desil IS NOT NULL
GROUP BY ALL
ORDER BY families DESC;
