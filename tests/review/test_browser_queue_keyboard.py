"""The review queue by keyboard: confirmations and buttons name the draft they act on, the
selection and filters survive Back and decisions, and the filters can be skipped."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser import BROWSER, screenshots_on_failure
from tests.pipeline import generate_now, make_brief
from workbench.generation import actions
from workbench.generation.models import Draft, DraftState

pytestmark = BROWSER


@pytest.fixture
def waiting(transactional_db, brand, prompt, segments, marketer) -> list[Draft]:  # type: ignore[no-untyped-def]
    """Three emails in review, oldest first, for the same brief and segment."""
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=3, title="Spring sale")
    return [actions.draft_submit(d, acting_user=marketer) for d in generate_now(brief, marketer)]


def queue(page: Any, query: str = "") -> None:
    page.goto("/review/" + query)
    page.wait_for_load_state("load")  # the shortcuts script is deferred
    # and once loaded it restores the place in a timeout of its own (pageshow): let that run before any key
    page.evaluate("() => new Promise(resolve => setTimeout(resolve, 50))")


def current_row_id(page: Any) -> str:
    return page.locator("tr.is-current").get_attribute("data-draft-id")


def focus_reaches_row(page: Any, draft: Draft) -> None:
    """Keyboard focus lands inside the draft's row (waited for: the page restores it once loaded)."""
    page.wait_for_function(f"document.activeElement.closest('tr')?.dataset.draftId === '{draft.pk}'")


@screenshots_on_failure
def test_it_names_the_draft_in_the_approve_confirmation_and_moves_on(open_page, waiting, reviewer):  # type: ignore[no-untyped-def]
    first, second, _ = waiting
    page = open_page(reviewer)
    queue(page)
    messages: list[str] = []
    answer = {"accept": False}

    def handle(dialog: Any) -> None:
        messages.append(dialog.message)
        dialog.accept() if answer["accept"] else dialog.dismiss()

    page.on("dialog", handle)
    page.keyboard.press("j")
    page.keyboard.press("a")
    assert messages == ["Approve ‘Spring sale — Email #1 for New customers’ version 1?"]
    first.refresh_from_db()
    assert first.state == DraftState.IN_REVIEW  # dismissed: nothing happened

    answer["accept"] = True
    page.keyboard.press("a")
    page.get_by_text("you approved version 1").wait_for()
    first.refresh_from_db()
    assert first.state == DraftState.APPROVED
    # Back in the queue on the next draft, ready for the next decision.
    assert page.url.endswith(f"#draft-{second.pk}")
    assert current_row_id(page) == str(second.pk)
    focus_reaches_row(page, second)


@screenshots_on_failure
def test_it_gives_buttons_names_that_say_what_they_act_on(open_page, waiting, reviewer):  # type: ignore[no-untyped-def]
    first = waiting[0]
    page = open_page(reviewer)
    queue(page)
    name = "‘Spring sale — Email #1 for New customers’"
    page.get_by_role("button", name=f"Approve {name} version 1", exact=True).wait_for()
    page.get_by_role("button", name=f"Claim {name}", exact=True).wait_for()
    page.get_by_role("checkbox", name=f"Select {name} version 1", exact=True).wait_for()
    page.goto(f"/drafts/{first.pk}/")
    # The shortcut key is announced as a shortcut, not read as part of the name.
    approve = page.get_by_role("button", name="Approve version 1", exact=True)
    assert approve.get_attribute("aria-keyshortcuts") == "a"
    page.get_by_role("button", name="Reject", exact=True).wait_for()


@screenshots_on_failure
def test_it_keeps_the_selection_and_filters_when_coming_back(open_page, waiting, reviewer):  # type: ignore[no-untyped-def]
    second = waiting[1]
    page = open_page(reviewer)
    queue(page, "?channel=email&sort=oldest")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.url.endswith(f"#draft-{second.pk}")
    page.keyboard.press("o")
    page.wait_for_url(re.compile(rf"/drafts/{second.pk}/$"))
    page.go_back()
    page.wait_for_load_state("load")
    page.locator("tr.is-current").wait_for()
    assert current_row_id(page) == str(second.pk)
    focus_reaches_row(page, second)
    assert page.get_by_label("Channel").input_value() == "email"
    assert "channel=email" in page.url
    # The next key press carries on from there.
    page.keyboard.press("j")
    assert current_row_id(page) == str(waiting[2].pk)
    # A reload keeps the place too.
    page.reload()
    page.wait_for_load_state("load")
    assert current_row_id(page) == str(waiting[2].pk)


@screenshots_on_failure
def test_it_lets_the_keyboard_skip_the_filters(open_page, waiting, reviewer):  # type: ignore[no-untyped-def]
    first = waiting[0]
    page = open_page(reviewer)
    queue(page)
    page.get_by_role("link", name="Skip to content").focus()
    page.keyboard.press("Enter")
    focused = []
    for _ in range(3):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.textContent.trim() || document.activeElement.name"))
        if page.evaluate("document.activeElement.classList.contains('skip-inline')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('skip-inline')"), focused
    assert page.locator(".skip-inline").is_visible()  # shown once focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # The first stop after the skip is the first row, not a filter; the shortcuts work from its checkbox.
    focus_reaches_row(page, first)
    page.keyboard.press("j")
    focus_reaches_row(page, waiting[1])
