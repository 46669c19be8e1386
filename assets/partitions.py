"""Village partitions: one Dagster partition per desa slug of the configured kecamatan.

`KECAMATAN` is the one kecamatan of the code location: the partitions list its villages
and `DtksSettings.kecamatan()` returns it to the assets.
"""

from __future__ import annotations

import dagster as dg

from assets.settings import Settings
from dtks.region import load_kecamatan

KECAMATAN = load_kecamatan(Settings.from_env().kecamatan_kode)

village_partitions = dg.StaticPartitionsDefinition(KECAMATAN.slugs)
