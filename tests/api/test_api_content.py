"""GET …/content: what a journey engine is served, and when it is served nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from tests.journeys_setup import CONTENT, Live
from workbench.access import SYSTEM
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


# --- Contract 3's segment fallback paragraph, A/B arms, the kill switch -------------------------------------------


def test_a_sensitive_segment_never_falls_back_to_another_segments_content(client, live: Live):
    response = client.get(live.url(segment="open-complaint"), **live.auth())
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "nothing_live" and "sensitive" in body["detail"]


def test_marking_a_segment_sensitive_stops_its_fallback_at_once(client, live: Live, brand, segments):
    from workbench.brand.actions import segment_save

    assert client.get(live.url(segment="loyal-members"), **live.auth()).status_code == 200  # remembered by this process now
    loyal = segments["loyal"]
    segment_save(brand=brand, slug=loyal.slug, name=loyal.name, tone_context=loyal.tone_context, sensitive=True, acting_user=SYSTEM)
    assert client.get(live.url(segment="loyal-members"), **live.auth()).status_code == 404


def test_an_unknown_segment_is_a_404_that_says_so(client, live: Live):
    response = client.get(live.url(segment="new-customer"), **live.auth())
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "unknown_segment" and "new-customer" in body["detail"] and body["detail"].endswith(".")


def test_a_segment_of_another_brand_is_unknown_here(client, live: Live, django_user_model):
    from workbench.brand.models import Brand, Segment

    other = Brand.objects.create(slug="elsewhere-brand", name="Elsewhere")
    Segment.objects.create(brand=other, slug="their-customers", name="Theirs")
    assert client.get(live.url(segment="their-customers"), **live.auth()).json()["error"] == "unknown_segment"


def test_a_fallback_answer_says_which_segment_it_was_published_for(client, live: Live):
    direct = client.get(live.url(segment="new-customers", subject_id="9"), **live.auth())
    fallback = client.get(live.url(segment="loyal-members", subject_id="9"), **live.auth())
    assert direct.json()["segment"] == direct.json()["requested_segment"] == "new-customers"
    assert fallback.json()["segment"] == "new-customers" and fallback.json()["requested_segment"] == "loyal-members"
    assert fallback["ETag"] != direct["ETag"]  # another body, so another representation
    again = client.get(live.url(segment="loyal-members", subject_id="9"), HTTP_IF_NONE_MATCH=fallback["ETag"], **live.auth())
    assert again.status_code == 304


def test_ab_arms_are_told_apart_in_the_body(client, live: Live):
    bodies = {}
    for subject in range(60):
        body = client.get(live.url(subject_id=str(subject)), **live.auth()).json()
        bodies[body["publication"]] = body
    assert set(bodies) == {live.a.pk, live.b.pk}
    assert {b["variant_label"] for b in bodies.values()} == {"A", "B"}
    assert bodies[live.a.pk]["variant_label"] == "A" and bodies[live.a.pk]["variant_index"] == 1
    assert bodies[live.b.pk]["variant_index"] == 2
    assert all(isinstance(b["variant"], int) for b in bodies.values())  # the draft's number, as before


def test_arm_labels_go_on_past_z():
    from workbench.journeys.delivery import arm_label

    assert [arm_label(i) for i in (1, 2, 26, 27, 28, 52, 53)] == ["A", "B", "Z", "AA", "AB", "AZ", "BA"]


def test_the_404_while_a_journey_is_paused_says_so(client, live: Live):
    actions.journey_set_paused(live.journey, paused=True, acting_user=live.publisher)
    response = client.get(live.url(), **live.auth())
    assert response.status_code == 404
    assert response.json()["error"] == "journey_paused" and "paused" in response.json()["detail"]
    actions.journey_set_paused(live.journey, paused=False, acting_user=live.publisher)
    assert client.get(live.url(), **live.auth()).status_code == 200


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("", "query parameter 'segment' is required"),
        ("segment=a%20b", "letters, digits, hyphens or underscores"),
        ("segment=new-customers&render=maybe", "'render' must be true or false"),
        ("segment=new-customers&subject_id=" + "x" * 201, "at most 200 characters"),
    ],
)
def test_validation_errors_are_one_plain_sentence(client, live: Live, query, words):
    response = client.get(CONTENT.format(journey=live.journey.slug, step=live.step.slug) + "?" + query, **live.auth())
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert words in detail and detail.endswith(".") and "[" not in detail and "pattern" not in detail
    assert response.json()["error"] == "invalid"


def test_the_step_page_names_the_arms_as_the_api_does(client, live: Live, marketer):
    from workbench.journeys.stats import compare_variants

    served = {}
    for subject in range(60):
        body = client.get(live.url(subject_id=str(subject)), **live.auth()).json()
        served[body["publication"]] = body["variant_label"]
    shown = {r.publication.pk: r.label for r in compare_variants(live.step.publications.current().order_by("pk"))}
    assert served == shown
    client.force_login(marketer)
    page = client.get(f"/journeys/{live.journey.slug}/steps/{live.step.slug}/").content.decode()
    assert f'<span class="badge">A</span> publication {live.a.pk}' in page and f'<span class="badge">B</span> publication {live.b.pk}' in page


def test_the_journey_list_says_when_a_journey_is_paused(client, live: Live):
    listed = client.get("/api/v1/journeys", **live.auth()).json()["journeys"]
    assert [j["paused"] for j in listed] == [False]
    actions.journey_set_paused(live.journey, paused=True, acting_user=live.publisher)
    assert [j["paused"] for j in client.get("/api/v1/journeys", **live.auth()).json()["journeys"]] == [True]
