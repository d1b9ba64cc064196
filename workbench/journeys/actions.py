"""Publishing approved versions, the kill switch, API clients and outcomes."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from workbench.access import Actor, as_user, require
from workbench.accounts.models import User
from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.brand.models import CHANNELS, Brand, Segment
from workbench.checks.actions import current_guide_check
from workbench.errors import CopydeskError
from workbench.generation.models import Draft, DraftState, DraftVersion
from workbench.journeys.delivery import arm_label
from workbench.journeys.livecache import live_changed
from workbench.journeys.models import ApiClient, Journey, JourneyStep, OutcomeBatch, OutcomeCount, OutcomeEvent, OutcomeReport, Publication
from workbench.review.actions import unresolved_blocks
from workbench.review.policy import approval_status


def _require_publisher(user: User) -> None:
    require(user.can_publish, "Only publishers can change journeys and what is live.")


def journey_create(*, brand: Brand, slug: str, name: str, acting_user: User) -> Journey:
    _require_publisher(acting_user)
    with transaction.atomic():
        try:
            with transaction.atomic():
                journey = Journey.objects.create(brand=brand, slug=slug, name=name)
        except IntegrityError:  # the slug is unique: the database, not a look-up first, refuses a duplicate
            raise CopydeskError(f"A journey called {slug!r} already exists.", code="conflict") from None
        record(Action.JOURNEY_CREATE, journey, actor=acting_user, changes={"slug": [None, slug], "name": [None, name]})
        live_changed()
    return journey


def journey_update(journey: Journey, *, name: str, acting_user: User) -> Journey:
    _require_publisher(acting_user)
    name = name.strip()
    if not name:
        raise CopydeskError("Give the journey a name.")
    with transaction.atomic():
        journey = Journey.objects.select_for_update().get(pk=journey.pk)
        if journey.name != name:
            record(Action.JOURNEY_UPDATE, journey, actor=acting_user, changes={"name": [journey.name, name]})
            journey.name = name
            journey.save(update_fields=["name"])
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
    _check_step_settings(journey, default_segment, suppress_signals)
    with transaction.atomic():
        try:
            with transaction.atomic():
                step = JourneyStep.objects.create(
                    journey=journey, slug=slug, name=name, channel=channel, default_segment=default_segment,
                    promotional=promotional, tone_context=tone_context, suppress_signals=sorted(set(suppress_signals)),
                    position=journey.steps.count(),
                )
        except IntegrityError:
            raise CopydeskError(f"Journey {journey.slug} already has a step {slug!r}.", code="conflict") from None
        record(Action.JOURNEY_STEP_CREATE, step, actor=acting_user, changes={"journey": journey.slug, "slug": [None, slug], "channel": [None, channel]})
        live_changed()
    return step


SIGNAL = re.compile(r"^[a-z0-9_.-]{1,64}$")
BATCH_ID = re.compile(r"^[!-~]{1,100}$")


def _check_step_settings(journey: Journey, default_segment: Segment | None, suppress_signals: Sequence[str]) -> None:
    if default_segment is not None and default_segment.brand_id != journey.brand_id:
        raise CopydeskError("The default segment must belong to the journey's brand.")
    bad = [s for s in suppress_signals if not SIGNAL.match(s)]
    if bad:
        raise CopydeskError(f"Signal names are lower-case letters, digits, _ . and - (not {bad[0]!r}).")


def journey_step_update(
    step: JourneyStep,
    *,
    name: str,
    tone_context: str,
    promotional: bool,
    suppress_signals: Sequence[str],
    default_segment: Segment | None,
    acting_user: User,
) -> JourneyStep:
    """Change how a step behaves; its slug and channel stay, since engines and live content depend on them."""
    _require_publisher(acting_user)
    _check_step_settings(step.journey, default_segment, suppress_signals)
    if not name.strip():
        raise CopydeskError("Give the step a name.")
    with transaction.atomic():
        step = JourneyStep.objects.select_for_update(of=("self",)).select_related("default_segment").get(pk=step.pk)
        new = {
            "name": name.strip(), "tone_context": tone_context.strip(), "promotional": promotional,
            "suppress_signals": sorted(set(suppress_signals)), "default_segment": default_segment,
        }
        changes = {
            key: [_audit_value(getattr(step, key)), _audit_value(value)] for key, value in new.items() if getattr(step, key) != value
        }
        if changes:
            for key, value in new.items():
                setattr(step, key, value)
            step.save(update_fields=list(new))
            record(Action.JOURNEY_STEP_UPDATE, step, actor=acting_user, changes=changes)
            live_changed()
    return step


def _audit_value(value: object) -> object:
    return value.slug if isinstance(value, Segment) else value


def journey_set_paused(journey: Journey, *, paused: bool, acting_user: User) -> Journey:
    _require_publisher(acting_user)
    with transaction.atomic():
        journey = Journey.objects.select_for_update().get(pk=journey.pk)
        if journey.paused != paused:
            journey.paused = paused
            journey.save(update_fields=["paused"])
            record(Action.JOURNEY_PAUSE if paused else Action.JOURNEY_RESUME, journey, actor=acting_user, changes={"paused": [not paused, paused]})
            live_changed()
    return journey


def assert_publishable(version: DraftVersion, draft: Draft, segment: Segment) -> None:
    """Invariant 1: only the current, fully approved version of a draft may go live, with the approvals the target segment needs too."""
    latest = draft.latest_version()
    if latest.pk != version.pk:
        raise CopydeskError(f"Version {version.number} is not the draft's current version ({latest.number}); publish the current one once approved.", code="conflict")
    if draft.state != DraftState.APPROVED:
        raise CopydeskError(f"This draft is {draft.get_state_display().lower()}; only approved versions can be published.", code="conflict")
    status = approval_status(version, segments=[segment])  # publishing to a sensitive segment needs what it needs
    if not status.met:
        raise CopydeskError(f"This version has {status.approvals} of the {status.requirement.approvals} approvals {segment.name} needs: {status.sentence}", code="conflict")
    if unresolved_blocks(version):
        raise CopydeskError("This version has blocking findings without an override.", code="conflict")


def _check_target(step: JourneyStep, draft: Draft, segment: Segment) -> None:
    if draft.channel != step.channel:
        raise CopydeskError(f"This is {draft.get_channel_display()} copy; the step {step.slug} sends {step.get_channel_display()}.")
    if draft.brief.brand_id != step.journey.brand_id or segment.brand_id != step.journey.brand_id:
        raise CopydeskError("This copy or segment belongs to another brand than the journey.")
    # The checks ran under the draft's tone context; serving it where another context applies would skip them.
    context = draft.brief.tone_context or draft.segment.tone_context
    if segment.pk != draft.segment_id and segment.tone_context != draft.segment.tone_context:
        raise CopydeskError(f"This copy was written and checked for {draft.segment.name}; {segment.name} needs copy for its own tone ({segment.tone_context or 'default'}).")
    if step.tone_context and step.tone_context != context:
        raise CopydeskError(f"The step {step.slug} needs copy checked for the {step.tone_context} tone; this copy was checked for {context or 'the default tone'}.")


def _check_window(starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> None:
    if ends_at is not None and ends_at <= now:
        raise CopydeskError("The end of the window is in the past; nothing would be served.")
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise CopydeskError("The window must end after it starts.")


def _publish_locked(
    step: JourneyStep, version: DraftVersion, segment: Segment | None, weight: int,
    starts_at: datetime | None, ends_at: datetime | None, acting_user: User,
) -> Publication:
    """Check the invariant and insert, inside the caller's transaction, with the draft row locked."""
    if not 1 <= weight <= 10000:
        raise CopydeskError("The A/B weight must be between 1 and 10000.")
    # Lock the draft so a concurrent edit or rejection cannot slip in between check and insert.
    draft = Draft.objects.select_for_update(of=("self",)).select_related("segment", "brief").get(pk=version.draft_id)
    segment = segment or draft.segment
    assert_publishable(version, draft, segment)
    _check_target(step, draft, segment)
    try:
        # The database, not a check before the insert, keeps one version from being live twice on a step and segment
        # (the constraint one_current_publication_per_version), so two publishers racing cannot both add it.
        with transaction.atomic():
            return Publication.objects.create(
                step=step, segment=segment, locale=draft.locale, version=version, weight=weight, starts_at=starts_at, ends_at=ends_at,
                created_by=acting_user,
            )
    except IntegrityError:
        raise CopydeskError(
            f"Version {version.number} of draft {draft.pk} is already live on {step} for {segment.name}{_in_locale(draft.locale)}; "
            "change its weight or window instead of publishing it again.",
            code="conflict",
        ) from None


