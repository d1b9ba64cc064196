"""Publishing and the kill switch in a real browser: the step is chosen, Replace is the default, the preview follows the
choices (htmx) or comes on a confirm page (no JavaScript), and pausing asks first. Playwright against a live server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser import BROWSER, WIDTHS, look, screenshots_on_failure, serious_axe_violations
from tests.conftest import PASSWORD
from tests.journeys_setup import Live, approved_draft
from workbench.journeys.models import Journey

pytestmark = BROWSER



def _current(live: Live) -> set[int]:
    return set(live.step.publications.current().values_list("version__draft_id", flat=True))


@screenshots_on_failure
def test_publishing_from_the_draft_page_chooses_the_step_previews_and_replaces(  # type: ignore[no-untyped-def]
    open_page, transactional_db, live: Live, brand, prompt, segments, marketer, reviewer, publisher
):
    fresh = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    page = open_page(publisher)
    page.goto(f"/drafts/{fresh.pk}/")
    page.wait_for_load_state("load")
    dialog = page.locator("#publish-dialog")
    step = dialog.get_by_label("Journey step")
    assert step.input_value() == "" and step.locator("option:checked").inner_text() == "Choose a step"
    assert dialog.get_by_label("Replace what is live for the segment").is_checked()
    assert dialog.get_by_role("button", name=re.compile("^Confirm")).count() == 0  # nothing to confirm before a step is chosen

    step.select_option(label="Spring › Launch email")
    preview = page.locator("#publish-preview")
    preview.get_by_text("After publishing, Spring › Launch email serves New customers").wait_for()
    assert f"Taken down: draft {live.a.version.draft_id} v1 (weight 50), draft {live.b.version.draft_id} v1 (weight 50)" in preview.inner_text()
    look(page, "publish-dialog-replace")

    dialog.get_by_label("Add as an A/B variant beside it").check()  # the preview follows the mode
    preview.get_by_role("button", name="Confirm: add as variant C").wait_for()
    assert "Taken down" not in preview.inner_text()
    dialog.get_by_label("Replace what is live for the segment").check()
    preview.get_by_role("button", name="Confirm: replace and publish").wait_for()
    assert serious_axe_violations(page) == []
    assert _current(live) == {live.a.version.draft_id, live.b.version.draft_id}  # nothing changed while choosing

    preview.get_by_role("button", name="Confirm: replace and publish").click()
    page.locator(".messages").get_by_text("Published on Spring › Launch email for New customers, replacing 2 variants").wait_for()
    assert page.url.endswith(f"/drafts/{fresh.pk}/")
    assert _current(live) == {fresh.pk}


@screenshots_on_failure
def test_publishing_without_javascript_goes_through_a_confirm_page(  # type: ignore[no-untyped-def]
    open_page, chromium, live_server, transactional_db, live: Live, brand, prompt, segments, marketer, reviewer, publisher
):
    fresh = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    page = open_page(publisher, WIDTHS["tablet"], javascript=False)
    page.goto(f"/drafts/{fresh.pk}/")
    page.get_by_label("Journey step").select_option(label="Spring › Launch email")
    page.get_by_role("button", name="Preview what will be live").click()
    page.get_by_role("heading", name=f"Publish draft {fresh.pk} v1").wait_for()
    assert "Check what will be live, then confirm." in page.content()
    look(page, "publish-confirm-page")
    assert _current(live) == {live.a.version.draft_id, live.b.version.draft_id}
    page.get_by_role("button", name="Confirm: replace and publish").click()
    page.locator(".messages").get_by_text("Published on Spring › Launch email").wait_for()
    assert _current(live) == {fresh.pk}


@screenshots_on_failure
def test_pausing_and_resuming_ask_first_and_a_paused_journey_shows_what_it_holds(open_page, transactional_db, live: Live, publisher):  # type: ignore[no-untyped-def]
    page = open_page(publisher)
    page.goto("/journeys/")
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Pause Spring (kill switch)…").click()
    confirm = page.locator("#kill-switch-spring")
    confirm.get_by_role("heading", name="Pause all of Spring?").wait_for()
    assert f"draft {live.a.version.draft_id} v1" in confirm.inner_text()
    # the question gets the focus (moved there once the dialog is shown: wait for it, do not race it)
    page.wait_for_function("document.activeElement && document.activeElement.textContent === 'Pause all of Spring?'")
    assert serious_axe_violations(page) == []
    assert not Journey.objects.get(pk=live.journey.pk).paused  # asking changed nothing
    look(page, "kill-switch-confirm")
    confirm.get_by_role("button", name="Pause Spring").click()
    page.locator(".messages").get_by_text("Spring is paused").wait_for()
    assert Journey.objects.get(pk=live.journey.pk).paused
    spring = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Spring")))
    assert "Held while paused" in spring.inner_text() and "nothing live" not in spring.inner_text()
    assert f"draft {live.b.version.draft_id} v1" in spring.inner_text()
    look(page, "journeys-paused")
    spring.get_by_role("link", name="Launch email").click()
    page.get_by_role("heading", name=re.compile("Held while paused")).wait_for()
    assert f"draft {live.a.version.draft_id} v1" in page.locator("main").inner_text()
    look(page, "step-paused")
    page.go_back()

    spring = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Spring")))
    spring.get_by_role("link", name="Resume Spring…").click()
    page.locator("#kill-switch-spring").get_by_role("button", name="Resume Spring").click()
    page.locator(".messages").get_by_text("Spring is live again").wait_for()
    assert not Journey.objects.get(pk=live.journey.pk).paused


@screenshots_on_failure
def test_the_kill_switch_asks_first_without_javascript_too(  # type: ignore[no-untyped-def]
    open_page, chromium, live_server, transactional_db, live: Live, publisher
):
    page = open_page(publisher, WIDTHS["tablet"], javascript=False)
    page.goto("/journeys/")
    page.get_by_role("link", name="Pause Spring (kill switch)…").click()
    page.get_by_role("heading", name="Pause all of Spring?", level=1).wait_for()
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(re.compile(r"/journeys/$"))
    assert not Journey.objects.get(pk=live.journey.pk).paused
    page.get_by_role("link", name="Pause Spring (kill switch)…").click()
    page.get_by_role("button", name="Pause Spring").click()
    page.locator(".messages").get_by_text("Spring is paused").wait_for()
    assert Journey.objects.get(pk=live.journey.pk).paused
