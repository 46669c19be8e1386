"""Data docs a data office can open offline, in Bahasa Indonesia.

Under `$DTKS_CURATED_DIR/data_docs/`:

- `index.html`: every check of every suite, telling blocking failures (the publish was
  stopped) from warnings (for the village operators) and passes; in Bahasa Indonesia;
- `<suite>.html`: one suite's checks with masked example rows, linking GX's pages;
- `gx/<suite>/`: the site Great Expectations builds itself (a file-backed context and its
  `UpdateDataDocsAction`, see `assets.gx_suites.validate`);
- `static/vendor/`: Bootstrap, jQuery and Font Awesome, copied at build time from the
  XStatic packages (PyPI dependencies), never fetched: GX's pages point at public CDNs,
  and `make_offline` points them here instead (and drops the scripts nothing shipped
  provides: Vega for charts, bootstrap-table for sorting), so they render with no network.

The suites validate derived facts (shapes, masked values, counts), so no page holds a full
NIK, KK number or mother's name.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from dtks.files import private_dir, write_text_atomically

if TYPE_CHECKING:  # assets.gx_suites imports this module
    from assets.gx_suites import CheckOutcome, Suite

LOCAL_TIME = ZoneInfo("Asia/Jakarta")
GX_SITE_DIR = "gx"
VENDOR_DIR = "static/vendor"


@dataclass(frozen=True)
class VendorAsset:
    """A file (or folder) of an XStatic package copied to `static/vendor/<target>`."""

    package: str  # xstatic.pkg.<package>
    source: str  # inside the package's BASE_DIR
    target: str  # inside static/vendor


VENDOR_ASSETS = (
    VendorAsset("bootstrap", "css/bootstrap.min.css", "bootstrap/css/bootstrap.min.css"),
    VendorAsset("bootstrap", "js/bootstrap.bundle.min.js", "bootstrap/js/bootstrap.bundle.min.js"),
    VendorAsset("jquery", "jquery.min.js", "jquery/jquery.min.js"),
    VendorAsset("font_awesome", "css/all.min.css", "font-awesome/css/all.min.css"),
    VendorAsset("font_awesome", "webfonts", "font-awesome/webfonts"),
)
BOOTSTRAP_CSS = "bootstrap/css/bootstrap.min.css"

# What GX's page templates load from the web, and the shipped file that replaces it (None:
# the tag is dropped). Matched on the URL's path; a URL not listed is dropped too.
CDN_REPLACEMENTS: tuple[tuple[str, str | None], ...] = (
    (r"/bootstrap(?:@[\d.]+/dist|/[\d.]+)?/css/bootstrap\.min\.css", BOOTSTRAP_CSS),
    (
        r"/bootstrap(?:@[\d.]+/dist|/[\d.]+)?/js/bootstrap\.min\.js",
        "bootstrap/js/bootstrap.bundle.min.js",
    ),
    (r"jquery-[\d.]+\.min\.js", "jquery/jquery.min.js"),
    (r"font-awesome/[\d.]+/css/all\.min\.css", "font-awesome/css/all.min.css"),
    (r"popper\.js/", None),  # inside Bootstrap's bundle
)
ASSET_TAG = re.compile(
    r"<script\b[^>]*\bsrc=\"(https?://[^\"]+)\"[^>]*>\s*</script>"
    r"|<link\b[^>]*\bhref=\"(https?://[^\"]+)\"[^>]*>"
    r"|<img\b[^>]*\bsrc=\"(https?://[^\"]+)\"[^>]*>",
    re.IGNORECASE,
)
GX_LOGO = "static/images/logo-long.png"  # shipped by GX in every site
GX_STATIC_REF = re.compile(r'\b(src|href)="((?:\.\./)*static/[^"]+)"')


# ---------------------------------------------------------------- offline assets


def copy_vendor_assets(docs_dir: Path) -> Path:
    """Copy the page assets from their installed packages to `docs_dir/static/vendor`."""
    import importlib

    vendor = docs_dir / VENDOR_DIR
    for asset in VENDOR_ASSETS:
        package = importlib.import_module(f"xstatic.pkg.{asset.package}")
        source, target = Path(package.BASE_DIR) / asset.source, vendor / asset.target
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, target)
    return vendor


def make_offline(page: Path, docs_dir: Path) -> None:
    """Point a page GX wrote at the shipped assets instead of public CDNs."""
    text = page.read_text(encoding="utf-8")
    up = os.path.relpath(docs_dir, page.parent)
    site_root = next(p for p in page.parents if p.parent.name == GX_SITE_DIR)

    def local(match: re.Match[str]) -> str:
        url = next(g for g in match.groups() if g)
        tag = match.group(0)
        if tag.lower().startswith("<img"):  # GX's logo, from its own static files
            logo = os.path.relpath(site_root / GX_LOGO, page.parent)
            return tag.replace(url, logo)
        for pattern, shipped in CDN_REPLACEMENTS:
            if re.search(pattern, url):
                if shipped is None:
                    return ""
                stripped = re.sub(r'\s(integrity|crossorigin)="[^"]*"', "", tag)
                return stripped.replace(url, f"{up}/{VENDOR_DIR}/{shipped}")
        return ""

    def found(match: re.Match[str]) -> str:
        """GX's own static files, at the right depth (its favicon link on validation pages
        climbs one folder too few)."""
        path = match.group(2)
        if (page.parent / path).exists():
            return match.group(0)
        static = path[path.index("static/") :]
        return f'{match.group(1)}="{os.path.relpath(site_root / static, page.parent)}"'

    offline = GX_STATIC_REF.sub(found, ASSET_TAG.sub(local, text))
    if offline != text:
        _write_atomic(page, offline)


def name_data_asset(page: Path, asset_name: str) -> None:
    """GX's validation page says "Data asset: None" for a dataframe asset (its renderer reads
    the name from the batch spec, which a dataframe batch lacks): put the asset's name."""
    text = page.read_text(encoding="utf-8")
    named = text.replace("Data asset: None", f"Data asset: {html.escape(asset_name)}")
    if named != text:
        _write_atomic(page, named)


