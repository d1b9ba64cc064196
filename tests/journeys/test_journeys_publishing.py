"""Publishing transitions: replace or A/B, windows, rollback, weights, step settings; all audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.journeys_setup import Live, approved_draft
from workbench.audit.log import verify_chain
from workbench.audit.models import AuditEvent
from workbench.errors import CopydeskError
from workbench.journeys import actions
from workbench.journeys.models import Publication

pytestmark = pytest.mark.django_db


def _current(live: Live) -> set[int]:
    return set(live.step.publications.current().values_list("pk", flat=True))


def test_replace_ends_what_was_live_for_the_segment_in_the_same_action(live: Live, brand, prompt, segments, marketer, reviewer):
    draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    new = actions.publication_create(live.step, version=draft.latest_version(), replace=True, acting_user=live.publisher)
    assert _current(live) == {new.pk}
    ended = Publication.objects.filter(pk__in=[live.a.pk, live.b.pk])
    assert {p.ended_by_id for p in ended} == {live.publisher.pk} and len({p.ended_at for p in ended}) == 1
    event = AuditEvent.objects.filter(action="publication.create").last()
    assert event is not None and sorted(event.changes["replaced"]) == sorted([live.a.pk, live.b.pk])


def test_rollback_restores_the_set_ended_together_and_twice_returns(live: Live, brand, prompt, segments, marketer, reviewer):
    draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    new = actions.publication_create(live.step, version=draft.latest_version(), replace=True, acting_user=live.publisher)
    restored = actions.publication_rollback(live.step, segment=segments["new"], acting_user=live.publisher)
    assert sorted(p.version_id for p in restored) == sorted([live.a.version_id, live.b.version_id])
    assert sorted(p.weight for p in restored) == [50, 50]
    assert _current(live) == {p.pk for p in restored}
    again = actions.publication_rollback(live.step, segment=segments["new"], acting_user=live.publisher)
    assert [p.version_id for p in again] == [new.version_id]
    assert AuditEvent.objects.filter(action="publication.rollback").count() == 2
    assert verify_chain().ok


def test_rollback_without_history_is_refused(live: Live, segments):
    with pytest.raises(CopydeskError, match="nothing to roll back"):
        actions.publication_rollback(live.step, segment=segments["loyal"], acting_user=live.publisher)


def test_rollback_rechecks_approval_of_what_it_restores(live: Live, brand, prompt, segments, marketer, reviewer):
    from workbench.generation import actions as generation

    draft = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    actions.publication_create(live.step, version=draft.latest_version(), replace=True, acting_user=live.publisher)
    generation.draft_edit(live.a.version.draft, fields=dict(live.a.version.fields, subject="Edited since"), base_version=1, acting_user=marketer)
    with pytest.raises(CopydeskError, match="current version"):
        actions.publication_rollback(live.step, segment=segments["new"], acting_user=live.publisher)
    assert _current(live) != set()  # nothing changed: the rollback was all or nothing


def test_weights_shift_and_retire_in_one_audited_action(live: Live):
    actions.publication_set_weights(live.step, weights={live.a.pk: 90, live.b.pk: 0}, acting_user=live.publisher)
    live.a.refresh_from_db()
    live.b.refresh_from_db()
    assert live.a.weight == 90 and live.b.ended_at is not None
    event = AuditEvent.objects.get(action="publication.reweight")
    assert event.changes["weights"] == {str(live.a.pk): [50, 90], str(live.b.pk): [50, "retired"]}


@pytest.mark.parametrize("weights", [{"a": 0, "b": 0}, {"a": -1, "b": 5}, {"a": 20000, "b": 5}])
def test_weights_that_make_no_sense_are_refused(live: Live, weights):
    with pytest.raises(CopydeskError):
        actions.publication_set_weights(live.step, weights={live.a.pk: weights["a"], live.b.pk: weights["b"]}, acting_user=live.publisher)
    assert _current(live) == {live.a.pk, live.b.pk}


def test_windows_must_end_in_the_future_and_after_they_start(live: Live, brand, prompt, segments, marketer, reviewer):
    version = approved_draft(brand, prompt, segments["new"], marketer, reviewer).latest_version()
    now = timezone.now()
    with pytest.raises(CopydeskError, match="past"):
        actions.publication_create(live.step, version=version, ends_at=now - timedelta(minutes=1), acting_user=live.publisher)
    with pytest.raises(CopydeskError, match="after it starts"):
        actions.publication_create(live.step, version=version, starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=1), acting_user=live.publisher)


def test_copy_goes_only_to_steps_of_its_channel_and_tone(live: Live, brand, prompt, segments, marketer, reviewer):
    sms = approved_draft(brand, prompt, segments["new"], marketer, reviewer, channel="sms")
    with pytest.raises(CopydeskError, match="SMS copy"):
        actions.publication_create(live.step, version=sms.latest_version(), acting_user=live.publisher)
    actions.journey_step_update(
        live.step, name="Launch email", tone_context="service_recovery", promotional=True, suppress_signals=[], default_segment=None, acting_user=live.publisher
    )
    email = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    with pytest.raises(CopydeskError, match="service_recovery"):
        actions.publication_create(live.step, version=email.latest_version(), acting_user=live.publisher)


def test_step_settings_change_is_audited_with_before_and_after(live: Live, segments):
    actions.journey_step_update(
        live.step, name="Launch mail", tone_context="", promotional=False, suppress_signals=["billing_issue"], default_segment=segments["loyal"],
        acting_user=live.publisher,
    )
    event = AuditEvent.objects.get(action="journey.step_update")
    assert event.changes["name"] == ["Launch email", "Launch mail"]
    assert event.changes["default_segment"] == ["new-customers", "loyal-members"]
    assert event.changes["suppress_signals"] == [["billing_issue", "open_support_case"], ["billing_issue"]]
    with pytest.raises(CopydeskError, match="Signal names"):
        actions.journey_step_update(
            live.step, name="x", tone_context="", promotional=False, suppress_signals=["Open Case!"], default_segment=None, acting_user=live.publisher
        )


def test_only_publishers_change_journeys(live: Live, marketer, reviewer, segments):
    for user in (marketer, reviewer):
        with pytest.raises(CopydeskError, match="publishers"):
            actions.journey_set_paused(live.journey, paused=True, acting_user=user)
        with pytest.raises(CopydeskError, match="publishers"):
            actions.publication_rollback(live.step, segment=segments["new"], acting_user=user)
        with pytest.raises(CopydeskError, match="publishers"):
            actions.publication_set_weights(live.step, weights={live.a.pk: 1}, acting_user=user)
