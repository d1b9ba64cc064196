"""Nothing typed is lost in the browser: with unsaved edits, Submit asks first and leaving the page asks first;
a form the server refused for size keeps its text and still counts as unsaved. Playwright against a live server."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser import BROWSER, screenshots_on_failure
from tests.pipeline import generate_now, make_brief
from workbench.generation.limits import DRAFT_FIELD_MAX_CHARS
from workbench.generation.models import DraftState

pytestmark = BROWSER


@pytest.fixture
def draft(transactional_db, brand, prompt, segments, marketer):  # type: ignore[no-untyped-def]
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)
    (made,) = generate_now(brief, marketer)
    return made


def _dialogs(page: Any, accept: bool) -> list[str]:
    seen: list[str] = []

    def handle(dialog: Any) -> None:
        seen.append(dialog.type)
        dialog.accept() if accept else dialog.dismiss()

    page.on("dialog", handle)
    return seen


@screenshots_on_failure
def test_it_asks_before_submitting_a_draft_with_unsaved_edits(open_page, draft, marketer):  # type: ignore[no-untyped-def]
    page = open_page(marketer)
    page.goto(f"/drafts/{draft.pk}/")
    page.locator("#id_subject").fill("An edit I have not saved")
    seen = _dialogs(page, accept=False)
    page.get_by_role("button", name=re.compile("^Submit version 1")).click()
    page.wait_for_timeout(300)
    assert seen == ["confirm"]
    draft.refresh_from_db()
    assert draft.state == DraftState.DRAFT  # not submitted, and the edit is still in the box
    assert page.locator("#id_subject").input_value() == "An edit I have not saved"


@screenshots_on_failure
def test_it_submits_without_asking_when_nothing_is_unsaved(open_page, draft, marketer):  # type: ignore[no-untyped-def]
    page = open_page(marketer)
    page.goto(f"/drafts/{draft.pk}/")
    seen = _dialogs(page, accept=True)
    page.get_by_role("button", name=re.compile("^Submit version 1")).click()
    page.get_by_text("Submitted for review").wait_for()
    assert seen == []
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW


@screenshots_on_failure
def test_it_asks_before_leaving_a_page_with_unsaved_edits(open_page, draft, marketer):  # type: ignore[no-untyped-def]
    page = open_page(marketer)
    page.goto(f"/drafts/{draft.pk}/")
    page.locator("#id_body").fill("Typed but not saved")
    seen = _dialogs(page, accept=False)
    page.get_by_role("link", name="Briefs").first.click()
    page.wait_for_timeout(500)
    assert seen == ["beforeunload"]
    assert f"/drafts/{draft.pk}/" in page.url


@screenshots_on_failure
def test_it_keeps_text_refused_for_size_and_still_guards_it(open_page, draft, marketer):  # type: ignore[no-untyped-def]
    page = open_page(marketer)
    page.goto(f"/drafts/{draft.pk}/")
    typed = "Too long. " + "x" * DRAFT_FIELD_MAX_CHARS["body"]
    page.locator("#id_body").fill(typed)
    page.get_by_role("button", name=re.compile("^Save as version")).click()
    page.get_by_text("can hold at most").first.wait_for()
    assert page.locator("#id_body").input_value().startswith("Too long. xxx")
    assert len(page.locator("#id_body").input_value()) == len(typed)
    seen = _dialogs(page, accept=False)
    page.get_by_role("button", name=re.compile("^Submit version 1")).click()
    page.wait_for_timeout(300)
    assert seen == ["confirm"]
