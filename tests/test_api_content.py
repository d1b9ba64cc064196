"""GET …/content: what a journey engine is served, and when it is served nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from tests.journeys_setup import CONTENT, Live
from workbench.journeys import actions

pytestmark = pytest.mark.django_db


def test_it_serves_the_live_content_with_etag_and_cache_control(client, live: Live):
    response = client.get(live.url(subject_id="42"), **live.auth())
    assert response.status_code == 200
    body = response.json()
    assert body["publication"] in (live.a.pk, live.b.pk)
    assert body["segment"] == "new-customers" and body["channel"] == "email"
    assert body["merge_fields"] == sorted(set(body["merge_fields"])) and "first_name" in body["merge_fields"]
    served = live.a if body["publication"] == live.a.pk else live.b
    assert response["ETag"] == f'"p{served.pk}-v{served.version_id}"'
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_304_while_the_etag_still_matches(client, live: Live):
    first = client.get(live.url(subject_id="7"), **live.auth())
    again = client.get(live.url(subject_id="7"), HTTP_IF_NONE_MATCH=first["ETag"], **live.auth())
    assert again.status_code == 304 and again["ETag"] == first["ETag"] and again.content == b""
    stale = client.get(live.url(subject_id="7"), HTTP_IF_NONE_MATCH='"p0-v0"', **live.auth())
    assert stale.status_code == 200


def test_it_picks_the_same_variant_for_the_same_subject_and_splits_by_weight(client, live: Live):
    picks = {s: client.get(live.url(subject_id=str(s)), **live.auth()).json()["publication"] for s in range(200)}
    assert all(client.get(live.url(subject_id=str(s)), **live.auth()).json()["publication"] == picks[s] for s in range(0, 200, 10))
    share_a = sum(1 for p in picks.values() if p == live.a.pk) / len(picks)
    assert 0.35 < share_a < 0.65  # 50/50 weights


def test_it_follows_a_weight_shift_at_once(client, live: Live):
    actions.publication_set_weights(live.step, weights={live.a.pk: 1, live.b.pk: 10000}, acting_user=live.publisher)
    picks = [client.get(live.url(subject_id=str(s)), **live.auth()).json()["publication"] for s in range(50)]
    assert picks.count(live.b.pk) >= 48


def test_it_suppresses_a_step_for_its_signals_with_204(client, live: Live):
    assert client.get(live.url(signals="billing_issue"), **live.auth()).status_code == 204
    assert client.get(live.url(signals="vip,open_support_case"), **live.auth()).status_code == 204
    assert client.get(live.url(signals="vip"), **live.auth()).status_code == 200


def test_it_falls_back_to_the_default_segment_and_404s_when_nothing_is_live(client, live: Live, segments):
    fallback = client.get(live.url(segment="loyal-members"), **live.auth())
    assert fallback.status_code == 200 and fallback.json()["segment"] == "new-customers"
    actions.publication_end(live.a, acting_user=live.publisher)
    actions.publication_end(live.b, acting_user=live.publisher)
    gone = client.get(live.url(), **live.auth())
    assert gone.status_code == 404 and "Nothing is live" in gone.json()["detail"]
    assert client.get(CONTENT.format(journey=live.journey.slug, step="nope") + "?segment=x", **live.auth()).status_code == 404


def test_the_kill_switch_stops_everything_and_resuming_brings_it_back(client, live: Live):
    assert client.get(live.url(), **live.auth()).status_code == 200  # now remembered by this process
    actions.journey_set_paused(live.journey, paused=True, acting_user=live.publisher)
    assert client.get(live.url(), **live.auth()).status_code == 404
    listed = client.get("/api/v1/journeys", **live.auth()).json()["journeys"][0]
    assert listed["steps"][0]["live_segments"] == []
    actions.journey_set_paused(live.journey, paused=False, acting_user=live.publisher)
    assert client.get(live.url(), **live.auth()).status_code == 200


def test_it_serves_content_only_inside_its_window(client, live: Live, brand, prompt, segments, marketer, reviewer):
    from tests.journeys_setup import approved_draft

    now = timezone.now()
    draft = approved_draft(brand, prompt, segments["loyal"], marketer, reviewer)
    later = actions.publication_create(live.step, version=draft.latest_version(), starts_at=now + timedelta(hours=1), acting_user=live.publisher)
    response = client.get(live.url(segment="loyal-members"), **live.auth())
    assert response.json()["publication"] != later.pk  # not yet: the default segment's content instead
    expired_soon = actions.publication_create(
        live.step, version=draft.latest_version(), starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2), replace=True, acting_user=live.publisher
    )
    assert client.get(live.url(segment="loyal-members"), **live.auth()).json()["publication"] == expired_soon.pk
    from workbench.journeys.delivery import choose, load_snapshot

    snapshot = load_snapshot(live.journey.slug, live.step.slug)
    assert snapshot is not None
    after = choose(snapshot, "loyal-members", None, now + timedelta(hours=3))
    assert after is not None and after.publication_id in (live.a.pk, live.b.pk)  # past its end: the default segment again


def test_it_renders_known_merge_fields_escaped_and_reports_the_rest(client, live: Live):
    attributes = quote(json.dumps({"first_name": "<b>Ann</b> & co", "unknown_thing": "x"}))
    response = client.get(live.url(render="true", attributes=attributes), **live.auth())
    body = response.json()
    assert body["rendered"] is True
    text = " ".join(body["fields"].values())
    assert "&lt;b&gt;Ann&lt;/b&gt; &amp; co" in text and "<b>" not in text
    assert "unsubscribe_url" in body["unfilled_merge_fields"]
    plain = client.get(live.url(), **live.auth())
    assert response["ETag"] != plain["ETag"]


def test_it_never_evaluates_content_as_a_template(client, live: Live):
    attributes = quote(json.dumps({"first_name": "{{ settings.SECRET_KEY }}{% debug %}"}))
    body = client.get(live.url(render="true", attributes=attributes), **live.auth()).json()
    assert "{{ settings.SECRET_KEY }}{% debug %}" in " ".join(body["fields"].values())


@pytest.mark.parametrize("attributes", ["not json", "[1, 2]", '{"first_name": {"nested": 1}}'])
def test_it_refuses_bad_attributes_with_a_message(client, live: Live, attributes):
    response = client.get(live.url(render="true", attributes=quote(attributes)), **live.auth())
    assert response.status_code == 400 and "attributes" in response.json()["detail"]
