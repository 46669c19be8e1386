"""The deliberation settings: desil cut-offs per programme (`dtks/reference/musdes_programmes.toml`),
overridable for one deployment with a text such as "pkh=3,bpnt=4,tidak_layak=7".

>>> cutoffs = programme_cutoffs("pkh=3")
>>> cutoffs.cutoffs["pkh"], cutoffs.cutoffs["pbi_jk"], cutoffs.tidak_layak
(3, 5, 6)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

PROGRAMMES = ("pkh", "bpnt", "pbi_jk", "bst")
PROGRAMME_LABELS = {"pkh": "PKH", "bpnt": "BPNT/Sembako", "pbi_jk": "PBI-JK", "bst": "BST"}


class CutoffError(ValueError):
    """An override names an unknown programme or a desil outside 1-10."""


@dataclass(frozen=True)
class ProgrammeCutoffs:
    """Highest desil still eligible per programme, and the desil from which a recipient is
    proposed for removal as TIDAK LAYAK."""

    cutoffs: dict[str, int]
    tidak_layak: int

    def describe(self) -> str:
        """One line for a report: "PKH <= 4, BPNT/Sembako <= 4, ...; TIDAK LAYAK >= 6"."""
        parts = [f"{PROGRAMME_LABELS[p]} desil <= {d}" for p, d in self.cutoffs.items()]
        return ", ".join(parts) + f"; TIDAK LAYAK: penerima bantuan desil >= {self.tidak_layak}"


@cache
def _bundled() -> dict:
    text = resources.files("dtks.reference").joinpath("musdes_programmes.toml").read_text("utf-8")
    return tomllib.loads(text)


def programme_cutoffs(override: str | None = None) -> ProgrammeCutoffs:
    """The bundled cut-offs, with `override` ("pkh=3,bpnt=4,tidak_layak=7") applied."""
    table = _bundled()
    cutoffs = {p: int(table["cutoffs"][p]) for p in PROGRAMMES}
    tidak_layak = int(table["removal"]["tidak_layak"])
    for part in (override or "").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip().lower().replace("-", "_")
        if not sep or not value.strip().isdigit() or not 1 <= int(value) <= 10:
            raise CutoffError(
                f"DTKS_DESIL_CUTOFFS: '{part.strip()}' tidak terbaca; tulis seperti pkh=4 "
                "(desil 1 sampai 10)"
            )
        if name == "tidak_layak":
            tidak_layak = int(value)
        elif name in cutoffs:
            cutoffs[name] = int(value)
        else:
            raise CutoffError(
                f"DTKS_DESIL_CUTOFFS: program '{name}' tidak dikenal; yang dikenal: "
                + ", ".join([*PROGRAMMES, "tidak_layak"])
            )
    return ProgrammeCutoffs(cutoffs, tidak_layak)
