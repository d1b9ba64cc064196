"""Approving and publishing judge the brand's current guide; a guide change re-checks drafts in review at once, with progress."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.checks_pipeline import EMAIL, draft_with_text
from tests.pipeline import approved_draft
from workbench.brand.actions import guide_version_create
from workbench.checks import tasks
from workbench.checks.models import CheckResult, Recertification
from workbench.checks.actions import recertify
from workbench.errors import CopydeskError
from workbench.generation import actions as generation
from workbench.generation.models import Draft, DraftState
from workbench.journeys.actions import journey_create, journey_step_create, publication_create
from workbench.review.actions import review_approve

pytestmark = pytest.mark.django_db

STURDY = {**EMAIL, "body": "Sturdy boots for every trail. {{ unsubscribe_url }}"}
LINE = "disallowed:                     # whole words/phrases, any case, see matching rules\n"


def ban(brand, admin_user, term: str = "sturdy"):  # type: ignore[no-untyped-def]
    source = brand.current_guide().source_yaml.replace(LINE, LINE + f"  - {{term: {term}, severity: block}}\n")
    return guide_version_create(source_yaml=source, acting_user=admin_user)


def in_review(brand, prompt, segment, marketer, fields=STURDY) -> Draft:  # type: ignore[no-untyped-def]
    draft = draft_with_text(brand, prompt, segment, marketer, fields)
    return generation.draft_submit(draft, acting_user=marketer)


def test_it_refuses_to_approve_what_the_current_guide_blocks_even_before_any_recheck(brand, prompt, segments, marketer, reviewer, admin_user, monkeypatch):
    monkeypatch.setattr(tasks.recertify_guide, "delay", lambda pk: None)  # no worker: the re-check never ran
    draft = in_review(brand, prompt, segments["new"], marketer)
    new = ban(brand, admin_user)
    with pytest.raises(CopydeskError, match="blocking finding.*current brand guide"):
        review_approve(draft, version_number=draft.latest_version().number, acting_user=reviewer)
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW and draft.blocking
    assert CheckResult.objects.get(version=draft.latest_version(), guide_version=new).blocking[0]["rule"] == "sturdy"


def test_it_approves_clean_copy_after_checking_it_against_the_current_guide(brand, prompt, segments, marketer, reviewer, admin_user, monkeypatch):
    monkeypatch.setattr(tasks.recertify_guide, "delay", lambda pk: None)
    draft = in_review(brand, prompt, segments["new"], marketer, fields=EMAIL)
    new = ban(brand, admin_user)
    review_approve(draft, version_number=draft.latest_version().number, acting_user=reviewer)
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED
    assert CheckResult.objects.filter(version=draft.latest_version(), guide_version=new, passed=True).exists()


def test_it_refuses_to_publish_an_approved_version_the_current_guide_blocks(brand, prompt, segments, marketer, reviewer, publisher, admin_user, monkeypatch):
    monkeypatch.setattr(tasks.recertify_guide, "delay", lambda pk: None)
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journey_step_create(journey, slug="welcome-email", name="Welcome email", channel="email", default_segment=segments["new"], acting_user=publisher)
    draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer, fields=STURDY)
    ban(brand, admin_user)
    with pytest.raises(CopydeskError, match="blocking findings"):
        publication_create(step, version=draft.latest_version(), acting_user=publisher)
    assert not step.publications.exists()


def test_a_guide_change_rechecks_drafts_in_review_and_the_queue_and_guide_page_show_it(
    brand, prompt, segments, marketer, reviewer, admin_user, logged_in, monkeypatch, django_capture_on_commit_callbacks
):
    blocked = in_review(brand, prompt, segments["new"], marketer)
    clean = in_review(brand, prompt, segments["new"], marketer, fields=EMAIL)
    queued: list[int] = []
    monkeypatch.setattr(tasks.recertify_guide, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        new = ban(brand, admin_user)
    assert queued == [new.pk]

    client = logged_in(admin_user)
    assert "queued to be re-checked against version 2" in client.get(reverse("guide_detail", args=["northwind"])).content.decode()
    tasks.recertify_guide(new.pk)  # what the worker runs

    run = Recertification.objects.get(guide_version=new)
    assert (run.total, run.checked, run.blocked) == (2, 2, 1) and run.finished_at is not None
    blocked.refresh_from_db(), clean.refresh_from_db()
    assert blocked.blocking and not clean.blocking
    page = client.get(reverse("guide_detail", args=["northwind"])).content.decode()
    assert "Re-checked 2 drafts in review, approved or live against version 2: 1 now has blocking findings." in page
    assert "1 draft in review is blocked" in page
    queue = logged_in(reviewer).get(reverse("review_queue")).content.decode()
    assert queue.count("blocked by the new guide") == 1 and "blocked by the new guide</span> <small class=\"muted\">sturdy</small>" in queue


def test_the_guide_page_shows_progress_while_the_recheck_runs(brand, prompt, segments, marketer, admin_user, logged_in, monkeypatch):
    monkeypatch.setattr(tasks.recertify_guide, "delay", lambda pk: None)
    for _ in range(3):
        in_review(brand, prompt, segments["new"], marketer)
    new = ban(brand, admin_user)
    seen: list[str] = []
    from workbench.checks import actions as check_actions

    real = check_actions.check_version

    def check_and_look(version, *, guide_version=None):  # type: ignore[no-untyped-def]
        seen.append(logged_in(admin_user).get(reverse("guide_detail", args=["northwind"])).content.decode())
        return real(version, guide_version=guide_version)

    monkeypatch.setattr(check_actions, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(check_actions, "check_version", check_and_look)
    recertify(new)
    assert "Re-checking 3 drafts in review, approved or live against version 2: 0 done." in seen[0]
    assert "Re-checking 3 drafts in review, approved or live against version 2: 2 done." in seen[2]


def test_a_rollback_does_not_bring_back_what_the_current_guide_blocks(brand, prompt, segments, marketer, reviewer, publisher, admin_user, monkeypatch):
    from workbench.journeys.actions import publication_end, publication_rollback

    monkeypatch.setattr(tasks.recertify_guide, "delay", lambda pk: None)
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journey_step_create(journey, slug="welcome-email", name="Welcome email", channel="email", default_segment=segments["new"], acting_user=publisher)
    draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer, fields=STURDY)
    publication_end(publication_create(step, version=draft.latest_version(), acting_user=publisher), acting_user=publisher)
    ban(brand, admin_user)
    with pytest.raises(CopydeskError, match="blocking findings"):
        publication_rollback(step, segment=segments["new"], acting_user=publisher)
    assert not step.publications.current().exists()
