"""Helpers for the browser tests (Playwright driving Debian's Chromium); the fixtures are in conftest.py.

Screenshots of a failing page go to test-results/. With COPYDESK_SCREENSHOTS=1 every
test also saves its key screens at 1280 and 768 pixels wide, to look at them.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
RESULTS = Path(__file__).resolve().parent.parent / "test-results"
WIDTHS = {"desktop": 1280, "tablet": 768}


# Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
# itself (fixtures, run_job) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def screenshots_on_failure(test: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            test(*args, **kwargs)
        except BaseException:
            RESULTS.mkdir(exist_ok=True)
            for i, context in enumerate(kwargs["open_page"].contexts):
                for j, page in enumerate(context.pages):
                    page.screenshot(path=str(RESULTS / f"{test.__name__}-{i}-{j}.png"), full_page=True)
            raise

    return wrapper


def look(page: Any, name: str) -> None:
    """Save the current screen at both widths when asked to (COPYDESK_SCREENSHOTS=1)."""
    if not os.environ.get("COPYDESK_SCREENSHOTS"):
        return
    RESULTS.mkdir(exist_ok=True)
    original = page.viewport_size
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(RESULTS / f"screen-{name}-{label}.png"), full_page=True)
    page.set_viewport_size(original)


def log_in(page: Any, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def logout(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login/"))


# Tests marked with this run only where Debian's Chromium is installed.
BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def axe_script() -> Path:
    """axe-core as installed from npm at setup (never copied into the repository)."""
    from django.conf import settings

    return Path(settings.NPM_MODULES_DIR) / "axe-core" / "axe.min.js"


def serious_axe_violations(page: Any, context: str = "document") -> list[str]:
    """axe-core's serious and critical findings on the page as it stands, one line each ("rule: selectors").

    axe is evaluated through the DevTools protocol, so the page's script policy stays as it is; ``context`` is axe's
    context argument as JavaScript (the whole document by default). Skips the test when axe-core is not installed."""
    script = axe_script()
    if not script.is_file():
        pytest.skip("axe-core is not installed (npm at setup)")
    page.evaluate(script.read_text(encoding="utf-8") + "\n;undefined")
    return list(page.evaluate(
        f"async () => (await axe.run({context}, {{resultTypes: ['violations']}})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    ))
