"""Command line: `python -m dtks.synth --people N --seed S --out DIR --truth FILE`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dtks.region import DEFAULT_KECAMATAN_KODE
from dtks.synth.conventions import IDDTKS_MODES, Conventions, parse_iddtks
from dtks.synth.defects import DEFECTS
from dtks.synth.desil import DesilOptions
from dtks.synth.generate import generate
from dtks.synth.register import RegisterOptions


def parse_rate(text: str) -> tuple[str, float]:
    """ "nik_missing=0.05" -> ("nik_missing", 0.05)."""
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected DEFECT=RATE, got {text!r}")
    try:
        return name.strip(), float(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"rate of {name!r} is not a number: {value!r}") from error


def build_parser() -> argparse.ArgumentParser:
    defects = ", ".join(f"{d.name}={d.default_rate:g}" for d in DEFECTS)
    parser = argparse.ArgumentParser(
        prog="python -m dtks.synth",
        description="Write synthetic DTKS village exports with their ground truth.",
        epilog=f"Defects and default rates: {defects}. 'all=RATE' sets every one.",
    )
    parser.add_argument("--people", type=int, required=True, help="number of real people")
    parser.add_argument(
        "--seed", type=int, required=True, help="random seed (same seed, same files)"
    )
    parser.add_argument("--out", required=True, help="raw folder to write <village>/ exports into")
    parser.add_argument("--truth", required=True, help="ground-truth parquet file (outside --out)")
    parser.add_argument(
        "--kecamatan", default=DEFAULT_KECAMATAN_KODE, help="kecamatan code in the region table"
    )
    parser.add_argument(
        "--rate", type=parse_rate, action="append", default=[], metavar="DEFECT=RATE"
    )
    parser.add_argument(
        "--xlsx-share", type=float, default=0.5, help="share of files written as XLSX"
    )
    conventions = parser.add_argument_group(
        "SIKS-NG conventions (dtks.synth.conventions; defaults give the historical output)"
    )
    conventions.add_argument(
        "--iddtks",
        type=parse_iddtks,
        default="person",
        metavar="MODE | VILLAGE=MODE,...",
        help=f"what the IDDTKS column holds: {' / '.join(IDDTKS_MODES)} (others stay person)",
    )
    conventions.add_argument(
        "--nik-from-family", type=float, default=0.0, help="share of rows with a KK member's NIK"
    )
    conventions.add_argument(
        "--nik-from-other-family",
        type=float,
        default=0.0,
        help="share of rows with another family's person's NIK",
    )
    conventions.add_argument(
        "--village-without-nik",
        action="append",
        default=[],
        metavar="VILLAGE",
        help="a village whose files have no NIK and no KK column (repeatable)",
    )
    conventions.add_argument(
        "--kk-changed",
        type=float,
        default=0.0,
        help="share of adult children listed under a new KK after marrying or splitting",
    )
    conventions.add_argument(
        "--defect-scale", type=float, default=1.0, help="row and household defect rates times X"
    )
    desil = parser.add_argument_group("desil ranking lists (dtks.synth.desil; off by default)")
    desil.add_argument(
        "--desil-lists",
        action="store_true",
        help="also write each village's SIKS-NG desil list, truth in <truth stem>_desil.parquet",
    )
    desil.add_argument(
        "--desil-older",
        action="append",
        default=[],
        metavar="VILLAGE",
        help="a village that also gets the previous period's list (repeatable)",
    )
    desil.add_argument(
        "--desil-member-list",
        action="append",
        default=[],
        metavar="VILLAGE",
        help="a village whose list has one row per member (repeatable)",
    )
    desil.add_argument(
        "--desil-xlsx",
        action="append",
        default=[],
        metavar="VILLAGE",
        help="a village whose list is written as XLSX, the others pipe-delimited latin1 CSV",
    )
    register = parser.add_argument_group(
        "village population registers (dtks.synth.register; off by default)"
    )
    register.add_argument(
        "--registers",
        action="store_true",
        help="also write each village's OpenSID population register, truth in "
        "<truth stem>_register.parquet",
    )
    register.add_argument(
        "--register-village",
        action="append",
        default=[],
        metavar="VILLAGE",
        help="only these villages get a register (repeatable; default every village)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        conventions = Conventions(
            iddtks=args.iddtks,
            nik_from_family=args.nik_from_family,
            nik_from_other_family=args.nik_from_other_family,
            villages_without_nik=tuple(args.village_without_nik),
            kk_changed=args.kk_changed,
            defect_scale=args.defect_scale,
        )
        summary = generate(
            people=args.people,
            seed=args.seed,
            out_dir=args.out,
            truth_path=args.truth,
            rates=dict(args.rate),
            xlsx_share=args.xlsx_share,
            kecamatan_kode=args.kecamatan,
            conventions=conventions,
            desil=DesilOptions(
                older_lists=tuple(args.desil_older),
                member_lists=tuple(args.desil_member_list),
                xlsx_villages=tuple(args.desil_xlsx),
            )
            if args.desil_lists
            else None,
            register=RegisterOptions(villages=tuple(args.register_village))
            if args.registers
            else None,
        )
    except (ValueError, KeyError, FileExistsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(summary.as_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
