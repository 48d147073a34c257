"""Headless Chromium for the dashboard and report tests, driven by Playwright for Python.

Browser downloads are impossible here, so Playwright drives Debian's `chromium` through
`executable_path`. The flags keep Chromium off the network (background networking,
component updates and sync would try to reach Google) and allow running as root.
Tests that need a browser take the `browser` fixture from conftest.py; without a
Chromium binary they skip, except under `$CI`, where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

CHROMIUM_ARGS = [
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Where tests save screenshots for people to look at (kept after the run).
ARTEFACTS = Path(__file__).resolve().parent.parent / "test-artefacts"


def chromium_path() -> str | None:
    """The Chromium binary: `$FLASHPOINT_CHROMIUM`, else `chromium` on PATH."""
    return os.environ.get("FLASHPOINT_CHROMIUM") or shutil.which("chromium")


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    """A headless Chromium for the duration of the block."""
    path = chromium_path()
    if path is None:
        raise FileNotFoundError("chromium not found (apt-get install chromium)")
    args = list(CHROMIUM_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium's sandbox refuses to run as root
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=args)
        try:
            yield browser
        finally:
            browser.close()


def artefact(name: str) -> Path:
    """A path under test-artefacts/ for a screenshot or rendered page."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS / name
