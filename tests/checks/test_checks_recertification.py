"""A new guide version re-checks approved and live content and flags what it would block, unpublishing nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.checks_pipeline import EMAIL
from tests.pipeline import approved_draft
from workbench.access import SYSTEM
from workbench.audit.models import AuditEvent
from workbench.brand.actions import guide_version_create
from workbench.checks import tasks
from workbench.checks.models import CheckResult, Recertification
from workbench.checks.actions import recertify
from workbench.generation.models import DraftState
from workbench.journeys.actions import api_client_create, journey_create, journey_step_create, publication_create
from workbench.journeys.models import Publication

pytestmark = pytest.mark.django_db

STURDY = {**EMAIL, "body": "Sturdy boots for every trail. {{ unsubscribe_url }}"}
PLAIN = {**EMAIL, "body": "Light boots for every trail. {{ unsubscribe_url }}"}


def ban(brand, admin_user, term: str = "sturdy"):
    source = brand.current_guide().source_yaml.replace(
        "disallowed:                     # whole words/phrases, any case, see matching rules\n",
        "disallowed:                     # whole words/phrases, any case, see matching rules\n"
        f"  - {{term: {term}, severity: block, suggestion: durable}}\n",
    )
    return guide_version_create(source_yaml=source, acting_user=admin_user)


@pytest.fixture
def live(brand, prompt, segments, marketer, reviewer, publisher):
    """A live publication of a "sturdy" email, an approved but unpublished "sturdy" email and a plain approved one."""
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journey_step_create(journey, slug="welcome-email", name="Welcome email", channel="email", default_segment=segments["new"], acting_user=publisher)
    published = approved_draft(brand, prompt, segments["new"], marketer, reviewer, fields=STURDY)
    publication_create(step, version=published.latest_version(), acting_user=publisher)
    return {
        "published": published,
        "approved": approved_draft(brand, prompt, segments["new"], marketer, reviewer, fields=STURDY),
        "clean": approved_draft(brand, prompt, segments["new"], marketer, reviewer, fields=PLAIN),
    }


def test_a_new_guide_version_enqueues_recertification_on_commit(brand, admin_user, monkeypatch, django_capture_on_commit_callbacks):
    queued: list[int] = []
    monkeypatch.setattr(tasks.recertify_guide, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        new = ban(brand, admin_user)
    assert queued == [new.pk]
    with django_capture_on_commit_callbacks() as callbacks:
        guide_version_create(source_yaml=new.source_yaml, acting_user=admin_user)  # unchanged: no version, nothing to re-check
    assert callbacks == []


def test_it_flags_what_the_new_guide_blocks_and_keeps_it_live(live, brand, admin_user, client):
    new = ban(brand, admin_user)
    tasks.recertify_guide(new.pk)  # what the worker runs

    run = Recertification.objects.get(guide_version=new)
    assert (run.checked, run.blocked) == (3, 2)
    for name in ("published", "approved"):
        result = CheckResult.objects.get(version=live[name].latest_version(), guide_version=new)
        assert not result.passed and result.blocking[0]["rule"] == "sturdy"
    assert CheckResult.objects.get(version=live["clean"].latest_version(), guide_version=new).passed
    assert {d.state for d in (live["published"], live["approved"], live["clean"])} == {DraftState.APPROVED}
    assert Publication.objects.current().count() == 1
    event = AuditEvent.objects.filter(action="check.recertify").get()
    assert event.changes["blocked"] == [None, 2] and event.actor_type == "system"
    assert sorted(event.changes["blocked_versions"]) == sorted(live[n].latest_version().pk for n in ("published", "approved"))

    _, token = api_client_create(name="engine", all_journeys=True, acting_user=SYSTEM)
    pulled = client.get("/api/v1/journeys/welcome/steps/welcome-email/content", {"segment": "new-customers"}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert pulled.status_code == 200 and pulled.json()["content_id"] == live["published"].pk


def test_running_it_twice_stores_nothing_twice(live, brand, admin_user):
    new = ban(brand, admin_user)
    recertify(new)
    results = CheckResult.objects.count()
    run = recertify(new)
    assert CheckResult.objects.count() == results
    assert run is not None and (run.checked, run.blocked) == (3, 2) and Recertification.objects.count() == 1


def test_a_superseded_guide_version_is_left_to_the_newer_one(live, brand, admin_user):
    old = ban(brand, admin_user)
    guide_version_create(source_yaml=old.source_yaml.replace("name: Northwind Outfitters", "name: Northwind Outfitters Ltd"), acting_user=admin_user)
    assert recertify(old) is None
    assert not CheckResult.objects.filter(guide_version=old).exists()


def test_the_page_lists_blocked_content_with_links(live, brand, admin_user, logged_in, reviewer):
    recertify(ban(brand, admin_user))
    page = logged_in(reviewer).get(reverse("recertification")).content.decode()
    for name in ("published", "approved"):
        assert reverse("draft_detail", args=[live[name].pk]) in page
    assert reverse("draft_detail", args=[live["clean"].pk]) not in page
    assert reverse("step_detail", args=["welcome", "welcome-email"]) in page
    assert "&quot;sturdy&quot; is not allowed" in page
    assert "still approved and still served" in page


def test_an_admin_can_run_it_when_no_worker_did(live, brand, admin_user, logged_in, reviewer):
    ban(brand, admin_user)
    url = reverse("recertify_now", args=["northwind"])
    assert "Re-check now" in logged_in(admin_user).get(reverse("recertification")).content.decode()
    assert logged_in(reviewer).post(url).status_code == 403
    response = logged_in(admin_user).post(url, follow=True)
    assert "Re-checked 3 item(s) in review, approved or live" in response.content.decode() and "2 would be blocked" in response.content.decode()


def test_the_page_takes_the_same_queries_as_flags_grow(live, brand, prompt, segments, marketer, reviewer, admin_user, logged_in, django_assert_num_queries):
    client = logged_in(admin_user)
    recertify(ban(brand, admin_user))
    client.get(reverse("recertification"))
    with django_assert_num_queries(9) as few:
        client.get(reverse("recertification"))
    for _ in range(3):
        approved_draft(brand, prompt, segments["new"], marketer, reviewer, fields={**EMAIL, "body": "Rugged boots. {{ unsubscribe_url }}"})
    recertify(ban(brand, admin_user, "rugged"))
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(reverse("recertification")).content.decode()
    assert page.count("&quot;rugged&quot; is not allowed") == 3 and page.count("&quot;sturdy&quot; is not allowed") == 2
