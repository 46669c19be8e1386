"""The command line writes a sample and rejects bad arguments with a clear message."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from dtks.synth.__main__ import main, parse_rate


def test_cli_writes_exports_and_truth(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "--people",
            "300",
            "--seed",
            "1",
            "--out",
            str(tmp_path / "raw"),
            "--truth",
            str(tmp_path / "truth.parquet"),
            "--rate",
            "nik_missing=0.2",
            "--xlsx-share",
            "0.3",
        ]
    )
    assert code == 0
    assert (tmp_path / "truth.parquet").is_file()
    assert "data rows" in capsys.readouterr().out


def test_cli_rejects_an_unknown_defect(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "--people",
            "10",
            "--seed",
            "1",
            "--out",
            str(tmp_path / "raw"),
            "--truth",
            str(tmp_path / "t.parquet"),
            "--rate",
            "nik_mising=0.2",
        ]
    )
    assert code == 2
    assert "unknown defect 'nik_mising'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [("nik_missing=0.05", ("nik_missing", 0.05)), ("all=0", ("all", 0.0))],
)
def test_parse_rate(text: str, expected: tuple[str, float]) -> None:
    assert parse_rate(text) == expected


@pytest.mark.parametrize("text", ["nik_missing", "nik_missing=lots"])
def test_parse_rate_rejects_malformed_text(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_rate(text)
