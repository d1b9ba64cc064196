"""The approval policy end to end: one table of rules and combinations walked through the approve action
and through the draft page, which must agree reviewer by reviewer; the publish action; the queue's queries."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_user
from tests.pipeline import generate_now, make_brief, northwind_guide_with_approval_policy, submitted_draft
from workbench.access import SYSTEM
from workbench.accounts.models import Role, User
from workbench.brand.actions import guide_version_create
from workbench.checks.models import finding_key
from workbench.checks.services import latest_check
from workbench.errors import CopydeskError
from workbench.generation import actions as generation
from workbench.generation.models import Draft, DraftState
from workbench.journeys.actions import journey_create, journey_step_create, publication_create
from workbench.review import actions as review
from workbench.review.policy import approval_status, requirement_for

pytestmark = pytest.mark.django_db


def with_policy(brand) -> None:  # type: ignore[no-untyped-def]
    guide_version_create(source_yaml=northwind_guide_with_approval_policy(), acting_user=SYSTEM)


@dataclass(frozen=True)
class Case:
    sensitive: bool
    claim: bool
    waived: bool
    approvals: int
    roles: tuple[str, ...]
    approved_by: tuple[str, ...]  # who, walking plain1, plain2, legal in turn, ends up counted when it is approved


TABLE = [
    Case(sensitive=False, claim=False, waived=False, approvals=1, roles=(), approved_by=("plain1",)),
    Case(sensitive=True, claim=False, waived=False, approvals=2, roles=(), approved_by=("plain1", "plain2")),
    Case(sensitive=False, claim=True, waived=False, approvals=1, roles=("legal",), approved_by=("legal",)),
    Case(sensitive=False, claim=False, waived=True, approvals=2, roles=(), approved_by=("plain1", "plain2")),
    Case(sensitive=True, claim=True, waived=False, approvals=2, roles=("legal",), approved_by=("plain1", "legal")),
    Case(sensitive=False, claim=True, waived=True, approvals=2, roles=("legal",), approved_by=("plain1", "legal")),
    Case(sensitive=True, claim=True, waived=True, approvals=2, roles=("legal",), approved_by=("plain1", "legal")),
]


def draft_for(case: Case, brand, prompt, segments, marketer, waiver_by: User) -> Draft:  # type: ignore[no-untyped-def]
    draft = submitted_draft(brand, prompt, segments["complaint" if case.sensitive else "new"], marketer)
    fields = dict(draft.latest_version().fields)
    if case.claim:
        fields["body"] = fields["body"] + " Guaranteed to keep you dry."
    if case.waived:
        fields["subject"] = "Cheap boots"
    if case.claim or case.waived:
        generation.draft_edit(draft, fields=fields, base_version=1, acting_user=marketer)
        generation.draft_submit(draft, acting_user=marketer)
    version = draft.latest_version()
    if case.waived:
        block = latest_check(version).blocking[0]  # type: ignore[union-attr]
        review.finding_override(version, key=finding_key(block), justification="Quoting the customer's own words.", acting_user=waiver_by)
    return draft


@pytest.mark.parametrize("case", TABLE, ids=lambda c: f"sensitive={c.sensitive}-claim={c.claim}-waived={c.waived}")
def test_the_action_and_the_page_agree_on_every_rule(case: Case, client, brand, prompt, segments, marketer, reviewer, reviewer2):  # type: ignore[no-untyped-def]
    with_policy(brand)
    legal = make_user("lee", Role.REVIEWER)
    legal.review_roles = ["legal"]
    legal.save()
    people = {"plain1": reviewer, "plain2": reviewer2, "legal": legal}
    draft = draft_for(case, brand, prompt, segments, marketer, waiver_by=reviewer2)
    version = draft.latest_version()
    requirement = requirement_for(version)
    assert (requirement.approvals, requirement.roles) == (case.approvals, case.roles)

    counted = []
    for name in ("plain1", "plain2", "legal"):
        draft.refresh_from_db()
        if draft.state == DraftState.APPROVED:
            break
        client.force_login(people[name])
        page = client.get(reverse("draft_detail", args=[draft.pk])).content.decode()
        assert f"Needs {case.approvals} approval{'s' if case.approvals > 1 else ''}" in page
        assert ("one from Legal" in page) == bool(case.roles)
        disabled = 'id="approve-button" disabled' in page
        try:
            review.review_approve(draft, version_number=version.number, acting_user=people[name])
        except CopydeskError:
            refused = True
        else:
            refused = False
            counted.append(name)
        assert disabled == refused, f"page and action disagree for {name}"
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED
    assert tuple(counted) == case.approved_by
    assert approval_status(version).met


def test_the_draft_page_explains_the_requirement_in_a_sentence(client, brand, prompt, segments, marketer, reviewer, reviewer2):  # type: ignore[no-untyped-def]
    with_policy(brand)
    draft = draft_for(TABLE[4], brand, prompt, segments, marketer, waiver_by=reviewer2)
    review.review_approve(draft, version_number=draft.latest_version().number, acting_user=reviewer)
    client.force_login(reviewer2)
    page = client.get(reverse("draft_detail", args=[draft.pk])).content.decode()
    assert (
        "Needs 2 approvals including one from Legal, because it is for a sensitive segment and it makes a claim; has 1 from Riley"
        in page
    )
    assert "your approval would not give it that" in page


def test_a_guide_without_a_policy_keeps_one_and_two_approvals(brand, prompt, segments, marketer, reviewer):  # type: ignore[no-untyped-def]
    plain = submitted_draft(brand, prompt, segments["new"], marketer)
    claim = draft_for(TABLE[2], brand, prompt, segments, marketer, waiver_by=reviewer)
    sensitive = submitted_draft(brand, prompt, segments["complaint"], marketer)
    assert [requirement_for(d.latest_version()).approvals for d in (plain, claim, sensitive)] == [1, 1, 2]
    assert requirement_for(claim.latest_version()).roles == ()


def test_the_author_of_an_earlier_version_never_counts(brand, prompt, segments, marketer, reviewer, reviewer2):  # type: ignore[no-untyped-def]
    draft = submitted_draft(brand, prompt, segments["complaint"], marketer)
    fields = dict(draft.latest_version().fields, subject="A calmer subject")
    generation.draft_edit(draft, fields=fields, base_version=1, acting_user=reviewer2)  # reviewer2 wrote version 2; still in review
    with pytest.raises(CopydeskError, match="four-eyes"):
        review.review_approve(draft, version_number=2, acting_user=reviewer2)
    review.review_approve(draft, version_number=2, acting_user=reviewer)
    status = approval_status(draft.latest_version())
    assert status.approvals == 1 and not status.met


def test_publishing_asks_the_policy_in_force_now(brand, prompt, segments, marketer, reviewer, publisher):  # type: ignore[no-untyped-def]
    draft = draft_for(TABLE[2], brand, prompt, segments, marketer, waiver_by=reviewer)
    review.review_approve(draft, version_number=draft.latest_version().number, acting_user=reviewer)  # today's rules: one approval
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journey_step_create(journey, slug="hello", name="Hello", channel="email", default_segment=segments["new"], acting_user=publisher)
    with_policy(brand)  # now a claim needs legal
    with pytest.raises(CopydeskError, match="one from Legal"):
        publication_create(step, version=draft.latest_version(), acting_user=publisher)


def test_the_queue_shows_policy_summaries_in_constant_queries(client, brand, prompt, segments, marketer, reviewer, reviewer2):  # type: ignore[no-untyped-def]
    with_policy(brand)
    client.force_login(reviewer2)

    def queue_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("review_queue")).status_code == 200
        return len(captured)

    first = submitted_draft(brand, prompt, segments["complaint"], marketer)
    review.review_approve(first, version_number=1, acting_user=reviewer)
    few = queue_queries()
    brief = make_brief(brand, prompt, [segments["complaint"], segments["loyal"]], marketer, channels=["email", "sms"], variants=2)
    for draft in generate_now(brief, marketer):
        generation.draft_submit(draft, acting_user=marketer)
        if draft.segment.sensitive and not latest_check(draft.latest_version()).blocking:  # type: ignore[union-attr]
            review.review_approve(draft, version_number=1, acting_user=reviewer)
    many = queue_queries()
    assert few == many
    page = client.get(reverse("review_queue")).content.decode()
    assert "1 of 2" in page


def test_when_legal_is_missing_the_legal_reviewers_are_told(brand, prompt, segments, marketer, reviewer, reviewer2):  # type: ignore[no-untyped-def]
    from workbench.review.models import Notification

    with_policy(brand)
    legal = make_user("lee", Role.REVIEWER)
    legal.review_roles = ["legal"]
    legal.save()
    draft = draft_for(TABLE[4], brand, prompt, segments, marketer, waiver_by=reviewer)  # sensitive + claim: 2 incl. legal
    review.review_approve(draft, version_number=draft.latest_version().number, acting_user=reviewer)
    told = set(Notification.objects.filter(kind="submitted", message__contains="second approval").values_list("recipient__username", flat=True))
    assert told == {"lee"}


@pytest.mark.django_db
def test_a_reviewer_whose_approval_lost_the_race_sees_the_draft_as_it_now_stands(client, brand, prompt, segments, marketer, reviewer, reviewer2):  # type: ignore[no-untyped-def]
    """Seen in the chaos run: the second of two reviewers approving a sensitive draft at once got a 500 — the refusal
    page was built from the draft as the request had loaded it (in review) with approvals that were already complete."""
    from workbench.review.presenters import draft_page_context

    draft = submitted_draft(brand, prompt, segments["complaint"], marketer)
    for finding in review.unresolved_blocks(draft.latest_version()):
        review.finding_override(draft.latest_version(), key=finding_key(finding), justification="Checked by hand.", acting_user=reviewer)
    stale = Draft.objects.get(pk=draft.pk)  # what the late reviewer's request loaded, before the others decided
    review.review_approve(Draft.objects.get(pk=draft.pk), version_number=1, acting_user=reviewer)
    review.review_approve(Draft.objects.get(pk=draft.pk), version_number=1, acting_user=reviewer2)
    third = make_user("late-reviewer", Role.REVIEWER)
    assert stale.state == DraftState.IN_REVIEW
    story = draft_page_context(stale, third)["state_story"]
    assert "it has the approvals it needs" in story
    client.force_login(third)
    response = client.post(reverse("review_approve", args=[draft.pk]), {"version": "1"})
    assert response.status_code == 409
