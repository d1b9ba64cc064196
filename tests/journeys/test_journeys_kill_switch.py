"""The kill switch asks first (a confirm page, an htmx fragment in the list), says what it stops or restores, and a
paused journey shows what it holds instead of "nothing live"; the API says it is paused."""

from __future__ import annotations

import pytest

from tests.journeys_setup import Live
from workbench.audit.models import AuditEvent
from workbench.journeys import actions

pytestmark = pytest.mark.django_db


def _pause_url(live: Live) -> str:
    return f"/journeys/{live.journey.slug}/pause/"


def _paused(live: Live) -> bool:
    live.journey.refresh_from_db()
    return live.journey.paused


def _held(live: Live) -> list[str]:
    return [f"draft {p.version.draft_id} v{p.version.number}" for p in (live.a, live.b)]


def test_pausing_asks_first_and_lists_what_stops_being_served(client, publisher, live: Live):
    client.force_login(publisher)
    page = client.get(_pause_url(live) + "?paused=1").content.decode()
    assert "Pause all of Spring?" in page and "What stops being served" in page
    assert all(held in page for held in _held(live)) and ">Pause Spring</button>" in page
    assert not _paused(live)
    # A POST that was not confirmed (an old form, a crafted request) only asks.
    assert client.post(_pause_url(live), {"paused": "1"}).status_code == 200 and not _paused(live)
    assert not AuditEvent.objects.filter(action="journey.pause").exists()


def test_confirming_pauses_and_the_list_shows_what_the_journey_holds(client, publisher, live: Live):
    client.force_login(publisher)
    response = client.post(_pause_url(live), {"paused": "1", "confirm": "1"})
    assert response.status_code == 302 and _paused(live)
    assert AuditEvent.objects.filter(action="journey.pause").count() == 1
    page = client.get("/journeys/").content.decode()
    start = page.index('id="journey-spring"')
    spring = page[start:page.index("</section>", start)]
    assert "Held while paused" in spring and "nothing live" not in spring
    assert all(held in spring for held in _held(live)) and "Resume Spring…" in spring
    assert "Spring is paused: the API serves none of its content until it is resumed." in page


def test_the_paused_step_page_shows_what_resume_restores(client, marketer, live: Live):
    actions.journey_set_paused(live.journey, paused=True, acting_user=live.publisher)
    client.force_login(marketer)
    page = client.get(f"/journeys/{live.journey.slug}/steps/{live.step.slug}/").content.decode()
    assert "Held while paused" in page and "Live now" not in page
    assert all(held in page for held in _held(live)) and "Resume Spring…" not in page  # a marketer cannot resume


def test_resuming_asks_first_and_serves_what_was_held(client, publisher, live: Live):
    actions.journey_set_paused(live.journey, paused=True, acting_user=publisher)
    client.force_login(publisher)
    page = client.get(_pause_url(live)).content.decode()  # no direction given: the opposite of now
    assert "Resume Spring?" in page and "What is served again" in page and all(held in page for held in _held(live))
    assert client.post(_pause_url(live), {"paused": "0", "confirm": "1"}).status_code == 302 and not _paused(live)
    assert AuditEvent.objects.filter(action="journey.resume").count() == 1


def test_a_stale_confirmation_does_not_flip_the_switch_back(client, publisher, live: Live):
    """Two publishers pause at once: the second confirmation changes nothing, rather than resuming."""
    actions.journey_set_paused(live.journey, paused=True, acting_user=publisher)
    client.force_login(publisher)
    response = client.post(_pause_url(live), {"paused": "1", "confirm": "1"}, follow=True)
    assert "Spring was already paused; nothing changed." in response.content.decode() and _paused(live)
    assert AuditEvent.objects.filter(action="journey.pause").count() == 1
    assert "already paused" in client.get(_pause_url(live) + "?paused=1").content.decode()


def test_htmx_gets_the_confirmation_as_a_fragment_in_the_list(client, publisher, live: Live):
    client.force_login(publisher)
    fragment = client.get(_pause_url(live) + "?paused=1", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "autofocus" in fragment and "Pause all of Spring?" in fragment
    list_page = client.get("/journeys/").content.decode()
    assert f'hx-get="{_pause_url(live)}?paused=1" hx-target="#kill-switch-spring"' in list_page
    assert f'href="{_pause_url(live)}?paused=1"' in list_page  # the same link works without JavaScript


def test_only_publishers_reach_the_kill_switch(client, marketer, reviewer, live: Live):
    for user in (marketer, reviewer):
        client.force_login(user)
        assert client.get(_pause_url(live)).status_code == 403
        assert client.post(_pause_url(live), {"paused": "1", "confirm": "1"}).status_code == 403
    assert not _paused(live)


def test_the_api_says_the_journey_is_paused(client, publisher, live: Live):
    client.force_login(publisher)
    client.post(_pause_url(live), {"paused": "1", "confirm": "1"})
    response = client.get(live.url(), **live.auth())
    assert response.status_code == 404 and response.json()["error"] == "journey_paused"
    assert "is paused" in response.json()["detail"]
