"""The generator's entry point: population -> defects -> file layout -> files and ground truth."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dtks.region import DEFAULT_KECAMATAN_KODE, load_kecamatan
from dtks.synth import truth
from dtks.synth.conventions import Conventions
from dtks.synth.defects import DEFECTS, DefectPlanter, resolve_rates
from dtks.synth.desil import DesilOptions, desil_truth_path, write_desil_lists
from dtks.synth.layout import FilePlan, plan_files
from dtks.synth.population import build_population
from dtks.synth.register import RegisterOptions, register_truth_path, write_registers
from dtks.synth.writers import FileWriter

MANIFEST_NAME = ".synth.json"


@dataclass
class Summary:
    """What one generation produced (counts only: no personal data)."""

    people: int
    households: int
    unlisted_heads: int
    data_rows: int
    other_rows: int
    rows_per_village: dict[str, int]
    files: list[dict[str, object]]
    defect_counts: dict[str, int]
    seconds: float = 0.0
    bytes_written: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    def as_text(self) -> str:
        lines = [
            f"people {self.people}, households {self.households}, "
            f"data rows {self.data_rows}, other rows {self.other_rows}, "
            f"files {len(self.files)} ({self.bytes_written / 1e6:.1f} MB), {self.seconds:.1f} s",
            "rows per village: " + ", ".join(f"{k} {v}" for k, v in self.rows_per_village.items()),
            "defects: " + ", ".join(f"{k} {v}" for k, v in self.defect_counts.items()),
        ]
        if "convention_rows" in self.extra:
            lines.append(f"conventions: {self.extra['conventions']}")
            rows = self.extra["convention_rows"]
            lines.append("convention rows: " + ", ".join(f"{k} {v}" for k, v in rows.items()))
        if "desil_lists" in self.extra:
            defects = self.extra["desil_defects"]
            lines.append(
                f"desil lists {self.extra['desil_lists']}, rows {self.extra['desil_rows']}; "
                + ", ".join(f"{k} {v}" for k, v in sorted(defects.items()))
            )
        if "registers" in self.extra:
            lines.append(
                f"population registers {self.extra['registers']}, "
                f"rows {self.extra['register_rows']}"
            )
        return "\n".join(lines)


def generate(
    people: int,
    seed: int,
    out_dir: str | Path,
    truth_path: str | Path,
    rates: Mapping[str, float] | None = None,
    xlsx_share: float = 0.5,
    kecamatan_kode: str = DEFAULT_KECAMATAN_KODE,
    conventions: Conventions | None = None,
    desil: DesilOptions | None = None,
    register: RegisterOptions | None = None,
) -> Summary:
    """Write synthetic village exports of `people` people under `out_dir` and their truth.

    Same arguments give byte-identical files. Example::

        generate(2000, seed=1, out_dir="/tmp/raw", truth_path="/tmp/truth.parquet",
                 rates={"nik_missing": 0.1})
        generate(2000, seed=1, out_dir="/tmp/raw", truth_path="/tmp/truth.parquet",
                 conventions=Conventions(iddtks="family", nik_from_family=0.005))

    With `desil`, desil ranking lists consistent with the families are written too (see
    `dtks.synth.desil`), their truth next to `truth_path` as `<stem>_desil.parquet`; the
    exports and their truth stay byte-identical. With `register`, village population
    registers (`dtks.synth.register`) are written last, their truth as `<stem>_register.parquet`.
    """
    started = time.perf_counter()
    if not 0.0 <= xlsx_share <= 1.0:
        raise ValueError(f"xlsx_share must be between 0 and 1, got {xlsx_share}")
    out, truth_file = Path(out_dir), Path(truth_path)
    if truth_file.resolve().is_relative_to(out.resolve()):
        raise ValueError(f"the truth file {truth_file} must lie outside the raw folder {out}")
    kecamatan = load_kecamatan(kecamatan_kode)
    conventions = conventions or Conventions()
    conventions.check_villages(kecamatan.slugs)
    resolved = resolve_rates(rates, conventions.defect_scale)

    builder, geography, households = build_population(
        random.Random(f"{seed}/population"), kecamatan, people
    )
    planter = DefectPlanter(
        random.Random(f"{seed}/defects"), kecamatan, resolved, builder, geography, conventions
    )
    villages = planter.plant(households)
    plans = plan_files(
        random.Random(f"{seed}/layout"), kecamatan, villages, resolved, xlsx_share, conventions
    )

    _clear_previous_output(out, kecamatan.slugs)
    # Claim the planned files first, so a run that fails halfway can be cleaned up next time.
    _write_manifest(
        out,
        seed,
        people,
        xlsx_share,
        kecamatan_kode,
        resolved,
        [{"path": p.path} for p in plans],
        conventions,
    )
    writer = FileWriter(out, kecamatan, random.Random(f"{seed}/write"))
    frames = [truth.frame(writer.write(plan)) for plan in plans]
    table = pl.concat(frames, how="vertical") if frames else truth.frame([])
    truth_file.parent.mkdir(parents=True, exist_ok=True)
    table.write_parquet(truth_file, compression="zstd")

    summary = _summarise(
        people, households, planter.extra_households, planter.unlisted_heads, plans, table, out
    )
    desil_files: list[str] = []
    desil_truth: pl.DataFrame | None = None
    if desil is not None:
        names = {d.slug: d.nama for d in kecamatan.desa}
        desil_files, desil_truth = write_desil_lists(table, out, seed, desil, names)
        desil_truth.write_parquet(desil_truth_path(truth_file), compression="zstd")
        summary.extra["desil_lists"] = len(desil_files)
        summary.extra["desil_rows"] = desil_truth.height
        summary.extra["desil_defects"] = dict(
            Counter(d for row in desil_truth["defects"].to_list() for d in row)
        )
    register_files: list[str] = []
    if register is not None:
        register_files, register_truth = write_registers(
            households, builder, geography, table, desil_truth, out, seed, register
        )
        register_truth.write_parquet(register_truth_path(truth_file), compression="zstd")
        summary.extra["registers"] = len(register_files)
        summary.extra["register_rows"] = register_truth.height
    _write_manifest(
        out,
        seed,
        people,
        xlsx_share,
        kecamatan_kode,
        resolved,
        summary.files,
        conventions,
        desil_files,
        register_files,
    )
    if not conventions.is_default:
        summary.extra["conventions"] = conventions.as_dict()
        summary.extra["convention_rows"] = {
            name: counted
            for name, counted in _tag_counts(table).items()
            if name in CONVENTION_TAGS and counted
        }
    summary.seconds = time.perf_counter() - started
    return summary


CONVENTION_TAGS = (
    "nik_borrowed_family",
    "nik_borrowed_other",
    "kk_changed",
    "kk_changed_old_listing",
    "village_without_nik",
)


def _tag_counts(table: pl.DataFrame) -> Counter:
    data = table.filter(pl.col("row_kind") == "data")
    return Counter(d for row in data.get_column("defects").to_list() for d in row)


def _summarise(
    people,
    households,
    extra_households,
    unlisted_heads,
    plans: list[FilePlan],
    table: pl.DataFrame,
    out: Path,
) -> Summary:
    data = table.filter(pl.col("row_kind") == "data")
    per_village = dict(data.group_by("village").len().sort("village").iter_rows())
    counted = Counter(d for row in data.get_column("defects").to_list() for d in row)
    defect_counts = {
        d.name: counted.get(d.name, 0) for d in DEFECTS if d.scope in ("row", "household")
    }
    files = []
    for plan in plans:
        files_rows = table.filter(pl.col("source_file") == plan.path)
        files.append(
            {
                "path": plan.path,
                "format": plan.fmt,
                "sheets": [s.name for s in plan.sheets],
                "skipped_sheets": [s.name for s in plan.sheets if s.kind != "data"],
                "features": sorted(
                    set(plan.features + [f for s in plan.sheets for f in s.features])
                ),
                "encoding": plan.style.encoding if plan.fmt == "csv" else None,
                "delimiter": plan.style.delimiter if plan.fmt == "csv" else None,
                "rows": files_rows.height,
            }
        )
    for feature in (
        "split_submission",
        "two_data_sheets",
        "extra_sheet",
        "extra_columns",
        "csv_cp1252",
        "csv_bom",
        "title_rows",
        "totals_row",
        "blank_rows",
        "signature_block",
        "note_line",
        "repeated_header",
    ):
        defect_counts[feature] = sum(feature in f["features"] for f in files)  # files with it
    return Summary(
        people=people,
        households=len(households) + len(extra_households),
        unlisted_heads=unlisted_heads,
        data_rows=data.height,
        other_rows=table.height - data.height,
        rows_per_village={slug: per_village.get(slug, 0) for slug in sorted(per_village)},
        files=files,
        defect_counts=defect_counts,
        bytes_written=sum((out / f["path"]).stat().st_size for f in files),
    )


def _clear_previous_output(out: Path, slugs: list[str]) -> None:
    """Remove the files a previous run wrote; refuse to touch exports it did not write."""
    manifest = out / MANIFEST_NAME
    ours = set()
    if manifest.exists():
        previous = json.loads(manifest.read_text("utf-8"))
        ours = {f["path"] for f in previous.get("files", [])} | set(previous.get("desil_files", []))
        ours |= set(previous.get("register_files", []))
    found = [
        p
        for slug in slugs
        if (out / slug).is_dir()
        for p in sorted((out / slug).iterdir())
        if p.is_file() and p.suffix.lower() in (".csv", ".xlsx")
    ]
    strangers = [p for p in found if p.relative_to(out).as_posix() not in ours]
    if strangers:
        raise FileExistsError(
            f"{out} already holds exports the generator did not write (e.g. {strangers[0]}); "
            "move them away or choose another output folder"
        )
    for path in found:
        path.unlink()


def _write_manifest(
    out: Path,
    seed: int,
    people: int,
    xlsx_share: float,
    kode: str,
    rates: dict[str, float],
    files: list[dict[str, object]],
    conventions: Conventions,
    desil_files: list[str] | None = None,
    register_files: list[str] | None = None,
) -> None:
    manifest: dict[str, object] = {
        "generator": "dtks.synth",
        "seed": seed,
        "people": people,
        "xlsx_share": xlsx_share,
        "kecamatan": kode,
        "rates": rates,
        "files": files,
    }
    if not conventions.is_default:  # the historical manifest stays byte-identical
        manifest["conventions"] = conventions.as_dict()
    if desil_files:  # desil ranking lists (dtks.synth.desil), kept apart from the exports
        manifest["desil_files"] = desil_files
    if register_files:  # population registers (dtks.synth.register), likewise
        manifest["register_files"] = register_files
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", "utf-8")
