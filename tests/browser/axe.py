"""Pages in headless Chromium, checked with axe-core: reusable by any test that renders HTML.

The browser is Debian's ``chromium`` package (``/usr/bin/chromium``, or $PARTICIPATIE_CHROMIUM),
driven by Playwright for Python; Playwright's own browser downloads are never used. axe-core is
the npm package, installed by ``make test-browser`` into ``.cache/browser/node_modules`` (or
$PARTICIPATIE_AXE names its ``axe.min.js``) and injected into each page.

    with chromium() as browser:
        page = open_page(browser, html)
        assert axe_violations(page) == []

:func:`skip_unless_available` skips a test, saying what is missing, when the browser, axe-core
or Playwright is not there; under $PARTICIPATIE_BROWSER_REQUIRED (``make test-browser`` sets it)
it fails instead, so that a run meant to check pages cannot pass without checking them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PARTICIPATIE_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(
    os.environ.get("PARTICIPATIE_AXE", ROOT / ".cache/browser/node_modules/axe-core/axe.min.js")
)
#: Where tests write what a person may want to look at afterwards (screenshots); git ignores it.
ARTEFACTS = ROOT / "artefacts" / "browser"

#: Headless, and without anything that reaches the network or the GPU on its own.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
#: The axe-core rules of WCAG 2.0 and 2.1 at levels A and AA (what EN 301 549 asks of a public
#: body's pages).
WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: A desktop window: the top of a page as a screenshot shows it.
VIEWPORT = {"width": 1280, "height": 900}


def missing() -> str | None:
    """What is missing to check pages in a browser, or None when nothing is."""
    try:
        import playwright.sync_api  # noqa: F401, PLC0415
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[browser]')"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or make test-browser)"
    if not AXE.is_file():
        return f"no axe-core at {AXE} (npm install axe-core, or make test-browser)"
    return None


def skip_unless_available() -> None:
    """Skip the calling test when something is missing (fail under
    $PARTICIPATIE_BROWSER_REQUIRED)."""
    reason = missing()
    if reason is None:
        return
    if os.environ.get("PARTICIPATIE_BROWSER_REQUIRED"):
        pytest.fail(f"browser tests required, but {reason}")
    pytest.skip(f"browser test: {reason}")


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Chromium (the system's), closed afterwards."""
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Browser, html: str) -> Page:
    """A new page showing ``html`` (a whole document), with axe-core injected."""
    page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
    page.set_content(html, wait_until="load")
    page.add_script_tag(path=str(AXE))
    return page


def axe_violations(page: Page, tags: tuple[str, ...] = WCAG_21_AA) -> list[dict[str, Any]]:
    """What axe-core finds wrong on the page under the rules of ``tags`` (none: an empty list)."""
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        list(tags),
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """The violations as lines a person can act on: rule, impact, help and the elements."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines += [f"    {' '.join(node['target'])}" for node in violation["nodes"][:5]]
    return "\n".join(lines)


def screenshot(page: Page, name: str) -> Path:
    """The top of the page (one window) as ``artefacts/browser/<name>.png``."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
