"""Generating in a real browser: the form counts the drafts as it is filled in, the grid fills while the run goes
with no reload and settles when it ends, and Generate again asks first. Playwright against a live server."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser import BROWSER, look, screenshots_on_failure
from workbench.generation import tasks
from workbench.generation.models import Draft, GenerationJob, RunStatus
from workbench.generation.services import run_job

pytestmark = BROWSER


@pytest.fixture
def run_one_job(monkeypatch: pytest.MonkeyPatch) -> Callable[[], bool]:
    """Generate clicks queue jobs; the test runs them here, one at a time, instead of a Celery worker."""
    monkeypatch.setattr(tasks.generate_cell, "delay", lambda job_id: None)

    def run() -> bool:
        job_id = GenerationJob.objects.filter(status=RunStatus.QUEUED).order_by("pk").values_list("pk", flat=True).first()
        if job_id is None:
            return False
        run_job(job_id)
        return True

    return run


def until(page: Any, expression: str, timeout_ms: int = 10_000) -> None:
    """Wait for a JavaScript expression to hold (wait_for_function evaluates strings, which the page's CSP forbids)."""
    from playwright.sync_api import Error

    for _ in range(timeout_ms // 100):
        try:
            if page.evaluate(expression):
                return
        except Error:  # the page is navigating: ask the next one
            pass
        page.wait_for_timeout(100)
    raise AssertionError(f"still false after {timeout_ms} ms: {expression}")


def chip(page: Any, label: str, count: int) -> Any:
    return page.locator("nav.chips a", has_text=re.compile(rf"^\s*{label}\s+{count}\s*$"))


@screenshots_on_failure
def test_the_grid_fills_live_and_generate_again_asks(open_page, transactional_db, brand, prompt, segments, marketer, run_one_job):  # type: ignore[no-untyped-def]
    page = open_page(marketer)
    page.goto("/briefs/new/")
    page.get_by_label("Title", exact=True).fill("Trail boots launch")
    page.get_by_label("Goal").fill("Bring new customers to the trail range")
    page.get_by_label("Key message").fill("The new trail boots are light and waterproof")
    page.get_by_label("Call to action").fill("See the boots")
    estimate = page.locator("#estimate")
    page.get_by_label("New customers").check()
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Variants per segment").fill("2")
    # Leaving the field is a change too, as a person tabbing on would make it; on a loaded machine the
    # estimate can miss the burst of events the test types in a few milliseconds.
    page.get_by_label("Variants per segment").press("Tab")
    estimate.get_by_text("Generate makes 2 drafts").wait_for(timeout=20_000)
    page.get_by_label("SMS", exact=True).check()
    estimate.get_by_text("Generate makes 4 drafts").wait_for()  # updated as the form changed, nothing saved
    assert "costs nothing" in estimate.inner_text()
    page.get_by_label("Tone context").select_option("promotional")
    look(page, "brief-form-estimate")
    page.get_by_role("button", name="Save brief").click()
    page.get_by_text("Brief saved").wait_for()
    assert "Generate makes 4 drafts" in page.locator(".generate-bar").inner_text()

    page.get_by_role("button", name="Generate", exact=True).click()
    page.get_by_text("Generating 2 segment × channel").wait_for()
    page.evaluate("window.notReloaded = true")
    chip(page, "All", 0).wait_for()
    assert run_one_job()
    chip(page, "All", 2).wait_for()  # half the run is in: its drafts are on the grid already
    page.get_by_text("1 of 2 parts finished").wait_for()
    look(page, "brief-grid-filling")
    assert run_one_job()
    chip(page, "All", 4).wait_for()
    page.locator(".generate-bar").get_by_text("Generate again adds 4 drafts").wait_for()
    assert page.locator("#progress .badge").first.inner_text() == "done"
    assert page.evaluate("window.notReloaded") is True
    assert sorted(c.strip() for c in page.locator(".draft-card .card-head strong").all_inner_texts()) == ["#1", "#2", "#3", "#4"]
    # Settled: no element polls any more.
    until(page, "!document.querySelector('[hx-trigger^=\"every\"]')")

    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="Generate again…").click()
    page.wait_for_timeout(300)
    assert asked == ["Generate again? This adds 4 more drafts to the 4 this brief has; nothing already written is changed."]
    assert GenerationJob.objects.count() == 2  # dismissed: nothing queued
    page.get_by_role("button", name="Generate again…").click()
    until(page, "window.notReloaded === undefined")  # the htmx post sent the page to the new run
    page.wait_for_load_state("load")
    page.get_by_text("Generating… 0 of 2 parts finished").wait_for()
    while run_one_job():
        pass
    chip(page, "All", 8).wait_for()
    assert sorted(Draft.objects.values_list("number", flat=True)) == list(range(1, 9))
    look(page, "brief-grid-again")

    page.get_by_role("button", name="Discard draft #1").click()
    page.get_by_text("Draft #1 discarded").wait_for()
    chip(page, "All", 7).wait_for()
    page.get_by_role("link", name=re.compile(r"^Discarded\s+1")).click()
    page.get_by_role("button", name="Restore draft #1").click()
    page.get_by_text("Draft #1 restored").wait_for()
