"""The audit log in words: each event as a sentence with the actor's name and a link to the object it changed.

"Riley Reviewer approved version 2 of ‘Spring sale · Loyal members · SMS #3’", not `review.approve
generation.draft:41`. The audit log sits below the apps whose objects it records, so it finds their models by label
(as it names them) and links to their pages by URL name; the stored event itself is never changed and stays
readable in full beside the sentence. Objects and actors of a page of events are read in one query per kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from workbench.audit.models import Action, ActorType, AuditEvent
from workbench.audit.templatetags.audit import encodable


@dataclass(frozen=True)
class ObjectType:
    label: str
    related: tuple[str, ...] = ()
    name: Callable[[Any], str] = str
    url: Callable[[Any], str | None] = lambda obj: None


def _quoted(text: object) -> str:
    return f"‘{text}’"


def _draft_name(draft: Any) -> str:
    return _quoted(draft)


def _url(name: str, *args: object) -> str | None:
    try:
        return reverse(name, args=list(args))
    except NoReverseMatch:
        return None


# Every kind of object the log records, with what the pages call it and where it lives.
OBJECT_TYPES: dict[str, ObjectType] = {
    "generation.brief": ObjectType("Brief", (), lambda b: _quoted(b.title), lambda b: _url("brief_detail", b.pk)),
    "generation.generationrun": ObjectType("Generation run", ("brief",), lambda r: f"the generation for {_quoted(r.brief.title)}", lambda r: _url("brief_detail", r.brief_id)),
    "generation.generationjob": ObjectType(
        "Generation job", ("run__brief", "segment"),
        lambda j: f"the {j.get_channel_display()} drafts for {j.segment.name} of {_quoted(j.run.brief.title)}", lambda j: _url("brief_detail", j.run.brief_id),
    ),
    "generation.draft": ObjectType("Draft", ("brief", "segment"), _draft_name, lambda d: _url("draft_detail", d.pk)),
    "generation.draftversion": ObjectType(
        "Draft version", ("draft__brief", "draft__segment"), lambda v: f"version {v.number} of {_draft_name(v.draft)}", lambda v: _url("draft_detail", v.draft_id)
    ),
    "journeys.journey": ObjectType("Journey", (), lambda j: f"the journey {_quoted(j.name)}", lambda j: _url("journey_edit", j.slug)),
    "journeys.journeystep": ObjectType(
        "Journey step", ("journey",), lambda s: f"the step {_quoted(f'{s.journey.name} › {s.name}')}", lambda s: _url("step_detail", s.journey.slug, s.slug)
    ),
    "journeys.publication": ObjectType(
        "Publication", ("step__journey", "segment", "version__draft__brief", "version__draft__segment"),
        lambda p: f"version {p.version.number} of {_draft_name(p.version.draft)} on {_quoted(f'{p.step.journey.name} › {p.step.name}')} for {p.segment.name}",
        lambda p: _url("step_detail", p.step.journey.slug, p.step.slug),
    ),
    "journeys.apiclient": ObjectType("API client", (), lambda c: f"the API client {_quoted(c.name)}", lambda c: _url("api_client_list")),
    "accounts.user": ObjectType("User", (), lambda u: u.display_name, lambda u: _url("user_list")),
    "brand.brand": ObjectType("Brand", (), lambda b: b.name, lambda b: _url("guide_detail", b.slug)),
    "brand.brandguideversion": ObjectType("Brand guide", ("brand",), lambda g: f"version {g.number} of the {g.brand.name} brand guide", lambda g: _url("guide_detail", g.brand.slug)),
    "brand.segment": ObjectType("Segment", ("brand",), lambda s: f"the segment {_quoted(s.name)}", lambda s: _url("segment_edit", s.brand.slug, s.slug)),
    "brand.prompttemplateversion": ObjectType(
        "Prompt template", ("template",), lambda p: f"version {p.number} of the prompt {_quoted(p.template.name)}", lambda p: _url("prompt_detail", p.template.slug)
    ),
    "audit.auditevent": ObjectType("Audit log"),
}

# What each action says, with {object} where the object's name (and link) goes; {actor} starts every sentence
# unless the text names who acted itself. Values from the event's changes are filled in by _details.
SENTENCES: dict[str, str] = {
    Action.USER_CREATE: "{actor} created the user {object}",
    Action.USER_ROLE_CHANGE: "{actor} changed the roles of {object}",
    Action.USER_DEACTIVATE: "{actor} deactivated {object}",
    Action.USER_REACTIVATE: "{actor} reactivated {object}",
    Action.USER_LOGIN: "{actor} signed in",
    Action.USER_LOGIN_FAILED: "A sign-in as {username} failed",
    Action.USER_LOCKED_OUT: "{username} was locked out after repeated failed sign-ins",
    Action.GUIDE_VERSION_CREATE: "{actor} created {object}",
    Action.BRAND_UPDATE: "{actor} changed the settings of {object}",
    Action.PROMPT_VERSION_CREATE: "{actor} created {object}",
    Action.SEGMENT_CREATE: "{actor} created {object}",
    Action.SEGMENT_UPDATE: "{actor} changed {object}",
    Action.BRIEF_CREATE: "{actor} wrote the brief {object}",
    Action.BRIEF_UPDATE: "{actor} changed the brief {object}",
    Action.BRIEF_REVISE: "{actor} revised the brief {object} after it was generated, keeping the earlier text as a revision",
    Action.GENERATION_START: "{actor} started {object}",
    Action.GENERATION_JOB_DONE: "{actor} finished {object}",
    Action.GENERATION_JOB_FAILED: "{actor} gave up on {object}",
    Action.GENERATION_RETRY: "{actor} retried the failed parts of {object}",
    Action.GENERATION_CANCEL: "{actor} cancelled {object}",
    Action.GENERATION_RECOVER: "{actor} handed back generation jobs a stopped worker held",
    Action.GENERATION_JOB_CLAIM: "{actor} started writing {object}",
    Action.GENERATION_JOB_RETRY: "{actor} will try {object} again",
    Action.DRAFT_STATE_RESET: "{actor} moved {object} back to {state_after}",
    Action.DRAFT_CREATE: "{actor} wrote {object}",
    Action.DRAFT_VERSION_CREATE: "{actor} {wrote} {object}",
    Action.DRAFT_SUBMIT: "{actor} submitted version {version} of {object} for review",
    Action.DRAFT_DISCARD: "{actor} discarded {object}",
    Action.DRAFT_RESTORE: "{actor} restored {object}",
    Action.CHECK_RUN: "{actor} checked {object}",
    Action.CHECK_FALSE_POSITIVE: "{actor} marked a finding on {object} as a false positive",
    Action.CHECK_SUGGESTION_APPLY: "{actor} applied a suggested fix, making {object}",
    Action.CHECK_RECERTIFY: "{actor} re-checked the content in review and live against {object}",
    Action.REVIEW_APPROVE: "{actor} approved version {version} of {object}",
    Action.REVIEW_REJECT: "{actor} rejected version {version} of {object}",
    Action.REVIEW_REQUEST_CHANGES: "{actor} asked for changes to version {version} of {object}",
    Action.REVIEW_OVERRIDE: "{actor} waived a blocking finding on {object}",
    Action.REVIEW_COMMENT: "{actor} commented on {object}",
    Action.JOURNEY_CREATE: "{actor} created {object}",
    Action.JOURNEY_UPDATE: "{actor} changed {object}",
    Action.JOURNEY_STEP_CREATE: "{actor} added {object}",
    Action.JOURNEY_STEP_UPDATE: "{actor} changed {object}",
    Action.JOURNEY_PAUSE: "{actor} paused {object}: nothing in it is served until it is resumed",
    Action.JOURNEY_RESUME: "{actor} resumed {object}",
    Action.PUBLICATION_CREATE: "{actor} published {object}",
    Action.PUBLICATION_END: "{actor} unpublished {object}",
    Action.PUBLICATION_ROLLBACK: "{actor} rolled back what was live on {object}",
    Action.PUBLICATION_REWEIGHT: "{actor} changed the A/B weights on {object}",
    Action.API_CLIENT_CREATE: "{actor} created {object}",
    Action.API_CLIENT_REVOKE: "{actor} revoked {object}",
    Action.OUTCOMES_REPORT: "{actor} reported outcomes for {object}",
    Action.AUDIT_EXPORT: "{actor} exported the audit log",
}
# Short names of the actions for the filter: "Review: approved".
ACTION_LABELS: dict[str, str] = {
    Action.USER_CREATE: "User created", Action.USER_ROLE_CHANGE: "User's roles changed", Action.USER_DEACTIVATE: "User deactivated",
    Action.USER_REACTIVATE: "User reactivated", Action.USER_LOGIN: "Signed in", Action.USER_LOGIN_FAILED: "Sign-in failed",
    Action.USER_LOCKED_OUT: "Locked out", Action.GUIDE_VERSION_CREATE: "Brand guide version created", Action.BRAND_UPDATE: "Brand settings changed",
    Action.PROMPT_VERSION_CREATE: "Prompt version created", Action.SEGMENT_CREATE: "Segment created", Action.SEGMENT_UPDATE: "Segment changed",
    Action.BRIEF_CREATE: "Brief written", Action.BRIEF_UPDATE: "Brief changed", Action.BRIEF_REVISE: "Brief revised",
    Action.DRAFT_DISCARD: "Draft discarded", Action.DRAFT_RESTORE: "Draft restored", Action.GENERATION_START: "Generation started", Action.GENERATION_JOB_DONE: "Generation job finished",
    Action.GENERATION_JOB_FAILED: "Generation job failed", Action.GENERATION_RETRY: "Generation retried", Action.GENERATION_CANCEL: "Generation cancelled",
    Action.GENERATION_RECOVER: "Generation jobs recovered", Action.GENERATION_JOB_CLAIM: "Generation job started", Action.GENERATION_JOB_RETRY: "Generation job to retry",
    Action.DRAFT_STATE_RESET: "Draft moved back", Action.DRAFT_CREATE: "Draft written", Action.DRAFT_VERSION_CREATE: "Draft version written",
    Action.DRAFT_SUBMIT: "Draft submitted", Action.CHECK_RUN: "Checked", Action.CHECK_FALSE_POSITIVE: "Finding marked false positive",
    Action.CHECK_SUGGESTION_APPLY: "Suggestion applied", Action.CHECK_RECERTIFY: "Re-checked against a new guide", Action.REVIEW_APPROVE: "Approved",
    Action.REVIEW_REJECT: "Rejected", Action.REVIEW_REQUEST_CHANGES: "Changes requested", Action.REVIEW_OVERRIDE: "Finding waived",
    Action.REVIEW_COMMENT: "Commented", Action.JOURNEY_CREATE: "Journey created", Action.JOURNEY_UPDATE: "Journey changed",
    Action.JOURNEY_STEP_CREATE: "Journey step added", Action.JOURNEY_STEP_UPDATE: "Journey step changed", Action.JOURNEY_PAUSE: "Journey paused",
    Action.JOURNEY_RESUME: "Journey resumed", Action.PUBLICATION_CREATE: "Published", Action.PUBLICATION_END: "Unpublished",
    Action.PUBLICATION_ROLLBACK: "Rolled back", Action.PUBLICATION_REWEIGHT: "A/B weights changed", Action.API_CLIENT_CREATE: "API client created",
    Action.API_CLIENT_REVOKE: "API client revoked", Action.OUTCOMES_REPORT: "Outcomes reported", Action.AUDIT_EXPORT: "Audit log exported",
}
SYSTEM_ACTOR = "@system"  # the actor filter's value for Copydesk acting on its own (generation, checks, the demo seed)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def object_type_label(object_type: str) -> str:
    return OBJECT_TYPES[object_type].label if object_type in OBJECT_TYPES else object_type


@dataclass(frozen=True)
class Sentence:
    """An event in words: before, the object's name (a link when it has a page), after; plain text, escaped by the template."""

    before: str
    object_name: str
    object_url: str | None
    after: str
    detail: str  # a short quote from the changes: a reason, a justification, an error