def _in_locale(locale: str) -> str:
    return f" in {locale}" if locale else ""


def _end_all(publications: Sequence[Publication], now: datetime, acting_user: User) -> None:
    for publication in publications:
        publication.ended_at = now
        publication.ended_by = acting_user
        publication.save(update_fields=["ended_at", "ended_by"])


def _locked_step(step: JourneyStep) -> JourneyStep:
    return JourneyStep.objects.select_for_update(of=("self",)).select_related("journey").get(pk=step.pk)


@dataclass(frozen=True)
class PlannedVariant:
    """One variant that will be live for the audience after publishing: a publication that stays, or the new one (publication None)."""

    label: str
    version: DraftVersion
    weight: int
    share: float
    publication: Publication | None = None


@dataclass(frozen=True)
class PublishPlan:
    """What publishing would do on a step × segment × locale: what ends, what stays and the new variant beside it.

    The preview shows it and the publish checks it again under the lock (its token), so nothing goes live that the publisher did not see.
    """

    step: JourneyStep
    version: DraftVersion
    segment: Segment
    locale: str
    replace: bool
    weight: int
    starts_at: datetime | None
    ends_at: datetime | None
    ending: tuple[Publication, ...]
    staying: tuple[Publication, ...]

    @property
    def variants(self) -> list[PlannedVariant]:
        """What will be live for the audience afterwards, in the order the API letters its A/B arms (publishing order)."""
        arms = [(p.version, p.weight, p) for p in self.staying] + [(self.version, self.weight, None)]
        total = sum(weight for _, weight, _ in arms)
        return [PlannedVariant(arm_label(i), v, w, 100 * w / total, p) for i, (v, w, p) in enumerate(arms, start=1)]

    @property
    def new_label(self) -> str:
        return arm_label(len(self.staying) + 1)

    @property
    def token(self) -> str:
        """A fingerprint of the choices and of what is live: it changes when either does, so a stale preview cannot be confirmed."""
        facts = [
            self.step.pk, self.version.pk, self.segment.pk, self.locale, self.replace, self.weight, _iso(self.starts_at), _iso(self.ends_at),
            sorted([p.pk, p.weight, _iso(p.starts_at), _iso(p.ends_at)] for p in (*self.ending, *self.staying)),
        ]
        return hashlib.sha256(json.dumps(facts).encode()).hexdigest()[:20]


