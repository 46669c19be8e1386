"""Great Expectations suites: loading the JSON in expectations/, validating a frame, and
writing the validation results as data docs.

Suites are JSON (GX Core 1.x ExpectationSuite). Each expectation names the Dagster check it
belongs to in `meta.check`; the suite's `meta.checks` describes the checks (in English, and
in Bahasa Indonesia as `keterangan`) and says which block the publish; `meta.title` and
`meta.asset` name the suite and its data for people. A check is ERROR when any of its
expectations is `critical`, else WARN.

With a data docs folder, `validate` runs the suite through a file-backed GX context of its
own (`data_docs/.gx/<suite>`: one per suite, so checks running in parallel processes never
write one project's files) and a Checkpoint whose `UpdateDataDocsAction` builds GX's site
under `data_docs/gx/<suite>`; `write_data_docs` then writes the pages in Bahasa Indonesia
(`assets.data_docs`). Without one, an in-memory context validates and nothing is written.

Great Expectations takes seconds to import: it is imported inside `validate` only, never
when the definitions load.
"""

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from assets.data_docs import GX_SITE_DIR, write_pages
from dtks.files import private_dir

SUITES_DIR = Path(__file__).resolve().parents[1] / "expectations"
MAX_EXAMPLES = 10
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": MAX_EXAMPLES}
GX_PROJECTS_DIR = ".gx"  # inside the data docs folder: one file-backed project per suite
DOCS_SITE = "dtks"


# ---------------------------------------------------------------- suites (plain JSON)


@dataclass(frozen=True)
class SuiteCheck:
    """One Dagster check made of the suite's expectations whose `meta.check` is `name`."""

    name: str
    description: str
    blocking: bool
    critical: bool
    keterangan: str = ""  # the description in Bahasa Indonesia


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
    def title(self) -> str:
        """The suite's name for people (Bahasa Indonesia), also its name in GX's pages."""
        return str(self.body["meta"].get("title") or self.name)

    @property
    def asset_name(self) -> str:
        """What the suite validates, for people: GX's data asset name."""
        return str(self.body["meta"].get("asset") or self.body["meta"].get("table") or self.name)

    @property
    def checks(self) -> list[SuiteCheck]:
        critical = {
            e["meta"]["check"]
            for e in self.body["expectations"]
            if e.get("severity", "critical") == "critical"
        }
        return [
            SuiteCheck(
                name,
                str(c["description"]),
                bool(c.get("blocking")),
                name in critical,
                str(c.get("keterangan") or c["description"]),
            )
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
    for label in (suite.title, suite.asset_name):
        if "/" in label or "\\" in label:  # GX names files after them
            raise ValueError(f"suite {name}: no / or \\ in title or asset: {label!r}")
    for check in suite.checks:
        if check.blocking and not check.critical:
            raise ValueError(f"suite {name}: blocking check {check.name} must be critical")
    return suite


# ---------------------------------------------------------------- the GX runner

_GX: dict[str, Any] = {}


def _gx() -> Any:
    """The great_expectations module, imported once (no analytics)."""
    if "gx" not in _GX:
        os.environ["GX_ANALYTICS_ENABLED"] = "False"
        import great_expectations as gx

        _GX["gx"] = gx
    return _GX["gx"]


def _gx_context() -> Any:
    """One ephemeral GX context per process (no analytics, no progress bars)."""
    if "context" not in _GX:
        gx = _gx()
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
        _GX.update(context=context, source=context.data_sources.add_pandas("dtks"))
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


def _docs_context(docs_dir: Path, suite: Suite) -> Any:
    """The suite's file-backed GX project, its one data docs site at `gx/<suite>`."""
    gx = _gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    root = docs_dir / GX_PROJECTS_DIR / suite.name
    private_dir(root)
    context = gx.get_context(mode="file", project_root_dir=str(root))
    if context.variables.progress_bars != ProgressBarsConfig(globally=False):
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.variables.save()
    site_dir = str(docs_dir / GX_SITE_DIR / suite.name)
    sites = context.get_config().data_docs_sites or {}
    if (
        list(sites) != [DOCS_SITE]
        or sites[DOCS_SITE]["store_backend"]["base_directory"] != site_dir
    ):
        for name in list(sites):
            context.delete_data_docs_site(name)
        context.add_data_docs_site(
            site_name=DOCS_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": site_dir,
                },
            },
        )
    return context


