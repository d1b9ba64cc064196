"""The home page by role: the marketer's drafts in review and sent back, the reviewer's drafts to act on (by the
approval policy) with what is due, the publisher's approved but unpublished drafts, the admin's health; a person
with several roles sees each section; a fixed number of queries whatever the amount of content."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.pipeline import approved_draft, generate_now, make_brief
from workbench import heartbeat
from workbench.audit.actions import verification_run
from workbench.audit.models import VerificationTrigger
from workbench.generation import actions as generation
from workbench.generation.models import Draft
from workbench.journeys.actions import journey_create, journey_step_create, publication_create
from workbench.review import actions as review
from workbench.review import deadlines
from workbench.review.models import ReviewDeadline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_heartbeat_yet():  # type: ignore[no-untyped-def]
    """The cache outlives a test's database: start each test without a worker heartbeat."""
    from django.core.cache import cache

    cache.delete(heartbeat.CACHE_KEY)
    yield
    cache.delete(heartbeat.CACHE_KEY)


def submitted(brand, prompt, segment, author, channel: str = "email", fields: dict[str, str] | None = None) -> Draft:  # type: ignore[no-untyped-def]
    brief = make_brief(brand, prompt, [segment], author, channels=[channel], variants=1)
    (draft,) = generate_now(brief, author)
    if fields is not None:
        generation.draft_edit(draft, fields=fields, base_version=1, acting_user=author)
    return review.submit_for_review(draft, acting_user=author)


def due_in(draft: Draft, hours: float) -> None:
    ReviewDeadline.objects.filter(draft=draft).update(due_at=timezone.now() + timedelta(hours=hours))


def home(client):  # type: ignore[no-untyped-def]
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def test_the_marketer_sees_her_drafts_in_review_and_those_sent_back_with_the_reason(logged_in, brand, prompt, segments, marketer, reviewer):
    waiting = [submitted(brand, prompt, segments["new"], marketer) for _ in range(3)]
    due_in(waiting[0], -1)
    rejected = submitted(brand, prompt, segments["loyal"], marketer)
    review.review_reject(rejected, version_number=1, reason="Too pushy for members.", acting_user=reviewer)
    changes = submitted(brand, prompt, segments["loyal"], marketer, channel="sms")
    review.review_request_changes(changes, version_number=1, reason="Add the tracking link.", acting_user=reviewer)
    response = home(logged_in(marketer))
    section = response.context["marketer"]
    assert section.in_review_count == 3 and [d.pk for d in section.in_review][0] == waiting[0].pk
    assert {d.pk for d in section.returned} == {rejected.pk, changes.pk} and section.returned_count == 2
    page = response.content.decode()
    assert "Too pushy for members." in page and "Add the tracking link." in page
    assert f"{reviewer.display_name} rejected version 1" in page and "asked for changes to version 1" in page
    assert "overdue" in page
    assert "reviewer" not in response.context and "publisher" not in response.context and "health" not in response.context


def test_the_reviewer_sees_only_what_the_policy_lets_them_act_on_soonest_due_first(logged_in, brand, prompt, segments, marketer, reviewer, reviewer2):
    later = submitted(brand, prompt, segments["new"], marketer)
    overdue = submitted(brand, prompt, segments["loyal"], marketer)
    due_in(overdue, -2)
    soon = submitted(brand, prompt, segments["loyal"], marketer, channel="sms")
    due_in(soon, 1)
    # A sensitive segment needs two approvers: once this reviewer approved, only someone else can act on it.
    sensitive = submitted(brand, prompt, segments["complaint"], marketer, fields=_clean_email())
    review.review_approve(sensitive, version_number=2, acting_user=reviewer)
    claimed = submitted(brand, prompt, segments["new"], marketer, channel="sms")
    review.draft_claim(claimed, acting_user=reviewer2)

    section = home(logged_in(reviewer)).context["reviewer"]
    shown = [row.card.draft.pk for row in section.rows]
    assert shown[:2] == [overdue.pk, soon.pk] and later.pk in shown
    assert claimed.pk not in shown
    assert sensitive.pk not in shown  # approved by this reviewer: only a second reviewer can act on it now
    assert section.overdue == 1 and section.due_soon == 1 and section.in_review == 5
    assert next(row for row in section.rows if row.card.draft.pk == overdue.pk).overdue

    other = home(logged_in(reviewer2)).context["reviewer"]
    assert {sensitive.pk, claimed.pk} <= {row.card.draft.pk for row in other.rows}
    assert next(row for row in other.rows if row.card.draft.pk == claimed.pk).claimed_by_me


def test_the_reviewer_never_sees_their_own_draft(logged_in, brand, prompt, segments, admin_user, reviewer):
    own = submitted(brand, prompt, segments["new"], admin_user)
    section = home(logged_in(admin_user)).context["reviewer"]
    assert own.pk not in [row.card.draft.pk for row in section.rows] and section.actionable == 0
    assert "none you can act on now" in home(logged_in(admin_user)).content.decode()
    assert own.pk in [row.card.draft.pk for row in home(logged_in(reviewer)).context["reviewer"].rows]