def _audience(step: JourneyStep, segment: Segment, locale: str) -> list[Publication]:
    """What is current (live, or waiting for its window) on the step for a segment and locale: what Replace ends, what Add sits beside."""
    return list(step.publications.current().filter(segment=segment, locale=locale).select_related("version__draft").order_by("pk"))


def _plan(
    step: JourneyStep, version: DraftVersion, segment: Segment | None, replace: bool, weight: int, starts_at: datetime | None, ends_at: datetime | None,
) -> PublishPlan:
    """The publishing rules, read-only: the preview and the publish itself (under its locks) both go through here."""
    if not 1 <= weight <= 10000:
        raise CopydeskError("The A/B weight must be a whole number from 1 to 10000.")
    draft = Draft.objects.select_related("segment", "brief").get(pk=version.draft_id)
    segment = segment or draft.segment
    assert_publishable(version, draft, segment)
    _check_target(step, draft, segment)
    current = _audience(step, segment, draft.locale)
    ending = current if replace else []
    staying = [] if replace else current
    if any(p.version_id == version.pk for p in staying):
        raise CopydeskError(
            f"Version {version.number} of draft {draft.pk} is already live on {step} for {segment.name}{_in_locale(draft.locale)}; "
            "change its weight or window instead of publishing it again, or choose Replace.",
            code="conflict",
        )
    return PublishPlan(step, version, segment, draft.locale, replace, weight, starts_at, ends_at, tuple(ending), tuple(staying))


