"""Publishing approved versions, the kill switch, API clients and outcomes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from workbench.accounts.models import User
from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.brand.models import CHANNELS, Brand, Segment
from workbench.errors import CopydeskError
from workbench.generation.models import Draft, DraftState, DraftVersion
from workbench.journeys.models import ApiClient, Journey, JourneyStep, OutcomeCount, OutcomeEvent, Publication
from workbench.review.actions import approvals_of, unresolved_blocks


def _require_publisher(user: User) -> None:
    if not user.can_publish:
        raise CopydeskError("Only publishers can change journeys and what is live.", code="forbidden")


def journey_create(*, brand: Brand, slug: str, name: str, acting_user: User) -> Journey:
    _require_publisher(acting_user)
    if Journey.objects.filter(slug=slug).exists():
        raise CopydeskError(f"A journey called {slug!r} already exists.", code="conflict")
    with transaction.atomic():
        journey = Journey.objects.create(brand=brand, slug=slug, name=name)
        record(Action.JOURNEY_CREATE, journey, actor=acting_user, changes={"slug": [None, slug], "name": [None, name]})
    return journey


def journey_step_create(
    journey: Journey,
    *,
    slug: str,
    name: str,
    channel: str,
    default_segment: Segment | None,
    promotional: bool = False,
    tone_context: str = "",
    suppress_signals: Sequence[str] = (),
    acting_user: User,
) -> JourneyStep:
    _require_publisher(acting_user)
    if channel not in CHANNELS:
        raise CopydeskError(f"Unknown channel {channel!r}.")
    if default_segment is not None and default_segment.brand_id != journey.brand_id:
        raise CopydeskError("The default segment must belong to the journey's brand.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                step = JourneyStep.objects.create(
                    journey=journey, slug=slug, name=name, channel=channel, default_segment=default_segment,
                    promotional=promotional, tone_context=tone_context, suppress_signals=list(suppress_signals),
                    position=journey.steps.count(),
                )
        except IntegrityError:
            raise CopydeskError(f"Journey {journey.slug} already has a step {slug!r}.", code="conflict") from None
        record(Action.JOURNEY_STEP_CREATE, step, actor=acting_user, changes={"journey": journey.slug, "slug": [None, slug], "channel": [None, channel]})
    return step


def journey_set_paused(journey: Journey, *, paused: bool, acting_user: User) -> Journey:
    _require_publisher(acting_user)
    with transaction.atomic():
        journey = Journey.objects.select_for_update().get(pk=journey.pk)
        if journey.paused != paused:
            journey.paused = paused
            journey.save(update_fields=["paused"])
            record(Action.JOURNEY_PAUSE if paused else Action.JOURNEY_RESUME, journey, actor=acting_user, changes={"paused": [not paused, paused]})
    return journey


def assert_publishable(version: DraftVersion, draft: Draft) -> None:
    """Invariant 1: only the current, fully approved version of a draft may go live."""
    latest = draft.latest_version()
    if latest.pk != version.pk:
        raise CopydeskError(f"Version {version.number} is not the draft's current version ({latest.number}); publish the current one once approved.", code="conflict")
    if draft.state != DraftState.APPROVED:
        raise CopydeskError(f"This draft is {draft.get_state_display().lower()}; only approved versions can be published.", code="conflict")
    required = draft.segment.approvals_required
    if approvals_of(version) < required:
        raise CopydeskError(f"This version has {approvals_of(version)} of the {required} approvals its segment needs.", code="conflict")
    if unresolved_blocks(version):
        raise CopydeskError("This version has blocking findings without an override.", code="conflict")


def publication_create(
    step: JourneyStep, *, version: DraftVersion, weight: int = 100, segment: Segment | None = None, acting_user: User
) -> Publication:
    _require_publisher(acting_user)
    if not 1 <= weight <= 10000:
        raise CopydeskError("The A/B weight must be between 1 and 10000.")
    with transaction.atomic():
        # Lock the draft so a concurrent edit or rejection cannot slip in between check and insert.
        draft = Draft.objects.select_for_update().select_related("segment", "brief").get(pk=version.draft_id)
        step = JourneyStep.objects.select_for_update().select_related("journey").get(pk=step.pk)
        assert_publishable(version, draft)
        if draft.channel != step.channel:
            raise CopydeskError(f"This is {draft.get_channel_display()} copy; the step {step.slug} sends {step.get_channel_display()}.")
        if draft.brief.brand_id != step.journey.brand_id:
            raise CopydeskError("This copy belongs to another brand than the journey.")
        segment = segment or draft.segment
        publication = Publication.objects.create(step=step, segment=segment, version=version, weight=weight, created_by=acting_user)
        record(
            Action.PUBLICATION_CREATE,
            publication,
            actor=acting_user,
            changes={"step": str(step), "segment": segment.slug, "version": version.pk, "weight": [None, weight]},
        )
    return publication


def publication_end(publication: Publication, *, acting_user: User) -> Publication:
    _require_publisher(acting_user)
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication.pk)
        if publication.ended_at is None:
            publication.ended_at = timezone.now()
            publication.save(update_fields=["ended_at"])
            record(Action.PUBLICATION_END, publication, actor=acting_user, changes={"live": [True, False]})
    return publication


# --- API clients ------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def api_client_create(
    *, name: str, journeys: Sequence[Journey] = (), all_journeys: bool = False, can_check: bool = False, acting_user: User | None
) -> tuple[ApiClient, str]:
    """Create a client and return it with its token, which is shown once and stored only as a hash."""
    if acting_user is not None and not acting_user.is_copydesk_admin:
        raise CopydeskError("Only admins can create API clients.", code="forbidden")
    name = name.strip()
    if not name:
        raise CopydeskError("Give the API client a name.")
    if not journeys and not all_journeys and not can_check:
        raise CopydeskError("Give the client a scope: some journeys, all journeys, or checks.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                client = ApiClient.objects.create(name=name, token_hash="", all_journeys=all_journeys, can_check=can_check, created_by=acting_user)
        except IntegrityError:
            raise CopydeskError(f"An API client called {name!r} already exists; pick another name.", code="conflict") from None
        token = f"cpd_{client.pk}_{secrets.token_urlsafe(32)}"
        client.token_hash = hash_token(token)
        client.save(update_fields=["token_hash"])
        client.journeys.set(journeys)
        record(
            Action.API_CLIENT_CREATE,
            client,
            actor=acting_user,
            changes={"name": [None, name], "journeys": [None, [j.slug for j in journeys]], "all_journeys": [None, all_journeys], "checks": [None, can_check]},
        )
    return client, token


def api_client_revoke(client: ApiClient, *, acting_user: User) -> ApiClient:
    if not acting_user.is_copydesk_admin:
        raise CopydeskError("Only admins can revoke API clients.", code="forbidden")
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is None:
            client.revoked_at = timezone.now()
            client.save(update_fields=["revoked_at"])
            record(Action.API_CLIENT_REVOKE, client, actor=acting_user, changes={"revoked": [False, True]})
    return client


def authenticate_token(token: str) -> ApiClient | None:
    """Find the client for a bearer token, comparing hashes in constant time."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != "cpd" or not parts[1].isdigit():
        return None
    client = ApiClient.objects.filter(pk=int(parts[1]), revoked_at__isnull=True).first()
    if client is None or not hmac.compare_digest(client.token_hash, hash_token(token)):
        return None
    return client


def outcomes_record(step: JourneyStep, reports: Sequence[tuple[int, str, int]], *, acting_client: ApiClient) -> int:
    """Add outcome counts reported by a journey engine; all of a batch or none of it."""
    with transaction.atomic():
        publications = {p.pk: p for p in Publication.objects.filter(step=step, pk__in=[r[0] for r in reports])}
        for publication_id, event, count in reports:
            if publication_id not in publications:
                raise CopydeskError(f"Publication {publication_id} does not belong to step {step.slug}.", code="not_found")
            if event not in OutcomeEvent.values:
                raise CopydeskError(f"Unknown event {event!r}.")
            counter, _ = OutcomeCount.objects.get_or_create(publication_id=publication_id, event=event)
            OutcomeCount.objects.filter(pk=counter.pk).update(count=F("count") + count)
        record(Action.OUTCOMES_REPORT, step, actor=acting_client, changes={"reports": len(reports), "total": sum(r[2] for r in reports)})
    return len(reports)
