"""The draft page in Chromium: the decision panel in view on a tablet, the one editor with its findings drawn in
it and fixes applied in place, and a reviewer's edit that stays in review. Playwright against a live server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.pipeline import generate_now, make_brief, submitted_draft
from tests.browser import BROWSER, WIDTHS, look, screenshots_on_failure, serious_axe_violations
from workbench.generation import actions as generation
from workbench.generation.models import Draft, DraftState
from workbench.review.actions import submit_for_review
from workbench.review.models import Notification

pytestmark = BROWSER




def main_axe_violations(page: Any) -> list[str]:
    """The findings on the page's main content: the flash messages come from the base layout, shared by every
    page, and are left to its own checks."""
    return serious_axe_violations(page, "{include: [['main']], exclude: [['.messages']]}")


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not displayed"
    return found  # type: ignore[no-any-return]


@screenshots_on_failure
def test_it_shows_the_decision_panel_before_the_editor_at_768_px(open_page, transactional_db, brand, prompt, segments, marketer, reviewer):  # type: ignore[no-untyped-def]
    (draft,) = generate_now(make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1), marketer)
    submit_for_review(draft, acting_user=marketer)  # sets the review deadline
    page = open_page(reviewer, width=WIDTHS["tablet"])
    page.goto(f"/drafts/{draft.pk}/")
    decision, editor = box(page, "#decision"), box(page, "#edit")
    assert decision["y"] + decision["height"] <= editor["y"], "the decision panel comes before the editor, not after it"
    approve = box(page, "#approve-button")
    assert approve["y"] + approve["height"] <= 900, "Approve is on the first screen, without scrolling"
    assert page.locator("#deadline").get_by_text("Due").is_visible() and page.get_by_role("button", name="Claim").is_visible()
    look(page, "draft-tablet")
    assert main_axe_violations(page) == []


@screenshots_on_failure
def test_a_reviewers_edit_stays_in_review_and_that_reviewer_cannot_approve_it(open_page, transactional_db, brand, prompt, segments, marketer, reviewer, reviewer2):  # type: ignore[no-untyped-def]
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    page = open_page(reviewer, width=WIDTHS["tablet"])
    page.goto(f"/drafts/{draft.pk}/")
    assert "stays in review" in page.locator("#edit-rule").inner_text()
    page.get_by_role("button", name="Claim").click()
    page.locator("#claim").get_by_text("you").wait_for()
    page.get_by_label("Subject").fill("A calmer subject for new customers")
    page.get_by_role("button", name=re.compile("Save as version 2")).click()
    page.get_by_text("It stays in review").wait_for()
    assert page.locator("#draft-state").inner_text() == "In review"
    assert page.locator("#approve-button").is_disabled()
    assert "someone else must approve it" in page.locator("#approve-why").inner_text()
    assert page.get_by_role("button", name=re.compile("^Submit")).count() == 0
    assert "Nobody has claimed it" in page.locator("#claim").inner_text(), "the editor's claim ended with the edit"
    look(page, "draft-reviewer-edited")
    assert main_axe_violations(page) == []
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW and draft.latest_version().author == reviewer
    assert Notification.objects.filter(recipient=marketer, message__contains="Riley edited").exists()

    other = open_page(reviewer2, width=WIDTHS["tablet"])
    other.goto(f"/drafts/{draft.pk}/")
    assert other.locator("#approve-button").is_enabled()
    other.get_by_role("button", name=re.compile("Approve version 2")).click()
    other.get_by_text("approved and ready to publish").wait_for()
    assert Draft.objects.get(pk=draft.pk).state == DraftState.APPROVED


@screenshots_on_failure
def test_findings_are_drawn_in_the_editor_and_fixed_in_place(open_page, transactional_db, brand, prompt, segments, marketer):  # type: ignore[no-untyped-def]
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    generation.draft_edit(draft, fields=dict(draft.latest_version().fields, subject="Cheap boots for the trail"), base_version=1, acting_user=marketer)
    page = open_page(marketer)
    page.goto(f"/drafts/{draft.pk}/")
    page.wait_for_load_state("load")
    backdrop = page.locator("#backdrop-subject")
    assert backdrop.locator("mark.sev-block").inner_text() == "Cheap", "the saved version's finding is marked in the editor"
    assert page.get_by_role("heading", name="Text").count() == 1 and page.locator(".live-findings").count() == 0
    # The saved finding's fix applies in the text box, without a round trip; the live check then clears it.
    page.locator("#checks-h").scroll_into_view_if_needed()
    page.get_by_role("button", name=re.compile("Replace with “affordable”")).click()
    subject = page.get_by_label("Subject")
    assert subject.input_value() == "Affordable boots for the trail"
    page.locator(".live-findings").wait_for()
    backdrop.locator("mark.sev-block").wait_for(state="detached")
    assert draft.latest_version().number == 2, "nothing is saved until Save"
    # A finding typed in is drawn under the text and has its own fix in the live list.
    subject.fill("Cheap and cheerful boots")
    backdrop.locator("mark.sev-block").wait_for()
    assert backdrop.inner_text().startswith("Cheap and cheerful boots")
    page.locator("#live").get_by_role("button", name=re.compile("Replace with")).first.click()
    assert subject.input_value().startswith("Affordable and cheerful")
    look(page, "draft-editor-fixed")
    assert main_axe_violations(page) == []
    page.get_by_role("button", name=re.compile("Save as version 3")).click()
    page.get_by_text("Saved as version 3").wait_for()
    assert draft.latest_version().fields["subject"].startswith("Affordable and cheerful")


@screenshots_on_failure
def test_without_javascript_a_reviewers_one_click_fix_is_a_new_version_still_in_review(open_page, chromium, live_server, transactional_db, brand, prompt, segments, marketer, reviewer):  # type: ignore[no-untyped-def]
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    generation.draft_edit(draft, fields=dict(draft.latest_version().fields, subject="Cheap boots for the trail"), base_version=1, acting_user=marketer)
    submit_for_review(draft, acting_user=marketer)
    page = open_page(reviewer, WIDTHS["tablet"], javascript=False)
    page.goto(f"/drafts/{draft.pk}/")
    assert page.locator("#backdrop-subject mark.sev-block").inner_text() == "Cheap"
    page.get_by_role("button", name=re.compile("Replace with “affordable”")).click()
    page.get_by_text("Suggestion applied as version 3").wait_for()
    assert page.get_by_label("Subject").input_value() == "Affordable boots for the trail"
    assert page.locator("#draft-state").inner_text() == "In review" and page.locator("#approve-button").is_disabled()
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW and draft.latest_version().author == reviewer