def publication_plan(
    step: JourneyStep,
    *,
    version: DraftVersion,
    weight: int = 100,
    segment: Segment | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    replace: bool = False,
    acting_user: User,
) -> PublishPlan:
    """What publication_create would do with these arguments, checked by the same rules, changing nothing: the publish dialog's preview."""
    _require_publisher(acting_user)
    _check_window(starts_at, ends_at, timezone.now())
    current_guide_check(version)
    return _plan(step, version, segment, replace, weight, starts_at, ends_at)


def publication_create(
    step: JourneyStep,
    *,
    version: DraftVersion,
    weight: int = 100,
    segment: Segment | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    replace: bool = False,
    expected_plan: str | None = None,
    acting_user: User,
) -> Publication:
    """Put an approved version live on a step for a segment (the draft's own unless given).

    A publication is for a step × segment × locale (the draft's locale). Alongside what is live there it becomes
    another A/B variant; with replace=True what was live for that segment and locale ends in the same transaction.
    With expected_plan (a PublishPlan's token, from the preview the publisher confirmed) it is refused when what is
    live there, or the choices, changed since that preview.
    """
    _require_publisher(acting_user)
    now = timezone.now()
    _check_window(starts_at, ends_at, now)
    current_guide_check(version)  # publishing judges the current guide; the check runs before the write lock
    with transaction.atomic():
        step = _locked_step(step)
        # The step is locked, so what is live on it stays as the plan saw it; _publish_locked locks the draft and checks it again.
        plan = _plan(step, version, segment, replace, weight, starts_at, ends_at)
        if expected_plan is not None and plan.token != expected_plan:
            raise CopydeskError(
                f"What is live on {step} for {plan.segment.name} changed after the preview was made; check the new preview and confirm again.", code="conflict"
            )
        # Ended before the insert, so replacing what is live with the same version (say, to reset its window) is allowed.
        replaced = list(plan.ending)
        _end_all(replaced, now, acting_user)
        publication = _publish_locked(step, version, segment, weight, starts_at, ends_at, acting_user)
        record(
            Action.PUBLICATION_CREATE,
            publication,
            actor=acting_user,
            changes={
                "step": str(step), "segment": publication.segment.slug, "locale": publication.locale or None, "version": version.pk, "weight": [None, weight],
                "window": [None, [_iso(starts_at), _iso(ends_at)]], "replaced": [p.pk for p in replaced],
            },
        )
        live_changed()
    return publication


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def publication_end(publication: Publication, *, acting_user: User) -> Publication:
    """Unpublish (or retire an A/B variant): the API stops serving it at once."""
    _require_publisher(acting_user)
    with transaction.atomic():
        publication = Publication.objects.select_for_update().get(pk=publication.pk)
        if publication.ended_at is None:
            _end_all([publication], timezone.now(), acting_user)
            record(Action.PUBLICATION_END, publication, actor=acting_user, changes={"live": [True, False]})
            live_changed()
    return publication


def publication_rollback(step: JourneyStep, *, segment: Segment, locale: str | None = None, acting_user: User) -> list[Publication]:
    """End what is live on step × segment × locale and put back what was ended most recently (the whole set ended in one action).

    Without a locale, the locale of what was ended most recently for the segment. The restored versions pass the same
    approval check as any publication; rolling back twice returns to where you were.
    """
    _require_publisher(acting_user)
    now = timezone.now()
    if locale is None:
        locale = step.publications.filter(segment=segment, ended_at__isnull=False).order_by("-ended_at").values_list("locale", flat=True).first() or ""
    # The versions to restore face the current guide like any publication; they are checked before the write lock.
    last_ended = step.publications.filter(segment=segment, locale=locale, ended_at__isnull=False).order_by("-ended_at").first()
    if last_ended is not None:
        for restorable in step.publications.filter(segment=segment, locale=locale, ended_at=last_ended.ended_at).select_related("version"):
            current_guide_check(restorable.version)
    with transaction.atomic():
        step = _locked_step(step)
        current = list(step.publications.select_for_update().current().filter(segment=segment, locale=locale))
        ended = step.publications.filter(segment=segment, locale=locale, ended_at__isnull=False)
        last = ended.order_by("-ended_at").first()
        if last is None:
            raise CopydeskError(f"Nothing was live on {step.slug} for {segment.name}{_in_locale(locale)} before; there is nothing to roll back to.", code="conflict")
        previous = list(ended.filter(ended_at=last.ended_at).select_related("version").order_by("pk"))
        _end_all(current, now, acting_user)
        for p in previous:
            if p.ends_at is not None and p.ends_at <= now:
                raise CopydeskError(f"Publication {p.pk}'s window ended {p.ends_at:%d %b %Y %H:%M}; publish it again with a new window.", code="conflict")
        restored = [_publish_locked(step, p.version, segment, p.weight, p.starts_at, p.ends_at, acting_user) for p in previous]
        record(
            Action.PUBLICATION_ROLLBACK,
            step,
            actor=acting_user,
            changes={"segment": segment.slug, "locale": locale or None, "ended": [p.pk for p in current], "restored": {str(old.pk): new.pk for old, new in zip(previous, restored)}},
        )
        live_changed()
    return restored


