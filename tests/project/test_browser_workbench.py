"""The workbench in a real browser: Playwright driving Debian's Chromium against a live server (tests/browser.py)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.browser import BROWSER, WIDTHS, look, logout, screenshots_on_failure
from tests.pipeline import submitted_draft
from workbench.generation import tasks
from workbench.generation.models import Draft, DraftState, GenerationJob, RunStatus
from workbench.generation.services import run_job
from workbench.journeys.actions import journey_create, journey_step_create

pytestmark = BROWSER


@pytest.fixture
def jobs_run_in_process(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Generate clicks queue jobs; the test runs them here instead of a Celery worker."""
    monkeypatch.setattr(tasks.generate_cell, "delay", lambda job_id: None)

    def run_queued() -> None:
        for job_id in GenerationJob.objects.filter(status=RunStatus.QUEUED).values_list("pk", flat=True):
            run_job(job_id)

    return run_queued


@screenshots_on_failure
def test_it_goes_from_brief_to_published(open_page, transactional_db, brand, prompt, segments, marketer, reviewer, publisher, jobs_run_in_process):  # type: ignore[no-untyped-def]
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    journey_step_create(journey, slug="welcome-email", name="Welcome email", channel="email", default_segment=segments["new"], acting_user=publisher)

    page = open_page(marketer)
    page.get_by_role("link", name="Briefs").first.click()
    page.get_by_role("link", name="New brief").click()
    look(page, "brief-form")
    page.get_by_label("Title", exact=True).fill("Trail boots launch")
    page.get_by_label("Goal").fill("Bring new customers to the trail range")
    page.get_by_label("Key message").fill("The new trail boots are light and waterproof")
    page.get_by_label("Call to action").fill("See the boots")
    page.get_by_label("New customers").check()
    page.get_by_label("Email", exact=True).check()
    page.get_by_label("Variants per segment").fill("1")
    page.get_by_role("button", name="Save brief").click()
    page.get_by_text("Brief saved").wait_for()
    page.get_by_role("button", name="Generate").click()
    page.get_by_text("Generating 1 segment × channel").wait_for()
    jobs_run_in_process()
    page.get_by_role("link", name="Show the drafts").click()  # the htmx poll saw the run finish
    look(page, "brief-grid")
    page.locator(".draft-card a.card-link").first.click()

    page.wait_for_load_state("load")  # htmx is deferred: what is typed before it starts sends no live check
    subject = page.get_by_label("Subject")
    subject.fill("Cheap boots for every trail")
    live = page.locator("#live")
    live.locator("mark.sev-block").wait_for(timeout=20_000)  # the server's first check loads the engine's tables
    assert "is not allowed" in live.inner_text()
    look(page, "draft-live-check")
    subject.fill("Light boots for every trail")
    live.get_by_text("Cheap", exact=True).wait_for(state="detached")
    page.get_by_role("button", name=re.compile("Save as version 2")).click()
    page.get_by_text("Saved as version 2").wait_for()
    page.get_by_role("button", name=re.compile("Submit version 2 for review")).click()
    page.get_by_text("Submitted for review").wait_for()
    logout(page)

    page = open_page(reviewer)
    assert page.locator(".count-badge").inner_text().startswith("1")
    page.get_by_role("link", name="Review queue").click()
    page.wait_for_load_state("load")  # the shortcuts script is deferred
    look(page, "queue")
    page.keyboard.press("j")
    page.locator("tr.is-current").wait_for()
    page.keyboard.press("o")
    page.get_by_role("heading", name=re.compile("Email #1 for New customers")).wait_for()
    look(page, "draft-review")
    page.get_by_role("button", name=re.compile("Approve version 2")).click()
    page.get_by_text("It is approved and ready to publish").wait_for()
    logout(page)

    page = open_page(publisher)
    page.goto(f"/drafts/{Draft.objects.get().pk}/")
    page.get_by_label("Journey step").select_option(label="Welcome › Welcome email")  # no step is chosen for the publisher
    page.get_by_role("button", name="Confirm: replace and publish").click()  # shown with the preview of what will be live
    page.locator(".messages").get_by_text("Published on Welcome › Welcome email").wait_for()
    assert Draft.objects.get().state == DraftState.APPROVED


