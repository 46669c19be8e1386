"""The synthetic population registers: switching them on changes no export, no desil list and no
truth byte; the same seed writes the same registers; their truth sits at the rows it states."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

from dtks.ingest import read_export
from dtks.synth import generate
from dtks.synth.desil import DesilOptions
from dtks.synth.register import RegisterOptions, register_truth_path


def digests(raw: Path) -> dict[str, str]:
    return {
        p.relative_to(raw).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(raw.rglob("*"))
        if p.is_file() and p.name != ".synth.json"
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("synth_register")
    options = RegisterOptions(rates={"new_family": 0.2})
    for name, register in (("a", options), ("b", options), ("plain", None)):
        generate(
            400,
            seed=3,
            out_dir=root / name / "raw",
            truth_path=root / name / "truth.parquet",
            desil=DesilOptions(),
            register=register,
        )
    return {name: root / name for name in ("a", "b", "plain")}


def test_registers_change_nothing_else_and_are_deterministic(generated) -> None:
    with_registers, again, plain = (digests(generated[n] / "raw") for n in ("a", "b", "plain"))
    assert with_registers == again
    registers = {p for p in with_registers if "/penduduk_" in p}
    assert len(registers) == 13
    assert {p: d for p, d in with_registers.items() if p not in registers} == plain
    truth = (generated["a"] / "truth.parquet").read_bytes()
    assert truth == (generated["plain"] / "truth.parquet").read_bytes()


def test_register_truth_sits_at_the_stated_rows(generated) -> None:
    raw = generated["a"] / "raw"
    truth = pl.read_parquet(register_truth_path(generated["a"] / "truth.parquet"))
    assert set(truth["family_kind"]) >= {"registry", "new"}
    assert set(truth["status"]) == {"HIDUP", "MENINGGAL", "PINDAH"}
    for (source_file,), group in truth.group_by(["source_file"]):
        read = read_export(raw / source_file, raw)
        assert read.file_kind == "population_register"
        rows = read.register_rows.select("source_row", "nik")
        assert rows.height == group.height
        written = group.select("source_row", pl.col("nik_written").alias("nik")).sort("source_row")
        assert rows.sort("source_row").equals(written)