def describe(events: Iterable[AuditEvent]) -> list[tuple[AuditEvent, Sentence]]:
    events = list(events)
    objects = _objects(events)
    actors = _actors(events)
    return [(event, _sentence(event, objects.get((event.object_type, event.object_id)), actors)) for event in events]


def _objects(events: list[AuditEvent]) -> dict[tuple[str, str], Any]:
    """The page's objects, one query per kind; an object id that is not a row id (a username typed at sign-in) is none."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.object_type in OBJECT_TYPES and event.object_id.isascii() and event.object_id.isdigit() and event.object_type != "audit.auditevent":
            wanted[event.object_type].add(int(event.object_id))
    found: dict[tuple[str, str], Any] = {}
    for object_type, ids in wanted.items():
        model = apps.get_model(object_type)
        spec = OBJECT_TYPES[object_type]
        rows = model.objects.filter(pk__in=ids)
        for obj in rows.select_related(*spec.related) if spec.related else rows:
            found[(object_type, str(obj.pk))] = obj
    return found


def _actors(events: list[AuditEvent]) -> dict[str, str]:
    """Users' display names by id, in one query."""
    ids = {int(e.actor_id) for e in events if e.actor_type == ActorType.USER and e.actor_id.isascii() and e.actor_id.isdigit()}
    if not ids:
        return {}
    users = apps.get_model("accounts.user").objects.filter(pk__in=ids)
    return {str(user.pk): user.display_name for user in users}