def remote_asset_urls(text: str) -> list[str]:
    """The http(s) URLs a page would fetch (scripts, style sheets, images)."""
    return [next(g for g in m.groups() if g) for m in ASSET_TAG.finditer(text)]


# ---------------------------------------------------------------- pages in Bahasa Indonesia

VERDICTS = {
    "blocking": ("Gagal - terbitan dihentikan", "danger"),
    "error": ("Gagal", "danger"),
    "warning": ("Peringatan", "warning"),
    "passed": ("Lulus", "success"),
}


def verdict(passed: bool, blocking: bool, critical: bool) -> str:
    """`blocking` (the publish was stopped), `error`, `warning` or `passed`."""
    if passed:
        return "passed"
    if blocking:
        return "blocking"
    return "error" if critical else "warning"


def suite_status(
    suite: Suite, outcomes: list[CheckOutcome], validated_at: datetime, gx_pages: dict[str, str]
) -> dict[str, Any]:
    """What the index needs of one suite, kept as `<suite>.status.json` beside its page."""
    return {
        "suite": suite.name,
        "title": suite.title,
        "asset": suite.asset_name,
        "validated_at": validated_at.isoformat(timespec="seconds"),
        "gx_pages": gx_pages,
        "checks": {
            o.check.name: {
                "keterangan": o.check.keterangan,
                "verdict": verdict(o.passed, o.check.blocking, o.check.critical),
                "rows": o.rows,
                "unexpected": o.unexpected,
            }
            for o in outcomes
        },
    }


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(LOCAL_TIME).strftime("%d-%m-%Y %H:%M WIB")


def _badge(kind: str) -> str:
    label, colour = VERDICTS[kind]
    return f'<span class="badge badge-{colour} verdict-{kind}">{html.escape(label)}</span>'


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        f'<link rel="stylesheet" href="{VENDOR_DIR}/{BOOTSTRAP_CSS}">'
        "<style>body{padding:1.5rem} td,th{vertical-align:top!important} "
        ".badge{font-size:.9rem} .small-muted{color:#6c757d;font-size:.9rem}</style>"
        f'</head><body><div class="container-fluid">{body}</div></body></html>'
    )


EXPLANATION = (
    "<p><b>Gagal - terbitan dihentikan</b>: pemeriksaan yang melindungi analis tidak lulus; "
    "file kecamatan.duckdb tidak diganti dan terbitan sebelumnya tetap dipakai. Staf data "
    "harus menanganinya sebelum menjalankan ulang.<br><b>Peringatan</b>: masalah pada data "
    "yang dikirim desa; terbitan tetap berjalan dan masalahnya masuk daftar perbaikan "
    "(reports/&lt;desa&gt;.xlsx) untuk operator desa.<br><b>Lulus</b>: tidak ada masalah.</p>"
    '<p class="small-muted">NIK dan Nomor KK hanya tampil tersamar; nama ibu kandung tidak '
    "tampil. Halaman ini dan semua berkasnya ada di folder ini: bisa dibuka tanpa internet.</p>"
)


