"""Open the data docs of a run in headless Chromium with no network and keep screenshots.

    .venv/bin/python bench/screenshot_data_docs.py                  # data/curated/data_docs
    .venv/bin/python bench/screenshot_data_docs.py --docs /tmp/c/data_docs --out /tmp/shots

Each page (the index, every suite's page, GX's validation pages) is rendered by Chromium
started in a network namespace of its own (`unshare -n`: no interface but loopback), so a
page that still needs a CDN shows up unstyled in its screenshot. Look at the PNGs.
Needs the Debian package chromium (`apt-get install -y chromium`) and root for `unshare`.
Not run by CI.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
]


def screenshot(page: Path, png: Path, size: str) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is missing: apt-get install -y chromium")
    offline = ["unshare", "-n"] if shutil.which("unshare") else []
    with tempfile.TemporaryDirectory(prefix="chromium_") as profile:
        subprocess.run(
            [*offline, chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
            + [f"--window-size={size}", f"--screenshot={png}", page.resolve().as_uri()],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=Path("data/curated/data_docs"))
    parser.add_argument("--out", type=Path, default=Path("/tmp/data_docs_shots"))
    parser.add_argument("--size", default="1280,1100", help="window width,height in pixels")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = [args.docs / "index.html", *sorted(args.docs.glob("*.html"))]
    pages += sorted(args.docs.glob("gx/*/validations/**/*.html"))
    for page in dict.fromkeys(pages):
        parts = page.relative_to(args.docs).parts
        name = f"gx_{parts[1]}_validation" if parts[0] == "gx" else page.stem
        png = args.out / f"{name}.png"
        screenshot(page, png, args.size)
        print(f"{page.relative_to(args.docs)} -> {png}")


if __name__ == "__main__":
    main()
