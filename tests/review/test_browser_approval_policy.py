"""The approval policy walked in Chromium by the people it names, at both widths: a claim that needs Legal, a sensitive
segment that needs two different reviewers, and an es-US draft that needs a reviewer who reads Spanish. The guide's
`approval:` section is loaded from a file; after that every step is a click on the real pages, and each walk checks
what the user sees (the policy's sentence, buttons there or not), what is stored at the end, and axe on every screen."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.browser import BROWSER, WIDTHS, look, screenshots_on_failure, serious_axe_violations
from tests.conftest import make_user
from tests.pipeline import generate_now, make_brief, northwind_guide_with_approval_policy
from workbench.accounts.actions import user_set_review_profile
from workbench.accounts.models import Role, User
from workbench.brand.models import BrandGuideVersion
from workbench.generation import actions as generation
from workbench.generation.models import Draft, DraftState
from workbench.journeys.actions import journey_create, journey_step_create
from workbench.journeys.models import JourneyStep
from workbench.review.actions import submit_for_review
from workbench.review.models import Decision, ReviewDecision
from workbench.review.policy import approval_status

pytestmark = BROWSER

at_both_widths = pytest.mark.parametrize("width", list(WIDTHS.values()), ids=list(WIDTHS))

SPANISH = "Las nuevas botas de montaña ya llegaron, ligeras y cómodas"


@pytest.fixture
def policy_guide(brand, tmp_path: Path) -> BrandGuideVersion:  # type: ignore[no-untyped-def]
    """Northwind's guide with PRODUCT.md's `approval:` policy, loaded from a file the way an admin loads one."""
    path = tmp_path / "northwind.yaml"
    path.write_text(northwind_guide_with_approval_policy(), encoding="utf-8")
    out = io.StringIO()
    call_command("load_brandguide", str(path), stdout=out)
    assert "is current" in out.getvalue()
    guide = brand.current_guide()
    assert guide.data["approval"]["rules"][1] == {"when": {"finding_kind": "claim"}, "roles": ["legal"]}
    return guide


@pytest.fixture
def legal(admin_user: User) -> User:
    """A reviewer an admin gave the legal role."""
    return user_set_review_profile(make_user("lee", Role.REVIEWER), review_roles=["legal"], languages=[], acting_user=admin_user)


def written_draft(brand, prompt, segment, marketer) -> Draft:  # type: ignore[no-untyped-def]
    """One email draft as the generator wrote it, not yet submitted."""
    (draft,) = generate_now(make_brief(brand, prompt, [segment], marketer, channels=["email"], variants=1), marketer)
    return draft


def screen(page: Any, name: str) -> None:
    """What every screen of a walk gets: a screenshot when asked for, and axe's serious and critical findings."""
    page.wait_for_load_state("load")
    look(page, name)
    assert serious_axe_violations(page) == [], name


def open_from_queue(page: Any, draft: Draft) -> Any:
    """Go to the review queue through the menu; the draft's row there."""
    page.get_by_role("link", name="Review queue").first.click()
    page.wait_for_url(re.compile(r"/review/$"))
    return page.locator(f"#draft-{draft.pk}")


def open_as_an_approver(page: Any, draft: Draft) -> None:
    """From the queue, the draft of a reviewer whose approval it can take: Approve is offered in both places."""
    row = open_from_queue(page, draft)
    assert row.get_by_role("button", name=re.compile("^Approve")).is_enabled()
    row.locator("a.row-link").click()
    page.locator("#approval-policy").wait_for()
    assert page.locator("#approve-why").count() == 0


def approve_and_see_it_approved(page: Any, draft: Draft, version: int, policy: str) -> None:
    """Press Approve on the draft page; the message, the state and the policy line say it is done."""
    page.get_by_role("button", name=f"Approve version {version}").click()
    page.locator(".messages").get_by_text(
        f"Draft {draft.pk}: you approved version {version}. It is approved and ready to publish").wait_for()
    assert page.locator("#draft-state").inner_text() == "Approved"
    assert page.locator("#approval-policy").inner_text() == policy


def decisions_on(draft: Draft) -> list[tuple[str, str]]:
    rows = ReviewDecision.objects.filter(version__draft=draft).order_by("created_at", "id")
    return [(d.reviewer.username, d.decision) for d in rows]


# --- (a) a claim under a policy that needs Legal --------------------------------------------------------------------