def publication_set_weights(step: JourneyStep, *, weights: Mapping[int, int], acting_user: User) -> list[Publication]:
    """Shift traffic between a step's live variants in one action; weight 0 retires a variant."""
    _require_publisher(acting_user)
    with transaction.atomic():
        step = _locked_step(step)
        current = {p.pk: p for p in step.publications.select_for_update().current().filter(pk__in=list(weights))}
        unknown = sorted(set(weights) - set(current))
        if unknown:
            raise CopydeskError(f"Publication {unknown[0]} is not live on {step.slug}.", code="not_found")
        if any(not 0 <= w <= 10000 for w in weights.values()):
            raise CopydeskError("Weights are whole numbers from 0 (retire) to 10000.")
        # Variants compete within a segment and locale: each must keep one.
        audiences = {(p.segment_id, p.locale) for p in current.values()}
        for segment_id, locale in audiences:
            remaining = [pk for pk, p in current.items() if (p.segment_id, p.locale) == (segment_id, locale) and weights[pk] > 0]
            if not remaining:
                raise CopydeskError("That would retire every variant of a segment; use Unpublish if you mean to take it down.")
        now = timezone.now()
        changes: dict[str, object] = {}
        for pk, publication in current.items():
            weight = weights[pk]
            if weight == 0:
                _end_all([publication], now, acting_user)
                changes[str(pk)] = [publication.weight, "retired"]
            elif weight != publication.weight:
                changes[str(pk)] = [publication.weight, weight]
                publication.weight = weight
                publication.save(update_fields=["weight"])
        if changes:
            record(Action.PUBLICATION_REWEIGHT, step, actor=acting_user, changes={"weights": changes})
            live_changed()
    return list(current.values())


# --- API clients ------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def api_client_create(
    *, name: str, journeys: Sequence[Journey] = (), all_journeys: bool = False, can_check: bool = False,
    rate_limit_per_minute: int = 6000, acting_user: Actor,
) -> tuple[ApiClient, str]:
    """Create a client and return it with its token, which is shown once and stored only as a hash."""
    require(acting_user.is_copydesk_admin, "Only admins can create API clients.")
    name = name.strip()
    if not name:
        raise CopydeskError("Give the API client a name.")
    if not journeys and not all_journeys and not can_check:
        raise CopydeskError("Give the client a scope: some journeys, all journeys, or checks.")
    if not 1 <= rate_limit_per_minute <= 1_000_000:
        raise CopydeskError("The rate limit is between 1 and 1,000,000 requests a minute.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                client = ApiClient.objects.create(
                    name=name, token_hash="", all_journeys=all_journeys, can_check=can_check,
                    rate_limit_per_minute=rate_limit_per_minute, created_by=as_user(acting_user),
                )
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
            changes={"name": [None, name], "journeys": [None, [j.slug for j in journeys]], "all_journeys": [None, all_journeys], "checks": [None, can_check],
                     "rate_limit_per_minute": [None, rate_limit_per_minute]},
        )
    return client, token


