"""SIKS-NG export conventions the generator can follow (DESIGN.md section 2), each recorded in the truth.

The defaults reproduce the generator's historical output byte for byte (a person-level
IDDTKS everywhere, every NIK its owner's, NIK and KK columns in every file, no KK changes,
defect rates as listed in `dtks.synth`). Each knob, when set:

- `iddtks`: per village, what the IDDTKS column holds: `person` (one id per person, today's
  behaviour), `family` (the KK family's id repeated on every member), `member` (the family
  id plus a two-digit member sequence number) or `absent` (no IDDTKS column). A mode for
  every village, or `{slug: mode}` with `person` for the others. People with no IDDTKS (new
  proposals) stay empty in every mode.
- `nik_from_family`: share of rows whose NIK is copied from another member of the same KK
  (the head's KTP typed for the whole family); truth defect `nik_borrowed_family`.
- `nik_from_other_family`: share of rows whose NIK is a person's of another family; truth
  defect `nik_borrowed_other`.
- `villages_without_nik`: villages whose files have no NIK and no KK column; truth defect
  `village_without_nik` on every row of theirs.
- `kk_changed`: share of adult children (ANAK, 19 or older) who married or split off and are
  listed under a new KK as its head in the same village; 60 % of them still carry their
  parents' family IDDTKS (family / member modes), and half are also still listed in their
  parents' family under the old KK. Truth defect `kk_changed` on the new listing (whose
  `true_household_id` is the new KK family) and `kk_changed_old_listing` on the old one.
- `defect_scale`: every row and household defect rate times this factor (capped at 1),
  before `--rate` overrides.

The truth parquet's `iddtks` column holds the IDDTKS of each row as the mode gives it
(None when the column is absent), and the manifest's `conventions` holds these settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

IDDTKS_MODES = ("person", "family", "member", "absent")
# IDDTKS numbers of families start here, so they never equal a person's IDDTKS.
FAMILY_ID_OFFSET = 500_000_000
KK_CHANGED_KEEPS_PARENTS_IDDTKS = 0.6
KK_CHANGED_STILL_IN_OLD_FAMILY = 0.5
KK_CHANGED_MIN_AGE = 19


@dataclass(frozen=True)
class Conventions:
    """Which SIKS-NG conventions the exports follow; `Conventions()` is the historical output."""

    iddtks: str | Mapping[str, str] = "person"
    nik_from_family: float = 0.0
    nik_from_other_family: float = 0.0
    villages_without_nik: tuple[str, ...] = ()
    kk_changed: float = 0.0
    defect_scale: float = 1.0

    def __post_init__(self) -> None:
        modes = [self.iddtks] if isinstance(self.iddtks, str) else list(self.iddtks.values())
        for mode in modes:
            if mode not in IDDTKS_MODES:
                raise ValueError(f"unknown IDDTKS mode {mode!r}; known: {', '.join(IDDTKS_MODES)}")
        for name in ("nik_from_family", "nik_from_other_family", "kk_changed"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.defect_scale < 0:
            raise ValueError(f"defect_scale must be 0 or more, got {self.defect_scale}")

    def iddtks_mode(self, slug: str) -> str:
        if isinstance(self.iddtks, str):
            return self.iddtks
        return self.iddtks.get(slug, "person")

    def check_villages(self, slugs: list[str]) -> None:
        """Every village named must be one of the kecamatan's."""
        named = list(self.villages_without_nik)
        if not isinstance(self.iddtks, str):
            named += list(self.iddtks)
        unknown = sorted(set(named) - set(slugs))
        if unknown:
            raise ValueError(f"unknown village(s) {', '.join(unknown)}; known: {', '.join(slugs)}")

    @property
    def is_default(self) -> bool:
        return self == Conventions()

    def as_dict(self) -> dict[str, object]:
        """For the manifest (JSON)."""
        data = asdict(self)
        data["iddtks"] = self.iddtks if isinstance(self.iddtks, str) else dict(self.iddtks)
        data["villages_without_nik"] = list(self.villages_without_nik)
        return data


def family_iddtks(prefix4: str, household_id: str) -> str:
    """The family IDDTKS of KK family `H0000123`: same shape as a person's, never equal to one."""
    return f"ID{prefix4}{FAMILY_ID_OFFSET + int(household_id[1:]):09d}"


def parse_iddtks(text: str) -> str | dict[str, str]:
    """ "family" -> "family"; "bujur-barat=absent,kapong=member" -> {slug: mode}."""
    if "=" not in text:
        return text.strip()
    pairs = (part.split("=", 1) for part in text.split(",") if part.strip())
    return {slug.strip(): mode.strip() for slug, mode in pairs}
