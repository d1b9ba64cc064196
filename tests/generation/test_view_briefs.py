"""Briefs: the list with status and counts, the create form, duplicating, the compare grid."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.pipeline import generate_now, make_brief
from workbench.generation import actions
from workbench.generation.models import Brief

pytestmark = pytest.mark.django_db


def test_the_list_shows_status_and_counts_per_state(logged_in, brand, prompt, segments, marketer):
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=2)
    make_brief(brand, prompt, [segments["new"]], marketer, title="Untouched brief")
    first, _ = generate_now(brief, marketer)
    actions.draft_submit(first, acting_user=marketer)
    response = logged_in(marketer).get(reverse("brief_list"))
    rows = {b.title: b for b in response.context["briefs"]}
    assert (rows["Spring boots"].draft_count, rows["Spring boots"].in_review, rows["Spring boots"].drafting) == (2, 1, 1)
    assert rows["Untouched brief"].draft_count == 0
    assert "not generated" in response.content.decode() and "in review" in response.content.decode()


def test_the_create_form_explains_segments_with_tone_and_sensitivity(logged_in, segments, prompt, marketer):
    page = logged_in(marketer).get(reverse("brief_create")).content.decode()
    assert "tone: service_recovery" in page and "sensitive · 2 approvals" in page
    assert "The one thing the reader must take away." in page


def test_a_bad_brief_keeps_what_was_typed_and_says_what_is_missing(logged_in, brand, segments, prompt, marketer):
    response = logged_in(marketer).post(reverse("brief_create"), {"brand": brand.pk, "title": "Half a brief", "prompt_template": prompt.pk})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Pick at least one audience segment." in body and 'value="Half a brief"' in body
    assert not Brief.objects.exists()


def test_duplicating_prefills_a_new_brief_and_saving_it_leaves_the_original(logged_in, brand, prompt, segments, marketer):
    original = make_brief(brand, prompt, [segments["loyal"], segments["complaint"]], marketer, channels=["sms", "push"], offer="10% off boots")
    client = logged_in(marketer)
    form = client.get(reverse("brief_create") + f"?from={original.pk}").context["form"]
    assert form.initial["title"] == "Copy of Spring boots" and form.initial["channels"] == ["sms", "push"]
    assert sorted(form.initial["segments"]) == sorted([segments["loyal"].pk, segments["complaint"].pk])
    data = {**form.initial, "title": "Autumn boots"}
    response = client.post(reverse("brief_create"), data)
    copy = Brief.objects.get(title="Autumn boots")
    assert response.status_code == 302 and copy.pk != original.pk
    assert copy.offer == "10% off boots" and set(copy.segments.all()) == set(original.segments.all())
    original.refresh_from_db()
    assert original.title == "Spring boots"


def test_the_grid_filters_by_state(logged_in, brand, prompt, segments, marketer):
    brief = make_brief(brand, prompt, [segments["new"], segments["loyal"]], marketer, variants=1)
    drafts = generate_now(brief, marketer)
    actions.draft_submit(drafts[0], acting_user=marketer)
    response = logged_in(marketer).get(reverse("brief_detail", args=[brief.pk]) + "?state=in_review")
    cards = [card for row in response.context["grid"]["rows"] for cell in row.cells for card in cell]
    assert [c.draft.pk for c in cards] == [drafts[0].pk]
    assert {s["value"]: s["count"] for s in response.context["grid"]["states"]}["draft"] == 3


def test_the_grid_query_count_stays_constant_as_drafts_grow(logged_in, brand, prompt, segments, marketer):
    small = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)
    big = make_brief(brand, prompt, list(segments.values()), marketer, channels=["email", "sms", "push", "in_app"], variants=3)
    generate_now(small, marketer)
    generate_now(big, marketer)
    client = logged_in(marketer)

    def count(brief: Brief) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("brief_detail", args=[brief.pk])).status_code == 200
        return len(captured)

    assert big.drafts.count() == 36
    assert count(small) == count(big)