def api_client_revoke(client: ApiClient, *, acting_user: User) -> ApiClient:
    require(acting_user.is_copydesk_admin, "Only admins can revoke API clients.")
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is None:
            client.revoked_at = timezone.now()
            client.save(update_fields=["revoked_at"])
            record(Action.API_CLIENT_REVOKE, client, actor=acting_user, changes={"revoked": [False, True]})
            live_changed()
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


def api_client_mark_used(client: ApiClient, now: datetime) -> None:
    """Note when a client last called; telemetry, not a decision, so not audited (it would add an event per minute per client)."""
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    client.last_used_at = now


MAX_OUTCOME_COUNT = 10_000_000  # per report; documented in the API schema and README
OUTCOME_GRACE = timedelta(days=7)  # opens and conversions trail deliveries: reports are taken this long after content stops being served


def _check_outcome_window(publication: Publication, now: datetime) -> None:
    """Refuse counts for content that was not yet served, or stopped being served longer ago than OUTCOME_GRACE."""
    starts = max(publication.created_at, publication.starts_at or publication.created_at)
    if now < starts:
        raise CopydeskError(f"Publication {publication.pk} is not live until {starts:%d %b %Y %H:%M} UTC, so it has no outcomes yet.", code="conflict")
    stops = min((at for at in (publication.ended_at, publication.ends_at) if at is not None), default=None)
    if stops is not None and now > stops + OUTCOME_GRACE:
        raise CopydeskError(
            f"Publication {publication.pk} stopped being served on {stops:%d %b %Y %H:%M} UTC; outcomes are taken up to {OUTCOME_GRACE.days} days after that.",
            code="conflict",
        )


def outcomes_record(
    step: JourneyStep, reports: Sequence[tuple[int, str, int]], *, batch_id: str | None = None, acting_client: ApiClient
) -> tuple[int, bool]:
    """Add outcome counts reported by a journey engine; all of a batch or none of it.

    With a batch id, a batch the client already sent is not counted again: the first result is
    returned with replayed=True. The same id with different reports is a conflict.
    """
    if not reports:
        raise CopydeskError("Send at least one outcome.")
    for _, event, count in reports:
        if event not in OutcomeEvent.values:
            raise CopydeskError(f"Unknown event {event!r}; use one of {', '.join(OutcomeEvent.values)}.")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_OUTCOME_COUNT:
            raise CopydeskError(f"Each count is a whole number from 1 to {MAX_OUTCOME_COUNT:,}.")
    if batch_id is not None and not BATCH_ID.match(batch_id):
        raise CopydeskError("A batch id is 1 to 100 visible ASCII characters (no spaces).")
    fingerprint = hashlib.sha256(json.dumps([step.pk, sorted(map(list, reports))]).encode()).hexdigest()
    with transaction.atomic():
        if batch_id is not None:
            try:
                with transaction.atomic():
                    OutcomeBatch.objects.create(client=acting_client, batch_id=batch_id, step=step, fingerprint=fingerprint, recorded=len(reports))
            except IntegrityError:
                earlier = OutcomeBatch.objects.get(client=acting_client, batch_id=batch_id)
                if earlier.fingerprint != fingerprint:
                    raise CopydeskError(f"Batch {batch_id!r} was already sent with other reports; use a new batch id.", code="conflict") from None
                return earlier.recorded, True
        publications = Publication.objects.filter(step=step, pk__in=[r[0] for r in reports]).in_bulk()
        now = timezone.now()
        for publication_id, event, count in reports:
            if publication_id not in publications:
                raise CopydeskError(f"Publication {publication_id} does not belong to step {step.slug}.", code="not_found")
            _check_outcome_window(publications[publication_id], now)
            counter, _ = OutcomeCount.objects.get_or_create(publication_id=publication_id, event=event)
            OutcomeCount.objects.filter(pk=counter.pk).update(count=F("count") + count)
        OutcomeReport.objects.bulk_create([OutcomeReport(publication_id=p, event=e, count=c, reported_at=now) for p, e, c in reports])
        record(
            Action.OUTCOMES_REPORT, step, actor=acting_client,
            changes={"reports": len(reports), "total": sum(r[2] for r in reports), "batch_id": batch_id},
        )
    return len(reports), False
