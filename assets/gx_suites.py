"""Great Expectations suites: loading the JSON in expectations/, validating a frame, and
writing the validation results as data docs.

Suites are JSON (GX Core 1.x ExpectationSuite). Each expectation names the Dagster check it
belongs to in `meta.check`; the suite's `meta.checks` describes the checks and says which
block the publish. A check is ERROR when any of its expectations is `critical`, else WARN.

Great Expectations takes seconds to import: it is imported inside `validate` only, never
when the definitions load.
"""

import hashlib
import html
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from dtks.files import private_dir, write_text_atomically

SUITES_DIR = Path(__file__).resolve().parents[1] / "expectations"
MAX_EXAMPLES = 10


# ---------------------------------------------------------------- suites (plain JSON)


@dataclass(frozen=True)
class SuiteCheck:
    """One Dagster check made of the suite's expectations whose `meta.check` is `name`."""

    name: str
    description: str
    blocking: bool
    critical: bool


@dataclass(frozen=True)
class Suite:
    name: str
    body: dict[str, Any]

    @property
    def index_columns(self) -> list[str]:
        return list(self.body["meta"]["index_columns"])

    @property
    def description(self) -> str:
        return str(self.body["meta"].get("description", ""))

    @property
    def checks(self) -> list[SuiteCheck]:
        critical = {
            e["meta"]["check"]
            for e in self.body["expectations"]
            if e.get("severity", "critical") == "critical"
        }
        return [
            SuiteCheck(name, str(c["description"]), bool(c.get("blocking")), name in critical)
            for name, c in self.body["meta"]["checks"].items()
        ]

    @property
    def validated_columns(self) -> list[str]:
        """The columns the expectations read, in order of first use."""
        columns: list[str] = []
        for e in self.body["expectations"]:
            kwargs = e["kwargs"]
            for key in ("column", "column_A", "column_B"):
                if key in kwargs and kwargs[key] not in columns:
                    columns.append(kwargs[key])
        return columns

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.body, sort_keys=True).encode()).hexdigest()[:12]


def load_suite(name: str, suites_dir: Path = SUITES_DIR) -> Suite:
    """The suite `expectations/<name>.json`, checked for consistency."""
    suite = Suite(name, json.loads((suites_dir / f"{name}.json").read_text(encoding="utf-8")))
    declared = {c.name for c in suite.checks}
    used = {e["meta"]["check"] for e in suite.body["expectations"]}
    if declared != used:
        raise ValueError(f"suite {name}: checks declared {sorted(declared)} != used {sorted(used)}")
    for check in suite.checks:
        if check.blocking and not check.critical:
            raise ValueError(f"suite {name}: blocking check {check.name} must be critical")
    return suite


# ---------------------------------------------------------------- the GX runner

_GX: dict[str, Any] = {}


def _gx_context() -> Any:
    """One ephemeral GX context per process (no analytics, no progress bars)."""
    if "context" not in _GX:
        os.environ["GX_ANALYTICS_ENABLED"] = "False"
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            progress_bars=ProgressBarsConfig(globally=False),
            analytics_enabled=False,
        )
        context = gx.get_context(mode="ephemeral", project_config=config)
        _GX.update(gx=gx, context=context, source=context.data_sources.add_pandas("dtks"))
    return _GX["context"]


def _validation_definition(suite: Suite) -> Any:
    """The suite's validation definition (a pandas dataframe asset, whole-frame batch)."""
    context = _gx_context()
    key = f"{suite.name}-{suite.fingerprint}"
    if key not in _GX:
        gx = _GX["gx"]
        body = {**suite.body, "name": key}
        gx_suite = context.suites.add(gx.ExpectationSuite(**body))
        batch = _GX["source"].add_dataframe_asset(key).add_batch_definition_whole_dataframe(key)
        _GX[key] = context.validation_definitions.add(
            gx.ValidationDefinition(name=key, data=batch, suite=gx_suite)
        )
    return _GX[key]


