"""Unapproved content cannot be served, whichever way someone tries to put it live."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.journeys_setup import Live, approved_draft
from tests.pipeline import submitted_draft
from workbench.errors import CopydeskError
from workbench.generation import actions as generation
from workbench.journeys import actions
from workbench.journeys.livecache import forget_all
from workbench.journeys.models import Publication
from workbench.review.actions import review_approve, review_reject

pytestmark = pytest.mark.django_db


@pytest.fixture
def unapproved(brand, prompt, segments, marketer):  # type: ignore[no-untyped-def]
    return submitted_draft(brand, prompt, segments["loyal"], marketer)


def _served(client, live: Live) -> set[int]:  # type: ignore[no-untyped-def]
    return {client.get(live.url(segment="loyal-members", subject_id=str(s)), **live.auth()).json()["publication"] for s in range(30)}


def test_the_transition_refuses_an_unapproved_version(live: Live, unapproved):
    with pytest.raises(CopydeskError, match="only approved versions"):
        actions.publication_create(live.step, version=unapproved.latest_version(), acting_user=live.publisher)
    assert not Publication.objects.filter(version__draft=unapproved).exists()


def test_the_step_page_refuses_it(client, live: Live, unapproved):
    client.force_login(live.publisher)
    response = client.post(f"/journeys/{live.journey.slug}/steps/{live.step.slug}/publish/", {"version": unapproved.latest_version().pk, "weight": 100, "replace": "1"})
    assert response.status_code == 400
    assert not Publication.objects.filter(version__draft=unapproved).exists()


def test_the_draft_page_button_refuses_it(client, live: Live, unapproved):
    client.force_login(live.publisher)
    response = client.post(f"/versions/{unapproved.latest_version().pk}/publish/", {"step": live.step.pk, "replace": "1", "weight": 100, "confirm": "1"})
    assert response.status_code == 400 and "only approved versions" in response.content.decode()
    assert not Publication.objects.filter(version__draft=unapproved).exists()


def test_the_admin_cannot_add_or_change_publications(client, live: Live, unapproved, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    assert client.get("/admin/journeys/publication/add/").status_code == 403
    response = client.post(f"/admin/journeys/publication/{live.a.pk}/change/", {"version": unapproved.latest_version().pk})
    assert response.status_code == 403
    live.a.refresh_from_db()
    assert live.a.version.draft_id != unapproved.pk


def test_the_command_refuses_it_with_exit_2(live: Live, unapproved):
    with pytest.raises(CommandError, match="only approved versions") as error:
        call_command("publish_content", live.journey.slug, live.step.slug, "--draft", str(unapproved.pk), "--by", live.publisher.username)
    assert error.value.returncode == 2
    assert not Publication.objects.filter(version__draft=unapproved).exists()


def test_the_command_publishes_approved_content(live: Live, brand, prompt, segments, marketer, reviewer, capsys):
    draft = approved_draft(brand, prompt, segments["loyal"], marketer, reviewer)
    call_command("publish_content", live.journey.slug, live.step.slug, "--draft", str(draft.pk), "--by", live.publisher.username)
    assert Publication.objects.filter(version__draft=draft, segment=segments["loyal"]).exists()
    assert "live on" in capsys.readouterr().out


def test_an_edited_published_draft_keeps_serving_the_approved_version_only(client, live: Live, marketer):
    draft = live.a.version.draft
    generation.draft_edit(draft, fields=dict(live.a.version.fields, subject="A different subject"), base_version=1, acting_user=marketer)
    served = {client.get(live.url(subject_id=str(s)), **live.auth()).json()["version"] for s in range(20)}
    assert served == {1}
    with pytest.raises(CopydeskError, match="only approved|current version"):
        actions.publication_create(live.step, version=draft.latest_version(), acting_user=live.publisher)


def test_a_rejected_or_half_approved_version_cannot_be_published(live: Live, brand, prompt, segments, marketer, reviewer):
    rejected = submitted_draft(brand, prompt, segments["new"], marketer)
    review_reject(rejected, version_number=1, reason="No.", acting_user=reviewer)
    sensitive = submitted_draft(brand, prompt, segments["complaint"], marketer)
    review_approve(sensitive, version_number=1, acting_user=reviewer)  # one of two
    for draft in (rejected, sensitive):
        with pytest.raises(CopydeskError):
            actions.publication_create(live.step, version=draft.latest_version(), acting_user=live.publisher)


def test_publishing_to_a_sensitive_segment_needs_its_two_approvals(live: Live, brand, prompt, segments, marketer, reviewer):
    draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    with pytest.raises(CopydeskError):
        actions.publication_create(live.step, version=draft.latest_version(), segment=segments["complaint"], acting_user=live.publisher)


def test_a_row_written_around_the_transitions_is_never_served(client, live: Live, unapproved, segments):
    Publication.objects.create(step=live.step, segment=segments["loyal"], version=unapproved.latest_version(), weight=10000, created_by=live.publisher)
    forget_all()
    assert _served(client, live) <= {live.a.pk, live.b.pk}  # the default segment's approved content, never the smuggled row
