from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from workbench.audit.describe import ACTION_LABELS, OBJECT_TYPES, SYSTEM_ACTOR, actor_choices
from workbench.audit.models import Action, ActorType, AuditEvent
from workbench.audit.templatetags.audit import encodable


def _listed(choices: list[tuple[str, str]], current: object) -> list[tuple[str, str]]:
    """The choices, plus the value asked for when it is not among them (a link from an object's history, an old
    actor's name), so the select shows what the page is filtered by."""
    if isinstance(current, str) and current and current not in {value for value, _ in choices}:
        return [*choices, (encodable(current), encodable(current))]
    return choices


class AuditFilterForm(forms.Form):
    """Filters chosen from lists (who, what, which kind of object, when); an id narrows to one object."""

    actor = forms.CharField(required=False, max_length=150, label="Who")
    action = forms.ChoiceField(
        required=False, label="What", choices=[("", "Anything")] + sorted(((a.value, ACTION_LABELS.get(a.value, a.value)) for a in Action), key=lambda c: c[1]),
        error_messages={"invalid_choice": "That action is not one Copydesk records."},
    )
    object_type = forms.CharField(required=False, max_length=64, label="Object")
    object_id = forms.CharField(required=False, max_length=64, label="Id", widget=forms.TextInput(attrs={"size": 6}))
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="Until", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        data = self.data if self.is_bound else {}
        types = [("", "Any kind"), *sorted(((key, spec.label) for key, spec in OBJECT_TYPES.items()), key=lambda c: c[1])]
        self.fields["object_type"].widget = forms.Select(choices=_listed(types, data.get("object_type")))
        self.fields["actor"].widget = forms.Select(choices=_listed([("", "Anyone"), *actor_choices()], data.get("actor")))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if isinstance(since, dt.date) and isinstance(until, dt.date) and since > until:
            raise forms.ValidationError("“From” is after “Until”; swap the dates.")
        return data

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """Narrow the events by the valid filters (call after is_valid())."""
        data = self.cleaned_data if self.is_bound and not self.errors else {}
        actor = data.get("actor", "").strip()
        if actor == SYSTEM_ACTOR:
            events = events.filter(actor_type=ActorType.SYSTEM)
        elif actor:
            events = events.filter(actor_label=actor)
        for name in ("action", "object_type", "object_id"):
            value = data.get(name, "").strip()
            if value:
                events = events.filter(**{name: value})
        # Dates are whole days in UTC, the zone the events are stored in.
        if data.get("since"):
            events = events.filter(created_at__gte=dt.datetime.combine(data["since"], dt.time.min, tzinfo=dt.UTC))
        if data.get("until"):
            events = events.filter(created_at__lt=dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC))
        return events
