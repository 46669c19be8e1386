"""Village partitions: one Dagster partition per desa slug of the configured kecamatan."""

from __future__ import annotations

import dagster as dg

from dtks.region import load_kecamatan
from pipelines.settings import Settings

KECAMATAN = load_kecamatan(Settings.from_env().kecamatan_kode)

village_partitions = dg.StaticPartitionsDefinition(KECAMATAN.slugs)
