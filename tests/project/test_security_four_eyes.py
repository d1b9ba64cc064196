"""Four-eyes through every entrance: page POST, htmx POST, the admin (read-only), the API and the actions; superusers too."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from tests.pipeline import submitted_draft
from workbench.access import SYSTEM
from workbench.accounts.models import Role, User
from workbench.audit.models import AuditEvent
from workbench.errors import CopydeskError
from workbench.generation import actions as generation
from workbench.generation.models import DraftState
from workbench.journeys.actions import api_client_create, journey_create, journey_step_create, publication_create
from workbench.review import actions as review
from workbench.review.models import ReviewDecision

pytestmark = pytest.mark.django_db

ENTRANCES = {"page": {}, "htmx": {"HTTP_HX_REQUEST": "true"}}


@pytest.fixture
def root(db) -> User:  # type: ignore[no-untyped-def]
    return User.objects.create_user(username="root", password="x" * 16, role=Role.ADMIN, is_superuser=True, is_staff=True)


def assert_not_approved(draft) -> None:  # type: ignore[no-untyped-def]
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW
    assert not ReviewDecision.objects.filter(version__draft=draft).exists()
    assert not AuditEvent.objects.filter(action="review.approve", object_id=str(draft.pk)).exists()


@pytest.mark.parametrize("entrance", ENTRANCES)
def test_an_author_cannot_approve_their_own_draft_over_http(entrance, brand, prompt, segments, admin_user, client):
    draft = submitted_draft(brand, prompt, segments["new"], admin_user)
    client.force_login(admin_user)
    response = client.post(reverse("review_approve", args=[draft.pk]), {"version": "1"}, **ENTRANCES[entrance])
    assert response.status_code == 403
    assert "four-eyes" in response.content.decode()
    assert_not_approved(draft)


@pytest.mark.parametrize("entrance", ENTRANCES)
def test_a_superuser_author_cannot_approve_their_own_draft(entrance, brand, prompt, segments, root, client):
    draft = submitted_draft(brand, prompt, segments["new"], root)
    client.force_login(root)
    response = client.post(reverse("review_approve", args=[draft.pk]), {"version": "1"}, **ENTRANCES[entrance])
    assert response.status_code == 403
    assert_not_approved(draft)
    with pytest.raises(CopydeskError, match="four-eyes"):
        review.review_approve(draft, version_number=1, acting_user=root)
    assert_not_approved(draft)


def test_a_reviewer_who_edited_the_draft_cannot_approve_it(brand, prompt, segments, marketer, reviewer, client):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    client.force_login(reviewer)
    fields = dict(draft.latest_version().fields, subject="A reviewer's own subject line")
    client.post(reverse("draft_edit", args=[draft.pk]), {**fields, "base_version": "1"})
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW and draft.latest_version().number == 2  # a reviewer's edit stays in review
    response = client.post(reverse("review_approve", args=[draft.pk]), {"version": "2"})
    assert response.status_code == 403
    assert_not_approved(draft)


def test_a_sensitive_segment_needs_two_different_reviewers_over_http(brand, prompt, segments, marketer, reviewer, reviewer2, client):
    draft = submitted_draft(brand, prompt, segments["complaint"], marketer)
    client.force_login(reviewer)
    client.post(reverse("review_approve", args=[draft.pk]), {"version": "1"})
    assert client.post(reverse("review_approve", args=[draft.pk]), {"version": "1"}).status_code == 409
    draft.refresh_from_db()
    assert draft.state == DraftState.IN_REVIEW
    client.force_login(reviewer2)
    client.post(reverse("review_approve", args=[draft.pk]), {"version": "1"})
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED


def test_the_admin_is_read_only_for_every_model_even_for_superusers(brand, prompt, segments, marketer, root, client):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    client.force_login(root)
    copydesk_models = {m: a for m, a in admin.site._registry.items() if m.__module__.startswith("workbench.")}
    assert len(copydesk_models) >= 10
    assert not any(m._meta.label == "auth.Group" for m in admin.site._registry), "groups would be a side door to permissions"
    for model, model_admin in copydesk_models.items():
        request = RequestFactory().get("/admin/")
        request.user = root
        name = f"{model._meta.app_label}.{model._meta.model_name}"
        assert not model_admin.has_add_permission(request), f"{name} can be added in the admin"
        assert not model_admin.has_change_permission(request), f"{name} can be changed in the admin"
        assert not model_admin.has_delete_permission(request), f"{name} can be deleted in the admin"
        assert not model_admin.get_actions(request), f"{name} has admin actions: {list(model_admin.get_actions(request))}"
    change = reverse("admin:generation_draft_change", args=[draft.pk])
    client.post(change, {"state": "approved"})
    assert client.post(reverse("admin:review_reviewdecision_add"), {"version": draft.latest_version().pk, "decision": "approve"}).status_code == 403
    assert client.post(reverse("admin:generation_draft_delete", args=[draft.pk]), {"post": "yes"}).status_code == 403
    assert_not_approved(draft)


def test_the_api_serves_only_the_approved_version_and_an_edit_voids_the_approval(brand, prompt, segments, marketer, reviewer, publisher, client):
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journey_step_create(journey, slug="email", name="Email", channel="email", default_segment=segments["new"], acting_user=publisher)
    _, token = api_client_create(name="engine", journeys=[journey], acting_user=SYSTEM)
    content = f"/api/v1/journeys/welcome/steps/email/content?segment={segments['new'].slug}"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    with pytest.raises(CopydeskError):
        publication_create(step, version=draft.latest_version(), acting_user=publisher)
    assert client.get(content, **auth).status_code == 404

    review.review_approve(draft, version_number=1, acting_user=reviewer)
    publication_create(step, version=draft.latest_version(), acting_user=publisher)
    served = client.get(content, **auth).json()
    assert served["version"] == 1

    client.force_login(marketer)
    edited = dict(draft.latest_version().fields, subject="Changed after approval")
    client.post(reverse("draft_edit", args=[draft.pk]), {**edited, "base_version": "1"})
    draft.refresh_from_db()
    assert draft.state == DraftState.DRAFT and draft.latest_version().number == 2
    with pytest.raises(CopydeskError):
        publication_create(step, version=draft.latest_version(), acting_user=publisher)
    # The approved version 1 stays what is live; the unapproved edit is never served.
    assert client.get(content, **auth).json()["version"] == 1
    assert "Changed after approval" not in client.get(content, **auth).content.decode()
