"""The region table: one kecamatan's villages, their Kemendagri codes and spelling variants."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

DEFAULT_KECAMATAN_KODE = "35.28.11"


@dataclass(frozen=True)
class Desa:
    """One village (desa/kelurahan) of the kecamatan."""

    kode: str  # Kemendagri code with dots, e.g. "35.28.11.2001"
    nama: str  # official name, e.g. "Bujur Barat"
    slug: str  # folder name and Dagster partition key, e.g. "bujur-barat"
    variants: tuple[str, ...]


@dataclass(frozen=True)
class Kecamatan:
    """A kecamatan with its parents' codes and its villages in code order."""

    kode: str
    nama: str
    variants: tuple[str, ...]
    kabupaten_kode: str
    kabupaten_nama: str
    provinsi_kode: str
    provinsi_nama: str
    desa: tuple[Desa, ...]

    @property
    def nik_prefix(self) -> str:
        """The six digits a NIK first issued in this kecamatan starts with ("352811")."""
        return self.kode.replace(".", "")

    @property
    def slugs(self) -> list[str]:
        return [d.slug for d in self.desa]

    def desa_by_slug(self, slug: str) -> Desa:
        for d in self.desa:
            if d.slug == slug:
                return d
        raise KeyError(f"no village with slug {slug!r} in kecamatan {self.nama} ({self.kode})")


def slugify(name: str) -> str:
    """Folder-safe slug of a village name: "Lesong Laok" -> "lesong-laok"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


@cache
def _load_table() -> dict[str, Kecamatan]:
    text = resources.files("dtks.reference").joinpath("wilayah.toml").read_text("utf-8")
    table = tomllib.loads(text)
    result: dict[str, Kecamatan] = {}
    for kec in table["kecamatan"]:
        desa = tuple(
            Desa(d["kode"], d["nama"], slugify(d["nama"]), tuple(d.get("variants", ())))
            for d in sorted(kec["desa"], key=lambda d: d["kode"])
        )
        result[kec["kode"]] = Kecamatan(
            kode=kec["kode"],
            nama=kec["nama"],
            variants=tuple(kec.get("variants", ())),
            kabupaten_kode=kec["kabupaten_kode"],
            kabupaten_nama=kec["kabupaten_nama"],
            provinsi_kode=kec["provinsi_kode"],
            provinsi_nama=kec["provinsi_nama"],
            desa=desa,
        )
    return result


def load_kecamatan(kode: str = DEFAULT_KECAMATAN_KODE) -> Kecamatan:
    """The kecamatan with Kemendagri code `kode` ("35.28.11") from the bundled region table."""
    table = _load_table()
    if kode not in table:
        known = ", ".join(sorted(table))
        raise KeyError(f"kecamatan {kode!r} is not in the region table (known: {known})")
    return table[kode]