def validate(suite: Suite, frame: pl.DataFrame, parameters: dict[str, Any] | None = None) -> Any:
    """Run `suite` on `frame` with GX Core; the ExpectationSuiteValidationResult.

    GX sees only the columns the expectations read (Arrow-backed pandas, the fastest to
    convert); results carry counts and the first unexpected values, and `check_outcomes`
    finds example rows for them.
    """
    definition = _validation_definition(suite)
    validated = frame.select(*suite.validated_columns).to_pandas(use_pyarrow_extension_array=True)
    return definition.run(
        batch_parameters={"dataframe": validated},
        expectation_parameters=parameters or {},
        result_format={"result_format": "BASIC", "partial_unexpected_count": MAX_EXAMPLES},
    )


@dataclass
class CheckOutcome:
    """What one check found: pass/fail, counts, per-expectation lines, masked examples."""

    check: SuiteCheck
    passed: bool
    rows: int
    unexpected: int
    expectations: list[dict[str, Any]]
    examples: list[dict[str, str]]


def _plain(value: Any) -> str:
    return "null" if value is None else str(value)


def example_rows(
    frame: pl.DataFrame,
    expectation: dict[str, Any],
    unexpected: list[Any],
    index_columns: list[str],
) -> list[dict[str, str]]:
    """Rows of `frame` holding the unexpected values GX reported (nulls for not-null rules),
    shown by the suite's index columns (lineage, masked values) and the checked columns.

    For map expectations a value is unexpected wherever it occurs, so these are rows that
    failed; at most MAX_EXAMPLES of them.
    """
    kwargs = expectation["kwargs"]
    checked = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
    if expectation["type"] == "expect_column_values_to_not_be_null":
        condition = pl.col(checked[0]).is_null()
    elif not unexpected:
        return []
    elif len(checked) == 1:
        values = pl.Series(unexpected).cast(frame.schema[checked[0]], strict=False)
        condition = pl.col(checked[0]).is_in(values.implode())
    else:
        pairs = pl.DataFrame([list(p) for p in unexpected], schema=checked, orient="row")
        found = frame.join(pairs.cast(frame.select(checked).schema, strict=False), on=checked)
        return _shown(found, [*checked, *index_columns])
    return _shown(frame.filter(condition), [*checked, *index_columns])


def _shown(rows: pl.DataFrame, columns: list[str]) -> list[dict[str, str]]:
    unique = list(dict.fromkeys(c for c in columns if c in rows.columns))
    return [
        {k: _plain(v) for k, v in r.items()}
        for r in rows.head(MAX_EXAMPLES).select(unique).to_dicts()
    ]


def check_outcomes(suite: Suite, result: Any, frame: pl.DataFrame) -> list[CheckOutcome]:
    """The validation result split by check, in the suite's order, with example rows."""
    results = json.loads(json.dumps(result.to_json_dict(), default=str))["results"]
    outcomes = []
    for check in suite.checks:
        mine = [r for r in results if r["expectation_config"]["meta"].get("check") == check.name]
        lines, examples = [], []
        for r in mine:
            config, found = r["expectation_config"], r.get("result") or {}
            kwargs = {k: v for k, v in config["kwargs"].items() if k != "batch_id"}
            column = kwargs.get("column") or f"{kwargs.get('column_A')} = {kwargs.get('column_B')}"
            lines.append(
                {
                    "expectation": config["type"],
                    "column": column,
                    "success": bool(r["success"]),
                    "unexpected": int(found.get("unexpected_count") or 0),
                    "missing": int(found.get("missing_count") or 0),
                }
            )
            if not r["success"] and len(examples) < MAX_EXAMPLES:
                unexpected = found.get("partial_unexpected_list") or []
                rows = example_rows(frame, config, unexpected, suite.index_columns)
                examples += rows[: MAX_EXAMPLES - len(examples)]
        outcomes.append(
            CheckOutcome(
                check=check,
                passed=all(line["success"] for line in lines),
                rows=max(
                    (int((r.get("result") or {}).get("element_count") or 0) for r in mine),
                    default=frame.height,
                ),
                unexpected=sum(line["unexpected"] for line in lines),
                expectations=lines,
                examples=examples,
            )
        )
    return outcomes


