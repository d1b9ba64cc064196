"""Publishing one version twice at once: the database keeps it live once, and the loser is told (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tests.pipeline import approved_draft
from tests.audit.test_audit_chain import run_in_threads
from workbench.audit.log import verify_chain
from workbench.audit.models import AuditEvent
from workbench.errors import CopydeskError
from workbench.journeys.actions import journey_create, journey_step_create, publication_create
from workbench.journeys.models import Publication

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def step(brand, segments, publisher):  # type: ignore[no-untyped-def]
    journey = journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    return journey_step_create(journey, slug="email", name="Email", channel="email", default_segment=segments["new"], acting_user=publisher)


def test_two_publishers_adding_the_same_version_at_once_make_one_live_publication(step, brand, prompt, segments, marketer, reviewer, publisher):
    version = approved_draft(brand, prompt, segments["new"], marketer, reviewer).latest_version()
    results, errors = run_in_threads([lambda: publication_create(step, version=version, acting_user=publisher) for _ in range(4)])
    assert len(results) == 1 and len(errors) == 3
    assert all(isinstance(e, CopydeskError) and e.code == "conflict" and "already live" in e.message for e in errors), errors
    assert Publication.objects.filter(step=step, version=version, ended_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action="publication.create").count() == 1
    assert verify_chain().ok


def test_publishing_a_live_version_again_is_refused_with_a_message(step, brand, prompt, segments, marketer, reviewer, publisher):
    version = approved_draft(brand, prompt, segments["new"], marketer, reviewer).latest_version()
    publication_create(step, version=version, acting_user=publisher)
    with pytest.raises(CopydeskError, match="already live") as refused:
        publication_create(step, version=version, weight=30, acting_user=publisher)
    assert refused.value.code == "conflict"
    # Replacing what is live with the same version is allowed: the old publication ends first.
    again = publication_create(step, version=version, replace=True, weight=30, acting_user=publisher)
    assert list(Publication.objects.filter(step=step, ended_at__isnull=True)) == [again]


def test_the_database_itself_refuses_a_second_live_row_for_one_version(step, brand, prompt, segments, marketer, reviewer, publisher):
    live = publication_create(step, version=approved_draft(brand, prompt, segments["new"], marketer, reviewer).latest_version(), acting_user=publisher)
    with pytest.raises(IntegrityError), transaction.atomic():
        Publication.objects.create(step=step, segment=live.segment, version=live.version, created_by=publisher)
    # An ended publication of the same version is history, not a second live one.
    Publication.objects.filter(pk=live.pk).update(ended_at=live.created_at)
    Publication.objects.create(step=step, segment=live.segment, version=live.version, created_by=publisher)
