"""The journey pages turn malformed, huge and out-of-range input into a message, never a 500, and change nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from tests.journeys_setup import Live, approved_draft, publish_through_dialog
from workbench.journeys.models import Publication

pytestmark = pytest.mark.django_db

HUGE = "9" * 25
WEIRD = ["abc", "-1", "0", HUGE, "1e3", "1.5", "\u0663", "", " ", "\x00"]


def _step_url(live: Live, suffix: str = "") -> str:
    return f"/journeys/{live.journey.slug}/steps/{live.step.slug}/{suffix}"


def _live_weights(live: Live) -> list[tuple[int, int]]:
    return list(live.step.publications.current().order_by("pk").values_list("pk", "weight"))


@pytest.mark.parametrize("key", WEIRD)
def test_odd_weight_keys_are_refused_with_a_message(client, publisher, live: Live, key):
    client.force_login(publisher)
    before = _live_weights(live)
    response = client.post(_step_url(live, "weights/"), {f"weight-{key}": "10", f"weight-{live.a.pk}": "20"})
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert _live_weights(live) == before


@pytest.mark.parametrize("value", ["abc", "-1", HUGE, "1e3", "1.5", "\u0663", "10001", "99999"])
def test_odd_weight_values_are_refused_with_a_message(client, publisher, live: Live, value):
    client.force_login(publisher)
    before = _live_weights(live)
    response = client.post(_step_url(live, "weights/"), {f"weight-{live.a.pk}": value})
    assert response.status_code == 302 and "whole numbers from 0" in str(list(get_messages(response.wsgi_request))[0])
    assert _live_weights(live) == before


@pytest.mark.parametrize("step", WEIRD)
def test_odd_step_ids_on_the_draft_page_publish_form_are_form_errors(client, publisher, live: Live, brand, prompt, segments, marketer, reviewer, step):
    draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    client.force_login(publisher)
    count = Publication.objects.count()
    response = client.post(f"/versions/{draft.latest_version().pk}/publish/", {"step": step, "replace": "1", "weight": "100", "confirm": "1"})
    assert response.status_code == 400 and b'<div class="field has-error"><label for="id_step">' in response.content and b'role="alert"' in response.content
    assert Publication.objects.count() == count


@pytest.mark.parametrize("weight", ["abc", "1e400", HUGE, "-5", "0", "10001"])
def test_odd_weights_on_the_draft_page_publish_form_are_refused(client, publisher, live: Live, brand, prompt, segments, marketer, reviewer, weight):
    draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    client.force_login(publisher)
    count = Publication.objects.count()
    response = client.post(f"/versions/{draft.latest_version().pk}/publish/", {"step": live.step.pk, "replace": "0", "weight": weight, "confirm": "1"})
    assert response.status_code == 400 and "The A/B weight must be a whole number from 1 to 10000." in response.content.decode()
    assert Publication.objects.count() == count


@pytest.mark.parametrize("segment", WEIRD)
def test_odd_segment_ids_on_rollback_are_a_404(client, publisher, live: Live, segment):
    client.force_login(publisher)
    assert client.post(_step_url(live, "rollback/"), {"segment": segment}).status_code == 404


@pytest.mark.parametrize("path", [f"/versions/{HUGE}/publish/", f"/publications/{HUGE}/end/", f"/api-clients/{HUGE}/revoke/"])
def test_out_of_range_ids_in_paths_are_a_404(client, admin_user, path):
    client.force_login(admin_user)
    assert client.post(path, {"step": "1"}).status_code == 404


@pytest.mark.parametrize("fields", [f"version={HUGE}", f"version=abc&segment={HUGE}", "weight=1e400", "starts_at=%ED%A0%80", "weight=%FF%FE"])
def test_odd_values_on_the_step_publish_form_are_form_errors(client, publisher, live: Live, fields):
    client.force_login(publisher)
    body = f"replace=0&version={live.a.version_id}&weight=10&{fields}"  # later values win, as a browser's would
    response = client.post(_step_url(live, "publish/"), body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and b'role="alert"' in response.content


def test_the_page_showing_a_new_token_is_never_stored(client, admin_user, live: Live):
    client.force_login(admin_user)
    response = client.post("/api-clients/", {"name": "Braze production", "all_journeys": "on", "rate_limit_per_minute": "600"})
    assert response.status_code == 200 and b"cpd_" in response.content
    assert "no-store" in response["Cache-Control"] and response["Pragma"] == "no-cache"
    assert "no-store" in client.get("/api-clients/")["Cache-Control"]


@pytest.mark.parametrize(("zone", "field", "moment"), [
    ("Etc/GMT+12", "starts_at", "9999-12-31T23:59"),  # behind UTC: stored as a moment in the year 10000, a 500 on confirm
    ("Etc/GMT+12", "ends_at", "9999-12-31T23:59"),
    ("Etc/GMT-14", "starts_at", "0001-01-01T00:00"),  # ahead of UTC: a moment in the year 0
    ("UTC", "starts_at", "1999-12-31T23:59"),
    ("UTC", "ends_at", "9999-01-01T00:00"),
])
def test_a_window_time_no_time_zone_can_store_is_a_form_error(client, publisher, live: Live, brand, prompt, segments, marketer, reviewer, settings, zone, field, moment):
    settings.TIME_ZONE = zone
    draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    client.force_login(publisher)
    count = Publication.objects.count()
    data = {"step": live.step.pk, "replace": "0", "weight": "10", field: moment, "confirm": "1"}
    response = client.post(f"/versions/{draft.latest_version().pk}/publish/", data)
    assert response.status_code == 400 and response.context["plan"] is None
    assert response.context["form"].errors[field] == ["Pick a time from 01 Jan 2000 to 31 Dec 9998."]
    assert f'value="{moment}"' in response.content.decode()  # what was typed is kept
    step_page = client.post(_step_url(live, "publish/"), {"version": draft.latest_version().pk, "replace": "0", "weight": "10", field: moment})
    assert step_page.status_code == 400
    assert Publication.objects.count() == count


def test_a_far_window_that_can_be_stored_is_published_and_shown(client, publisher, live: Live, brand, prompt, segments, marketer, reviewer, settings):
    settings.TIME_ZONE = "Etc/GMT+12"
    draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    client.force_login(publisher)
    response = publish_through_dialog(client, f"/versions/{draft.latest_version().pk}/publish/", {"step": live.step.pk, "replace": "0", "weight": "10", "ends_at": "9998-12-31T23:59"})
    assert response.status_code == 302
    assert Publication.objects.get(version=draft.latest_version()).ends_at.year == 9999  # 23:59 at UTC-12 is the next day in UTC
    assert client.get(_step_url(live)).status_code == 200


@pytest.mark.parametrize("journey", [HUGE, "-1", "0", "\u0663"])
def test_an_api_client_for_a_journey_id_no_database_holds_is_a_form_error(client, admin_user, live: Live, journey):
    """Checkbox ids are looked up with IN (...): SQLite raised OverflowError for 10**25 (a 500)."""
    client.force_login(admin_user)
    count = type(live.client).objects.count()
    response = client.post("/api-clients/", {"name": "Braze", "journeys": [str(live.journey.pk), journey], "rate_limit_per_minute": "600"})
    assert response.status_code == 200 and "is not one of the available choices" in response.content.decode()
    assert b"cpd_" not in response.content and type(live.client).objects.count() == count