def actor_name(event: AuditEvent, names: dict[str, str]) -> str:
    if event.actor_type == ActorType.USER:
        return names.get(event.actor_id) or event.actor_label or "Someone"
    if event.actor_type == ActorType.API_CLIENT:
        return f"The API client {_quoted(event.actor_label)}"
    label = event.actor_label
    return "Copydesk" if label in ("", "system") else f"Copydesk ({label})"


def _sentence(event: AuditEvent, obj: Any, actors: dict[str, str]) -> Sentence:
    changes = event.changes if isinstance(event.changes, dict) else {}
    values = _details(event, changes)
    values["actor"] = actor_name(event, actors)
    spec = OBJECT_TYPES.get(event.object_type)
    if obj is not None and spec is not None:
        name, url = spec.name(obj), spec.url(obj)
    else:
        name, url = _unresolved_name(event), None
    template = SENTENCES.get(event.action, "{actor}: " + event.action + " on {object}")
    before, _, after = template.partition("{object}")
    if "{object}" not in template:
        before, name, after = template, "", ""
    text = [_fill(part, values) for part in (before, after)]
    return Sentence(encodable(text[0]), encodable(str(name)), url, encodable(text[1]), encodable(_quote(event.action, changes)))


def _unresolved_name(event: AuditEvent) -> str:
    """An object that is gone or was never a row: its kind and id."""
    label = object_type_label(event.object_type).lower()
    return f"{label} {event.object_id}" if event.object_id else label