def _docs_checkpoint(docs_dir: Path, suite: Suite) -> tuple[Any, Any]:
    """A checkpoint validating `suite` on a dataframe and updating the data docs site, and
    its context; made once per process and suite version (names for people: the suite's
    title and asset)."""
    key = f"docs:{docs_dir}:{suite.name}:{suite.fingerprint}"
    if key not in _GX:
        gx = _gx()
        context = _docs_context(docs_dir, suite)
        body = {**json.loads(json.dumps(suite.body)), "name": suite.title}  # GX changes it
        gx_suite = context.suites.add_or_update(gx.ExpectationSuite(**body))
        source = context.data_sources.add_or_update_pandas("dtks")
        asset = next((a for a in source.assets if a.name == suite.asset_name), None)
        asset = asset or source.add_dataframe_asset(suite.asset_name)
        batch = next((b for b in asset.batch_definitions if b.name == "seluruh tabel"), None)
        batch = batch or asset.add_batch_definition_whole_dataframe("seluruh tabel")
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite.title, data=batch, suite=gx_suite)
        )
        checkpoint = context.checkpoints.add_or_update(
            gx.Checkpoint(
                name=suite.title,
                validation_definitions=[definition],
                actions=[
                    gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=[DOCS_SITE])
                ],
                result_format=RESULT_FORMAT,
            )
        )
        _GX[key] = (checkpoint, context)
    return _GX[key]


def _forget_earlier_results(context: Any, site_dir: Path) -> None:
    """Only the latest validation of a suite is kept and shown: the store and the site's
    validation pages start empty for each run."""
    store = context.validation_results_store
    for key in store.list_keys():
        store.remove_key(key)
    shutil.rmtree(site_dir / "validations", ignore_errors=True)


def validate(
    suite: Suite,
    frame: pl.DataFrame,
    parameters: dict[str, Any] | None = None,
    docs_dir: Path | None = None,
) -> Any:
    """Run `suite` on `frame` with GX Core; the ExpectationSuiteValidationResult.

    GX sees only the columns the expectations read (Arrow-backed pandas, the fastest to
    convert); results carry counts and the first unexpected values, and `check_outcomes`
    finds example rows for them. With `docs_dir`, through the suite's checkpoint, which
    also builds GX's data docs pages of this validation (see the module docstring).
    """
    validated = frame.select(*suite.validated_columns).to_pandas(use_pyarrow_extension_array=True)
    if docs_dir is None:
        return _validation_definition(suite).run(
            batch_parameters={"dataframe": validated},
            expectation_parameters=parameters or {},
            result_format=RESULT_FORMAT,
        )
    checkpoint, context = _docs_checkpoint(docs_dir, suite)
    _forget_earlier_results(context, docs_dir / GX_SITE_DIR / suite.name)
    result = checkpoint.run(
        batch_parameters={"dataframe": validated}, expectation_parameters=parameters or {}
    )
    return next(iter(result.run_results.values()))


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
    """The suite's page in Bahasa Indonesia (`<suite>.html`, with masked example rows and
    links to GX's pages built by `validate`), its status, and the index; GX's pages made to
    open offline. Returns the suite's page."""
    validated_at = result.meta.get("validation_time") or datetime.now(UTC)
    if not isinstance(validated_at, datetime):
        validated_at = datetime.fromisoformat(str(validated_at))
    return write_pages(docs_dir, suite, outcomes, validated_at.astimezone(UTC))