@screenshots_on_failure
def test_it_refuses_self_approval(open_page, transactional_db, brand, prompt, segments, admin_user):  # type: ignore[no-untyped-def]
    draft = submitted_draft(brand, prompt, segments["new"], admin_user)
    page = open_page(admin_user)
    page.goto(f"/drafts/{draft.pk}/")
    approve = page.locator("#approve-button")
    assert approve.is_disabled()
    assert "someone else must approve it" in page.locator("#approve-why").inner_text()
    page.wait_for_load_state("load")
    page.keyboard.press("a")  # the shortcut respects the disabled button
    assert page.locator("#approve-why.flash").count() == 1
    # The server enforces it whatever the page says.
    approve.evaluate("button => { button.disabled = false; }")
    approve.click()
    page.get_by_text("four-eyes").first.wait_for()
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW


@screenshots_on_failure
def test_it_refuses_a_rejection_without_a_reason(open_page, transactional_db, brand, prompt, segments, marketer, reviewer):  # type: ignore[no-untyped-def]
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    page = open_page(reviewer)
    page.goto(f"/drafts/{draft.pk}/")
    page.wait_for_load_state("load")
    page.keyboard.press("r")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'reason'")
    page.get_by_role("button", name=re.compile("^Reject")).click()
    assert page.locator("#reason").evaluate("box => box.validity.valueMissing")
    # Past the browser's own checks (form.submit() skips validation and submit handlers), the server still refuses.
    page.locator("#reject").evaluate(
        "form => { const d = document.createElement('input'); d.type = 'hidden'; d.name = 'decision'; d.value = 'reject'; form.append(d); form.submit(); }"
    )
    page.get_by_text("Say why you are rejecting").wait_for()
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW


@screenshots_on_failure
def test_a_sensitive_segment_needs_two_reviewers(open_page, transactional_db, brand, prompt, segments, marketer, reviewer, reviewer2):  # type: ignore[no-untyped-def]
    draft = submitted_draft(brand, prompt, segments["complaint"], marketer)
    first = open_page(reviewer)
    second = open_page(reviewer2, width=WIDTHS["tablet"])
    first.goto(f"/drafts/{draft.pk}/")
    second.goto(f"/drafts/{draft.pk}/")
    first.reload()
    assert "Also open by Sam" in first.locator("#presence").inner_text()
    first.get_by_role("button", name=re.compile("Approve version 1")).click()
    first.get_by_text("waits for a second reviewer").wait_for()
    assert first.locator("#approve-button").is_disabled()
    look(first, "draft-pending-second")
    second.reload()
    assert "Pending second reviewer" in second.locator(".approvals").inner_text()
    second.get_by_role("button", name=re.compile("Approve version 1")).click()
    second.get_by_text("approved and ready to publish").wait_for()
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED


@screenshots_on_failure
def test_two_reviewers_deciding_at_once_get_one_decision_and_a_conflict(open_page, transactional_db, brand, prompt, segments, marketer, reviewer, reviewer2):  # type: ignore[no-untyped-def]
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    first, second = open_page(reviewer), open_page(reviewer2)
    first.goto(f"/drafts/{draft.pk}/")
    second.goto(f"/drafts/{draft.pk}/")
    second.locator("#reason").fill("The subject oversells the boots.")
    first.get_by_role("button", name=re.compile("Approve version 1")).click()
    first.get_by_text("ready to publish").first.wait_for()
    second.get_by_role("button", name=re.compile("^Reject")).click()
    alert = second.locator("#decision-error")
    alert.wait_for()
    assert "Riley already decided (approved); the draft is now approved." in alert.inner_text()
    assert "The subject oversells the boots." in alert.inner_text()
    look(second, "draft-conflict")
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED
