"""Admins list, create and edit a brand's segments; every change goes through segment_save and is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workbench.audit.models import AuditEvent
from workbench.brand.models import Segment

pytestmark = pytest.mark.django_db

NEW = {"slug": "lapsed", "name": "Lapsed buyers", "description": "No order in a year", "tone_context": "promotional", "sensitive": "on"}


def test_an_admin_creates_a_segment(logged_in, brand, admin_user):
    response = logged_in(admin_user).post(reverse("segment_create", args=["northwind"]), NEW, follow=True)
    segment = Segment.objects.get(brand=brand, slug="lapsed")
    assert (segment.name, segment.tone_context, segment.sensitive) == ("Lapsed buyers", "promotional", True)
    assert "Segment “Lapsed buyers” saved." in response.content.decode()
    assert AuditEvent.objects.filter(action="segment.create", object_id=str(segment.pk), actor_label=admin_user.username).exists()


def test_an_admin_edits_a_segment_and_keeps_its_slug_and_attributes(logged_in, segments, admin_user):
    segment = segments["loyal"]
    Segment.objects.filter(pk=segment.pk).update(attributes={"tier": "gold"})
    data = {**NEW, "slug": "renamed", "tone_context": "service_recovery"}
    logged_in(admin_user).post(reverse("segment_edit", args=["northwind", "loyal-members"]), data)
    segment.refresh_from_db()
    assert (segment.slug, segment.name, segment.tone_context, segment.attributes) == ("loyal-members", "Lapsed buyers", "service_recovery", {"tier": "gold"})
    event = AuditEvent.objects.filter(action="segment.update").get()
    assert event.changes["tone_context"] == ["promotional", "service_recovery"]


def test_a_duplicate_slug_is_refused_in_the_form(logged_in, segments, admin_user):
    response = logged_in(admin_user).post(reverse("segment_create", args=["northwind"]), {**NEW, "slug": "loyal-members"})
    assert response.status_code == 400 and "already has a segment" in response.content.decode()
    assert Segment.objects.get(slug="loyal-members").name == "Loyal members"


def test_an_unknown_tone_context_is_refused(logged_in, brand, admin_user):
    response = logged_in(admin_user).post(reverse("segment_create", args=["northwind"]), {**NEW, "tone_context": "party"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert "Lapsed buyers" in response.content.decode()  # what was typed is kept


@pytest.mark.parametrize("persona", ["marketer", "reviewer", "publisher"])
def test_only_admins_change_segments(logged_in, segments, persona, request):
    client = logged_in(request.getfixturevalue(persona))
    assert client.post(reverse("segment_create", args=["northwind"]), NEW).status_code == 403
    assert client.get(reverse("segment_edit", args=["northwind", "loyal-members"])).status_code == 403
    assert not Segment.objects.filter(slug="lapsed").exists()


def test_the_guide_page_lists_segments_with_edit_links_for_admins(logged_in, segments, admin_user, marketer):
    edit = reverse("segment_edit", args=["northwind", "open-complaint"])
    admin_page = logged_in(admin_user).get(reverse("guide_detail", args=["northwind"])).content.decode()
    assert edit in admin_page and "tone: service_recovery · sensitive" in admin_page
    marketer_page = logged_in(marketer).get(reverse("guide_detail", args=["northwind"])).content.decode()
    assert "Open complaint" in marketer_page and edit not in marketer_page
