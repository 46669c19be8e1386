"""The `>>>` examples in module and function docstrings run and print what they say.

Every module of dtks/, assets/ and pipelines/ whose source holds `>>>` is collected, so an
example added later is run too; an example that cannot run (a sketch with undefined names,
a `+SKIP`) fails here.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("dtks", "assets", "pipelines")


def modules_with_examples() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if ">>>" in path.read_text(encoding="utf-8"):
                parts = path.relative_to(ROOT).with_suffix("").parts
                found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


MODULES = modules_with_examples()


def test_the_examples_are_found() -> None:
    assert "dtks.match.dedupe" in MODULES and "dtks.reports" in MODULES
    assert len(MODULES) >= 19


@pytest.mark.parametrize("name", MODULES)
def test_module_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    source = Path(module.__file__).read_text(encoding="utf-8")
    assert "+SKIP" not in source, f"{name}: an example is skipped; make it run"
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = [t for t in finder.find(module, name) if t.examples]
    assert tests, f"{name} has '>>>' but doctest finds no example in its docstrings"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
