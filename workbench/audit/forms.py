from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import QuerySet

from workbench.audit.models import Action, AuditEvent


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, max_length=150, help_text="A username or API client name, exactly.")
    action = forms.ChoiceField(required=False, choices=[("", "Any")] + [(a.value, a.value) for a in Action])
    object_type = forms.CharField(required=False, max_length=64, widget=forms.TextInput(attrs={"placeholder": "generation.draft"}))
    object_id = forms.CharField(required=False, max_length=64, label="Id", widget=forms.TextInput(attrs={"size": 6}))
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="Until", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if isinstance(since, dt.date) and isinstance(until, dt.date) and since > until:
            raise forms.ValidationError("“From” is after “Until”; swap the dates.")
        return data

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """Narrow the events by the valid filters (call after is_valid())."""
        data = self.cleaned_data if self.is_bound and not self.errors else {}
        for name in ("actor_label", "action", "object_type", "object_id"):
            value = data.get("actor" if name == "actor_label" else name, "").strip()
            if value:
                events = events.filter(**{name: value})
        # Dates are whole days in UTC, the zone the events are stored in.
        if data.get("since"):
            events = events.filter(created_at__gte=dt.datetime.combine(data["since"], dt.time.min, tzinfo=dt.UTC))
        if data.get("until"):
            events = events.filter(created_at__lt=dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC))
        return events