def _details(event: AuditEvent, changes: dict[str, Any]) -> dict[str, str]:
    state = changes.get("state")
    origin = changes.get("origin")
    return {
        "version": str(changes.get("version", "?")),
        "username": _quoted(changes.get("username", event.object_id)),
        "state_after": str(state[-1]).replace("_", " ") if isinstance(state, list) and state else "an earlier state",
        "wrote": "generated" if origin in ("generated", "regenerated", "generate", "regenerate") or event.actor_type == ActorType.SYSTEM else "wrote",
    }


def _fill(template: str, values: dict[str, str]) -> str:
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


def _quote(action: str, changes: dict[str, Any]) -> str:
    """The words a person gave with the action (a reason, a justification, a comment) or an error, shown under the sentence."""
    for key in ("reason", "justification", "comment", "error", "instruction"):
        value = changes.get(key)
        if isinstance(value, list):  # [before, after]
            value = value[-1]
        if isinstance(value, str) and value:
            return value[:300]
    if action == Action.CHECK_RUN:
        if changes.get("passed"):
            return f"Passed, {changes.get('warnings', 0)} warning(s)."
        return f"Blocked: {changes.get('blocking', 0)} blocking finding(s), {changes.get('warnings', 0)} warning(s)."
    return ""


def actor_choices() -> list[tuple[str, str]]:
    """People and API clients by name, and Copydesk itself, for the actor filter (the stored label is the value)."""
    users = apps.get_model("accounts.user").objects.order_by("first_name", "last_name", "username")
    clients = apps.get_model("journeys.apiclient").objects.order_by("name").values_list("name", flat=True)
    choices = [(u.username, f"{u.display_name} ({u.username})" if u.display_name != u.username else u.username) for u in users]
    choices += [(name, f"API client {_quoted(name)}") for name in clients]
    return [(SYSTEM_ACTOR, "Copydesk (automatic)"), *((encodable(v), encodable(label)) for v, label in choices)]
