"""The journey pages: publishers manage journeys, steps and what is live; everyone sees what works."""

from __future__ import annotations

import pytest

from tests.journeys_setup import Live, approved_draft, publish_through_dialog
from workbench.audit.models import AuditEvent
from workbench.journeys.models import Journey, JourneyStep, OutcomeCount, Publication

pytestmark = pytest.mark.django_db


def _step_url(live: Live, suffix: str = "") -> str:
    return f"/journeys/{live.journey.slug}/steps/{live.step.slug}/{suffix}"


def test_a_publisher_creates_a_journey_and_a_step(client, publisher, brand, segments):
    client.force_login(publisher)
    response = client.post("/journeys/new/", {"brand": brand.pk, "slug": "winback", "name": "Win-back"})
    assert response.status_code == 302 and Journey.objects.filter(slug="winback").exists()
    response = client.post("/journeys/winback/steps/new/", {
        "slug": "nudge", "name": "Nudge", "channel": "push", "suppress_signals": "billing_issue, open_support_case",
        "default_segment": segments["loyal"].pk, "promotional": "on",
    })
    step = JourneyStep.objects.get(journey__slug="winback", slug="nudge")
    assert response.status_code == 302 and step.suppress_signals == ["billing_issue", "open_support_case"] and step.promotional
    assert AuditEvent.objects.filter(action__in=["journey.create", "journey.step_create"]).count() >= 2


def test_bad_input_is_shown_on_the_form_and_nothing_is_stored(client, publisher, brand, live: Live):
    client.force_login(publisher)
    response = client.post("/journeys/new/", {"brand": brand.pk, "slug": live.journey.slug, "name": "Dup"})
    assert response.status_code == 400 and "already exists" in response.content.decode()
    response = client.post(f"/journeys/{live.journey.slug}/steps/new/", {"slug": live.step.slug, "name": "Again", "channel": "email"})
    assert response.status_code == 400 and "already has a step" in response.content.decode()
    response = client.post(_step_url(live, "edit/"), {"name": "Launch email", "suppress_signals": "Bad Signal!"})
    assert response.status_code == 400 and "Signal names" in response.content.decode()
    response = client.post(f"/journeys/{live.journey.slug}/edit/", {"name": ""})
    assert response.status_code == 400
    live.step.refresh_from_db()
    assert live.step.suppress_signals == ["billing_issue", "open_support_case"]


def test_the_step_page_shows_variants_rates_and_the_test_it_uses(client, marketer, live: Live):
    OutcomeCount.objects.create(publication=live.a, event="delivered", count=1000)
    OutcomeCount.objects.create(publication=live.a, event="converted", count=100)
    OutcomeCount.objects.create(publication=live.b, event="delivered", count=1000)
    OutcomeCount.objects.create(publication=live.b, event="converted", count=40)
    client.force_login(marketer)
    page = client.get(_step_url(live)).content.decode()
    assert "10.0 %" in page and "4.0 %" in page
    assert "two-proportion z-test" in page and "significantly worse" in page and "leader" in page
    assert "Save weights" not in page and "Publish</button>" not in page  # a marketer sees, does not change


def test_a_publisher_publishes_rolls_back_and_shifts_weights_from_the_step_page(client, publisher, live: Live, brand, prompt, segments, marketer, reviewer):
    draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    client.force_login(publisher)
    page = client.get(_step_url(live)).content.decode()
    assert f'value="{draft.latest_version().pk}"' in page
    response = publish_through_dialog(client, _step_url(live, "publish/"), {"version": draft.latest_version().pk, "weight": 100, "replace": "1"})
    assert response.status_code == 302
    assert set(live.step.publications.current().values_list("version__draft", flat=True)) == {draft.pk}
    client.post(_step_url(live, "rollback/"), {"segment": segments["new"].pk})
    assert set(live.step.publications.current().values_list("version_id", flat=True)) == {live.a.version_id, live.b.version_id}
    current = list(live.step.publications.current())
    client.post(_step_url(live, "weights/"), {f"weight-{current[0].pk}": "0", f"weight-{current[1].pk}": "75"})
    assert list(live.step.publications.current().values_list("pk", "weight")) == [(current[1].pk, 75)]


def test_a_bad_publish_keeps_the_form_with_the_reason(client, publisher, live: Live):
    client.force_login(publisher)
    response = client.post(_step_url(live, "publish/"), {"version": live.a.version_id, "weight": 100, "replace": "1",
                                                           "starts_at": "2030-01-02T10:00", "ends_at": "2030-01-01T10:00"})
    assert response.status_code == 400 and "must end after it starts" in response.content.decode()
    assert Publication.objects.count() == 2


@pytest.mark.parametrize("path", ["journeys/new/", "journeys/spring/edit/", "journeys/spring/steps/launch-email/edit/"])
def test_marketers_and_reviewers_may_not_manage_journeys(client, marketer, reviewer, live: Live, path):
    for user in (marketer, reviewer):
        client.force_login(user)
        assert client.get("/" + path).status_code == 403
    client.force_login(marketer)
    assert client.post(_step_url(live, "rollback/"), {"segment": 1}).status_code == 403
    assert client.post(_step_url(live, "weights/"), {f"weight-{live.a.pk}": "1"}).status_code == 403


def test_the_kill_switch_button_pauses_and_is_audited(client, publisher, live: Live):
    client.force_login(publisher)
    client.post(f"/journeys/{live.journey.slug}/pause/", {"paused": "1", "confirm": "1"})
    live.journey.refresh_from_db()
    assert live.journey.paused and AuditEvent.objects.filter(action="journey.pause").exists()
    assert "journey is paused" in client.get(_step_url(live)).content.decode()


def test_pages_take_constant_queries_as_history_grows(client, publisher, live: Live, django_assert_max_num_queries, brand, prompt, segments, marketer, reviewer):
    from workbench.journeys import actions

    client.force_login(publisher)
    with django_assert_max_num_queries(40) as before:
        client.get(_step_url(live))
    for _ in range(3):
        draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
        actions.publication_create(live.step, version=draft.latest_version(), acting_user=live.publisher)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(_step_url(live))
    for url in ("/journeys/", "/journeys/performance/"):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200


def test_the_performance_page_groups_by_segment_and_prompt_version(client, marketer, live: Live):
    OutcomeCount.objects.create(publication=live.a, event="delivered", count=200)
    OutcomeCount.objects.create(publication=live.a, event="clicked", count=50)
    client.force_login(marketer)
    page = client.get("/journeys/performance/").content.decode()
    assert "New customers" in page and "Brand voice v1" in page and "spring/launch-email" in page
    assert "25.0 %" in page