# ---------------------------------------------------------------- data docs


def write_data_docs(
    docs_dir: Path, suite: Suite, result: Any, outcomes: list[CheckOutcome]
) -> Path:
    """GX's validation-results page for `suite` (plus masked example rows) and the index page."""
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    renderable = _nulls_as_none(result)
    page = DefaultJinjaPageView().render(ValidationResultsPageRenderer().render(renderable))
    extra = _examples_section(suite, outcomes)
    at = page.rfind("</body>")
    page = page[:at] + extra + page[at:] if at >= 0 else page + extra
    private_dir(docs_dir)
    path = docs_dir / f"{suite.name}.html"
    _write_atomic(path, page)
    status = {
        "suite": suite.name,
        "validated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "checks": {
            o.check.name: {"passed": o.passed, "unexpected": o.unexpected} for o in outcomes
        },
    }
    _write_atomic(docs_dir / f"{suite.name}.status.json", json.dumps(status, indent=1))
    _write_atomic(docs_dir / "index.html", _index_page(docs_dir))
    return path


def _nulls_as_none(result: Any) -> Any:
    """`result` with pandas' NA in unexpected values turned into None.

    GX's renderer tests unexpected values for truth, which pd.NA (what Arrow-backed frames
    give for a missing value) refuses: the page would lose its tables and GX would print a
    traceback to the run's output.
    """
    import pandas as pd

    def plain(value: Any) -> Any:
        return None if value is pd.NA else value

    for line in result.results:
        details = line.result or {}
        if "partial_unexpected_list" in details:
            details["partial_unexpected_list"] = [
                plain(v) for v in details["partial_unexpected_list"]
            ]
        for item in details.get("partial_unexpected_counts") or []:
            if isinstance(item, dict) and "value" in item:
                item["value"] = plain(item["value"])
    return result


def _examples_section(suite: Suite, outcomes: list[CheckOutcome]) -> str:
    parts = [
        '<div class="container"><h2>Checks and example rows (masked)</h2>',
        f"<p>{html.escape(suite.description)}</p>",
        '<p><a href="index.html">All suites</a></p>',
    ]
    for o in outcomes:
        verdict = "passed" if o.passed else "FAILED"
        kind = "blocking" if o.check.blocking else ("error" if o.check.critical else "warning")
        parts.append(
            f"<h3>{html.escape(o.check.name)}: {verdict} ({kind})</h3>"
            f"<p>{html.escape(o.check.description)} Rows: {o.rows}, unexpected: {o.unexpected}.</p>"
        )
        if o.examples:
            columns = list(o.examples[0])
            head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
            body = "".join(
                "<tr>" + "".join(f"<td>{html.escape(e.get(c, ''))}</td>" for c in columns) + "</tr>"
                for e in o.examples
            )
            parts.append(f'<table class="table table-sm"><tr>{head}</tr>{body}</table>')
    parts.append("</div>")
    return "\n".join(parts)


def _index_page(docs_dir: Path) -> str:
    rows = []
    for status_file in sorted(docs_dir.glob("*.status.json")):
        status = json.loads(status_file.read_text(encoding="utf-8"))
        suite = html.escape(status["suite"])
        for name, c in status["checks"].items():
            verdict = "passed" if c["passed"] else "FAILED"
            rows.append(
                f'<tr><td><a href="{suite}.html">{suite}</a></td><td>{html.escape(name)}</td>'
                f"<td>{verdict}</td><td>{int(c['unexpected'])}</td>"
                f"<td>{html.escape(status['validated_at'])}</td></tr>"
            )
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>DTKS data docs</title></head>'
        "<body><h1>DTKS validation results</h1><table border=1 cellpadding=4>"
        "<tr><th>suite</th><th>check</th><th>result</th><th>unexpected rows</th>"
        "<th>validated at (UTC)</th></tr>" + "".join(rows) + "</table></body></html>"
    )


def _write_atomic(path: Path, text: str) -> None:
    write_text_atomically(path, text)