@at_both_widths
@screenshots_on_failure
def test_it_walks_a_claim_from_a_plain_reviewer_to_legal_to_live(  # type: ignore[no-untyped-def]
    open_page, transactional_db, policy_guide, brand, prompt, segments, marketer, reviewer, legal, publisher, width
):
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    journey_step_create(journey, slug="welcome-email", name="Welcome email", channel="email", default_segment=segments["new"], acting_user=publisher)
    draft = written_draft(brand, prompt, segments["new"], marketer)
    fields = dict(draft.latest_version().fields)
    fields["body"] = fields["body"].replace("See the boots.", "Guaranteed to keep you dry. See the boots.", 1)
    generation.draft_edit(draft, fields=fields, base_version=1, acting_user=marketer)  # the marketer adds a claim
    submit_for_review(draft, acting_user=marketer)
    needs_legal = "Needs 1 approval including one from Legal, because it makes a claim"

    # A reviewer without the legal role finds it in the queue: Approve is off there, with the reason beside it.
    page = open_page(reviewer, width)
    row = open_from_queue(page, draft)
    assert re.search(r"0 of 1\s+legal", row.locator("td").nth(3).inner_text())
    assert row.get_by_role("button", name=re.compile("^Approve")).is_disabled()
    assert "one from Legal" in row.locator(".why").inner_text()
    screen(page, "policy-claim-queue-plain-reviewer")

    # On the draft page the policy says what it needs and why, and why this reviewer's approval would not do.
    row.locator("a.row-link").click()
    page.locator("#approval-policy").wait_for()
    assert page.locator("#approval-policy").inner_text() == f"{needs_legal}; has none yet."
    assert page.locator("#approve-button").is_disabled()
    assert page.locator("#approve-why").inner_text() == "This version still needs 1 more approval and one from Legal; your approval would not give it that."
    assert "guaranteed" in page.locator(".findings").inner_text().lower(), "the claim it is about is listed with the findings"
    page.keyboard.press("a")  # the shortcut does not get round the disabled button
    page.locator("#approve-why.flash").wait_for()
    assert page.locator("#publish-dialog").count() == 0
    screen(page, "policy-claim-draft-plain-reviewer")

    # The legal reviewer can approve, and that one approval is all the draft needs.
    page = open_page(legal, width)
    open_as_an_approver(page, draft)
    screen(page, "policy-claim-draft-legal")
    approve_and_see_it_approved(page, draft, 2, f"{needs_legal}; has 1 from Lee.")
    screen(page, "policy-claim-approved")

    # A publisher puts it live from the same page.
    page = open_page(publisher, width)
    page.goto(f"/drafts/{draft.pk}/")
    dialog = page.locator("#publish-dialog")
    dialog.get_by_label("Journey step").select_option(label="Welcome › Welcome email")
    confirm = page.locator("#publish-preview").get_by_role("button", name=re.compile("^Confirm"))
    confirm.wait_for()
    screen(page, "policy-claim-publish")
    confirm.click()
    page.locator(".messages").get_by_text("Published on Welcome › Welcome email").wait_for()
    screen(page, "policy-claim-published")

    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED
    assert decisions_on(draft) == [("lee", Decision.APPROVE)], "the plain reviewer's attempts stored nothing"
    step = JourneyStep.objects.get(slug="welcome-email")
    assert list(step.publications.current().values_list("version", flat=True)) == [draft.latest_version().pk]


# --- (b) a sensitive segment: two different reviewers ---------------------------------------------------------------


@at_both_widths
@screenshots_on_failure
def test_it_walks_a_sensitive_draft_through_two_different_reviewers(  # type: ignore[no-untyped-def]
    open_page, transactional_db, policy_guide, brand, prompt, segments, marketer, reviewer, reviewer2, width
):
    draft = submit_for_review(written_draft(brand, prompt, segments["complaint"], marketer), acting_user=marketer)
    needs_two = "Needs 2 approvals, because it is for a sensitive segment"

    # The first reviewer claims it, reads what it needs, and approves: it stays in review, waiting for a second.
    page = open_page(reviewer, width)
    row = open_from_queue(page, draft)
    assert "sensitive" in row.locator("td").nth(1).inner_text()
    assert row.locator("td").nth(3).inner_text().strip() == "0 of 2"
    row.locator("a.row-link").click()
    page.locator("#approval-policy").wait_for()
    assert page.locator("#approval-policy").inner_text() == f"{needs_two}; has none yet."
    assert "Waiting for 2 approvals" in page.locator("#decision").inner_text()
    page.get_by_role("button", name="Claim").click()
    page.locator("#claim").get_by_text("you").wait_for()
    screen(page, "policy-sensitive-first-reviewer")
    page.get_by_role("button", name="Approve version 1").click()
    page.locator(".messages").get_by_text(
        f"Draft {draft.pk}: your approval of version 1 is recorded. It now waits for a second reviewer (1 more approval)"
    ).wait_for()
    assert page.locator("#draft-state").inner_text() == "In review"
    assert page.locator("#approval-policy").inner_text() == f"{needs_two}; has 1 from Riley; still needs 1 more approval."
    assert "Pending second reviewer: 1 more approval" in page.locator("#decision").inner_text()
    assert "Nobody has claimed it" in page.locator("#claim").inner_text(), "approving ended the claim"

    # The same reviewer cannot give the second approval: Approve is off, here and in the queue, and says why.
    assert page.locator("#approve-button").is_disabled()
    assert page.locator("#approve-why").inner_text() == "You already approved this version; a different reviewer must approve it too."
    screen(page, "policy-sensitive-after-first-approval")
    row = open_from_queue(page, draft)
    assert re.search(r"1 of 2\s+pending", row.locator("td").nth(3).inner_text())
    assert row.get_by_role("button", name=re.compile("^Approve")).is_disabled()
    assert "a different reviewer must approve it too" in row.locator(".why").inner_text()
    screen(page, "policy-sensitive-queue-after-first-approval")

    # A second reviewer is told, follows the notification and completes it.
    page = open_page(reviewer2, width)
    page.get_by_role("link", name=re.compile("^Notifications")).click()
    page.get_by_role("link", name=re.compile("needs a second approval: 1 more approval")).click()
    page.locator("#approval-policy").wait_for()
    assert page.locator("#approve-why").count() == 0
    screen(page, "policy-sensitive-second-reviewer")
    approve_and_see_it_approved(page, draft, 1, f"{needs_two}; has 2 from Riley and Sam.")
    screen(page, "policy-sensitive-approved")

    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED
    assert decisions_on(draft) == [("riley", Decision.APPROVE), ("sam", Decision.APPROVE)]
    assert approval_status(draft.latest_version()).met
    deadline = draft.review_deadline
    assert deadline.due_at - deadline.submitted_at == timedelta(hours=8), "the policy's due_hours for a sensitive segment"