def index_page(statuses: list[dict[str, Any]]) -> str:
    """The index: what stopped the publish, what the operators must fix, what passed."""
    counts = {k: 0 for k in VERDICTS}
    for status in statuses:
        for check in status["checks"].values():
            counts[check["verdict"]] += 1
    blocking = counts["blocking"]
    headline = (
        f'<div class="alert alert-danger"><b>{blocking} pemeriksaan gagal dan menghentikan '
        "terbitan.</b> Lihat baris merah di bawah.</div>"
        if blocking
        else '<div class="alert alert-success"><b>Tidak ada pemeriksaan yang menghentikan '
        "terbitan.</b></div>"
    )
    summary = (
        f"<p>{_badge('blocking')} {blocking} &nbsp; {_badge('error')} {counts['error']} "
        f"&nbsp; {_badge('warning')} {counts['warning']} &nbsp; {_badge('passed')} "
        f"{counts['passed']}</p>"
    )
    rows = []
    order = {k: i for i, k in enumerate(VERDICTS)}
    checks = sorted(
        ((status, name, check) for status in statuses for name, check in status["checks"].items()),
        key=lambda found: order[found[2]["verdict"]],  # what stopped the publish first
    )
    for status, name, check in checks:
        css = {"blocking": "table-danger", "warning": "table-warning"}.get(check["verdict"], "")
        rows.append(
            f'<tr class="{css}"><td><a href="{html.escape(status["suite"])}.html">'
            f"{html.escape(status['title'])}</a></td>"
            f"<td>{html.escape(check['keterangan'])}<br>"
            f'<span class="small-muted">{html.escape(name)}</span></td>'
            f"<td>{_badge(check['verdict'])}</td>"
            f'<td class="text-right">{_angka(check["rows"])}</td>'
            f'<td class="text-right">{_angka(check["unexpected"])}</td>'
            f"<td>{html.escape(_when(status['validated_at']))}</td></tr>"
        )
    table = (
        '<table class="table table-sm table-bordered"><thead class="thead-light"><tr>'
        "<th>Data</th><th>Pemeriksaan</th><th>Hasil</th><th>Baris diperiksa</th>"
        "<th>Baris bermasalah</th><th>Diperiksa pada</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )
    body = (
        "<h1>Hasil pemeriksaan data DTKS</h1>"
        + headline
        + summary
        + EXPLANATION
        + table
        + '<p class="small-muted">Rincian teknis (Great Expectations, dalam bahasa Inggris): '
        + " ".join(
            f'<a href="{html.escape(s["gx_pages"].get("validation", ""))}">'
            f"{html.escape(s['title'])}</a> &middot;"
            for s in statuses
            if s.get("gx_pages")
        )
        + "</p>"
    )
    return _page("Hasil pemeriksaan data DTKS", body)


def suite_page(suite: Suite, status: dict[str, Any], outcomes: list[CheckOutcome]) -> str:
    """One suite: its checks with their verdicts and masked example rows, and GX's pages."""
    parts = [
        '<p><a href="index.html">&larr; Semua pemeriksaan</a></p>',
        f"<h1>{html.escape(suite.title)}</h1>",
        f'<p class="small-muted">Data: {html.escape(suite.asset_name)}. '
        f"Diperiksa pada {html.escape(_when(status['validated_at']))}.</p>",
        EXPLANATION,
    ]
    pages = status.get("gx_pages") or {}
    if pages:
        parts.append(
            '<p>Rincian teknis dari Great Expectations: <a href="'
            f'{html.escape(pages.get("validation", ""))}">hasil validasi</a>, '
            f'<a href="{html.escape(pages.get("suite", ""))}">daftar aturan</a>.</p>'
        )
    for o in outcomes:
        kind = status["checks"][o.check.name]["verdict"]
        parts.append(
            f"<h3>{html.escape(o.check.keterangan)} {_badge(kind)}</h3>"
            f'<p class="small-muted">{html.escape(o.check.name)}: '
            f"{_angka(o.unexpected)} dari {_angka(o.rows)} baris bermasalah.</p>"
        )
        if o.examples:
            columns = list(o.examples[0])
            head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
            body = "".join(
                "<tr>" + "".join(f"<td>{html.escape(e.get(c, ''))}</td>" for c in columns) + "</tr>"
                for e in o.examples
            )
            parts.append(
                "<p>Contoh baris (disamarkan):</p>"
                f'<table class="table table-sm table-bordered"><thead class="thead-light">'
                f"<tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            )
    return _page(f"{suite.title} - hasil pemeriksaan", "\n".join(parts))


def _angka(value: int) -> str:
    return f"{int(value):,}".replace(",", ".")


def read_statuses(docs_dir: Path) -> list[dict[str, Any]]:
    statuses = []
    for path in sorted(docs_dir.glob("*.status.json")):
        status = json.loads(path.read_text(encoding="utf-8"))
        if "title" in status:  # written by this code (older files lack verdicts)
            statuses.append(status)
    return statuses


def _write_atomic(path: Path, text: str) -> None:
    write_text_atomically(path, text)


def write_pages(
    docs_dir: Path, suite: Suite, outcomes: list[CheckOutcome], validated_at: datetime
) -> Path:
    """The suite's page, its status and the index; GX's pages of the suite made offline."""
    private_dir(docs_dir)
    copy_vendor_assets(docs_dir)
    site = docs_dir / GX_SITE_DIR / suite.name
    gx_pages: dict[str, str] = {}
    for page in sorted(site.rglob("*.html")) if site.exists() else []:
        make_offline(page, docs_dir)
        relative = quote(page.relative_to(docs_dir).as_posix())
        if "/validations/" in relative:
            name_data_asset(page, suite.asset_name)
            gx_pages["validation"] = relative
        elif "/expectations/" in relative:
            gx_pages["suite"] = relative
    status = suite_status(suite, outcomes, validated_at, gx_pages)
    _write_atomic(docs_dir / f"{suite.name}.status.json", json.dumps(status, indent=1))
    path = docs_dir / f"{suite.name}.html"
    _write_atomic(path, suite_page(suite, status, outcomes))
    _write_atomic(docs_dir / "index.html", index_page(read_statuses(docs_dir)))
    return path