def test_the_publisher_sees_approved_drafts_not_yet_published(logged_in, brand, prompt, segments, marketer, reviewer, publisher):
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journey_step_create(journey, slug="email", name="Email", channel="email", default_segment=segments["new"], acting_user=publisher)
    ready = approved_draft(brand, prompt, segments["new"], marketer, reviewer, fields=_clean_email())
    live = approved_draft(brand, prompt, segments["new"], marketer, reviewer, fields=_clean_email())
    publication_create(step, version=live.latest_version(), acting_user=publisher)
    response = home(logged_in(publisher))
    section = response.context["publisher"]
    assert [d.pk for d in section.drafts] == [ready.pk] and section.count == 1 and section.live_count == 1
    assert str(ready) in response.content.decode()
    assert "marketer" not in response.context and "reviewer" not in response.context and "health" not in response.context


def _clean_email() -> dict[str, str]:
    return {"subject": "Your boots are on their way", "preheader": "Track them any time", "body": "<p>Hi {{ first_name }}, your order is packed with care. {{ unsubscribe_url }}</p>"}


def test_the_admin_sees_worker_audit_check_and_failed_jobs_and_every_other_section(logged_in, brand, prompt, segments, marketer, admin_user):
    client = logged_in(admin_user)
    page = home(client)
    assert {"marketer", "reviewer", "publisher", "health"} <= set(page.context.keys())
    text = page.content.decode()
    assert "no heartbeat yet" in text and "not verified yet" in text and "no failed" in text

    heartbeat.worker_heartbeat()
    verification_run(trigger=VerificationTrigger.SCHEDULE)
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)
    run = generation.generation_start(brief, acting_user=marketer, enqueue=False)
    job = run.jobs.get()
    generation.job_fail(job.pk, "The provider refused the request: quota exceeded.")
    page = home(client)
    health = page.context["health"]
    assert health.worker_alive and health.verification.ok and health.failed_count == 1
    text = page.content.decode()
    assert "worker alive" in text and "chain verified" in text and "quota exceeded" in text and "1 failed" in text


def test_a_stale_heartbeat_and_a_broken_chain_are_shown_as_problems(logged_in, admin_user):
    from django.core.cache import cache

    cache.set(heartbeat.CACHE_KEY, (timezone.now() - timedelta(minutes=20)).timestamp(), timeout=None)
    from workbench.audit.models import AuditVerification

    AuditVerification.objects.create(created_at=timezone.now(), ok=False, problem="event #7 was altered", trigger=VerificationTrigger.COMMAND)
    text = home(logged_in(admin_user)).content.decode()
    assert "no worker" in text and "chain broken" in text and "event #7 was altered" in text


# Today 9, 10, 6 and 21 (the session, the user and the menu's notification badge included); a little room for the menu.
QUERY_CEILING = {"marketer": 12, "reviewer": 13, "publisher": 9, "admin_user": 24}


@pytest.mark.parametrize("persona", ["marketer", "reviewer", "publisher", "admin_user"])
def test_the_home_page_runs_a_fixed_number_of_queries(persona, request, logged_in, brand, prompt, segments, marketer, reviewer, publisher, admin_user, django_assert_num_queries):
    user = request.getfixturevalue(persona)
    client = logged_in(user)

    def some_content() -> None:
        waiting = submitted(brand, prompt, segments["new"], marketer)
        due_in(waiting, -1)
        sent_back = submitted(brand, prompt, segments["loyal"], marketer)
        review.review_reject(sent_back, version_number=1, reason="Not yet.", acting_user=reviewer)
        approved_draft(brand, prompt, segments["new"], marketer, reviewer, fields=_clean_email())

    some_content()
    home(client)  # warm the per-process caches (compiled guides, sessions)
    with CaptureQueriesContext(connection) as few:
        home(client)
    for _ in range(4):
        some_content()
    assert len(few) <= QUERY_CEILING[persona], [q["sql"][:120] for q in few.captured_queries]
    with django_assert_num_queries(len(few)):
        home(client)


def test_a_draft_without_a_deadline_comes_after_those_due(logged_in, brand, prompt, segments, marketer, reviewer):
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)
    (old,) = generate_now(brief, marketer)
    generation.draft_submit(old, acting_user=marketer)  # as drafts submitted before deadlines existed
    due = submitted(brand, prompt, segments["loyal"], marketer)
    rows = home(logged_in(reviewer)).context["reviewer"].rows
    assert [row.card.draft.pk for row in rows] == [due.pk, old.pk] and rows[1].due_at is None
    assert [d.pk for d in home(logged_in(marketer)).context["marketer"].in_review] == [due.pk, old.pk]