# --- (c) an es-US draft that needs a reviewer who reads Spanish -------------------------------------------------------


@at_both_widths
@screenshots_on_failure
def test_it_walks_a_spanish_draft_to_a_reviewer_who_reads_spanish(  # type: ignore[no-untyped-def]
    open_page, transactional_db, policy_guide, brand, prompt, segments, marketer, reviewer, reviewer2, admin_user, width
):
    user_set_review_profile(reviewer2, review_roles=[], languages=["es"], acting_user=admin_user)
    brief = make_brief(
        brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1,
        locales=["en-US", "es-US"], locale_key_messages={"es-US": SPANISH},
    )
    drafts = {d.locale: d for d in generate_now(brief, marketer)}
    spanish, english = drafts["es-US"], drafts["en-US"]
    submit_for_review(spanish, acting_user=marketer)
    needs_spanish = "Needs 1 approval including one who reads Spanish, because it is written for es-US"

    # A reviewer without Spanish narrows the queue to es-US: Approve is off for them, with the reason.
    page = open_page(reviewer, width)
    open_from_queue(page, spanish)
    page.get_by_label("Locale").select_option("es-US")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"locale=es-US"))
    assert page.locator("tr[data-queue-row]").count() == 1
    row = page.locator(f"#draft-{spanish.pk}")
    assert re.search(r"0 of 1\s+es", row.locator("td").nth(3).inner_text())
    assert row.get_by_role("button", name=re.compile("^Approve")).is_disabled()
    assert "one who reads Spanish" in row.locator(".why").inner_text()
    screen(page, "policy-spanish-queue")

    # Approving it with the queue's bulk decision goes to the server, which refuses it and says why.
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name="Approve selected").click()
    page.locator(".messages").get_by_text(
        f"Draft {spanish.pk} was not decided: This version still needs 1 more approval and one who reads Spanish; your approval would not give it that."
    ).wait_for()
    screen(page, "policy-spanish-bulk-refused")

    # The draft page says the same, and shows the en-US sibling beside the Spanish text.
    page.locator(f"#draft-{spanish.pk} a.row-link").click()
    page.locator("#approval-policy").wait_for()
    assert page.locator("#approval-policy").inner_text() == f"{needs_spanish}; has none yet."
    assert page.locator("#approve-button").is_disabled()
    assert page.locator("#approve-why").inner_text() == "This version still needs 1 more approval and one who reads Spanish; your approval would not give it that."
    assert page.get_by_label("Preheader", exact=True).input_value() == f"{SPANISH}.", "the Spanish text is the one under review"
    sibling = page.locator("section.locale-sibling")
    assert sibling.get_by_role("heading", name=re.compile("^In en-US")).is_visible()
    assert sibling.get_by_role("link", name=f"Draft {english.pk}").get_attribute("href") == f"/drafts/{english.pk}/"
    english_subject = english.latest_version().fields["subject"]
    # the subject's field (the body may repeat its words)
    assert sibling.locator('[lang="en-US"]').filter(has_text=english_subject).first.is_visible()
    text_box, sibling_box = page.locator("section.editor-card").bounding_box(), sibling.bounding_box()
    assert text_box and sibling_box and sibling_box["y"] == text_box["y"] and sibling_box["x"] > text_box["x"] + text_box["width"] - 1
    screen(page, "policy-spanish-draft-no-spanish")

    # The reviewer who reads Spanish approves it.
    page = open_page(reviewer2, width)
    open_as_an_approver(page, spanish)
    assert page.locator("section.locale-sibling").is_visible()
    screen(page, "policy-spanish-draft-reader")
    approve_and_see_it_approved(page, spanish, 1, f"{needs_spanish}; has 1 from Sam.")
    screen(page, "policy-spanish-approved")

    spanish.refresh_from_db()
    english.refresh_from_db()
    assert spanish.state == DraftState.APPROVED and english.state == DraftState.DRAFT
    assert decisions_on(spanish) == [("sam", Decision.APPROVE)], "the refused bulk approval stored nothing"
