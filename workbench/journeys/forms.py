from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.db.models import F, Max, QuerySet

from workbench.brand.models import Brand, Segment, channel_choices
from workbench.generation.forms import IdChoicesField
from workbench.generation.models import DraftState, DraftVersion
from workbench.journeys.models import Journey, JourneyStep

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# The days these forms take, the first for the outcomes range, both for a publication's window: far enough inside
# what a datetime holds that a day's bounds in any time zone, turned into UTC to be stored, still exist.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(9998, 12, 31)


class WindowTimeField(forms.DateTimeField):
    """A publication's start or end: a local time, refused when it is further out than LATEST_DAY or before EARLIEST_DAY
    (31 Dec 9999 23:59 in a time zone behind UTC is a moment in the year 10000, which no datetime holds)."""

    def to_python(self, value: Any) -> datetime | None:
        moment = super().to_python(value)
        if moment is not None and not EARLIEST_DAY <= moment.date() <= LATEST_DAY:
            raise forms.ValidationError(f"Pick a time from {EARLIEST_DAY:%d %b %Y} to {LATEST_DAY:%d %b %Y}.", code="out_of_range")
        return moment


class ApiClientForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Who uses this token, e.g. “Braze production”.")
    journeys = IdChoicesField(queryset=Journey.objects.all(), required=False, widget=forms.CheckboxSelectMultiple)
    all_journeys = forms.BooleanField(required=False, help_text="Every journey, including ones made later.")
    can_check = forms.BooleanField(required=False, label="May run checks", help_text="Allows POST /api/v1/checks.")
    rate_limit_per_minute = forms.IntegerField(min_value=1, max_value=1_000_000, initial=6000, help_text="Requests a minute before the API answers 429.")


class JourneyForm(forms.Form):
    brand = forms.ModelChoiceField(queryset=Brand.objects.all())
    slug = forms.SlugField(max_length=64, help_text="Used in API paths; cannot change later.")
    name = forms.CharField(max_length=200)


class JourneyNameForm(forms.Form):
    name = forms.CharField(max_length=200)


class SignalsField(forms.CharField):
    """Comma-separated signal names, as a list."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return sorted({s.strip() for s in text.split(",") if s.strip()})

    def prepare_value(self, value: Any) -> str:
        return ", ".join(value) if isinstance(value, list) else str(value or "")


class StepSettingsForm(forms.Form):
    name = forms.CharField(max_length=200)
    tone_context = forms.CharField(max_length=64, required=False, help_text="When set, only copy checked for this tone context may be published here.")
    promotional = forms.BooleanField(required=False, help_text="A promotional step: suppress it for customers in a service situation.")
    suppress_signals = SignalsField(
        required=False, label="Suppressed by signals", help_text="Comma-separated, e.g. open_support_case, billing_issue: the API answers 204 when a request carries one."
    )
    default_segment = forms.ModelChoiceField(queryset=Segment.objects.none(), required=False, help_text="Served when the asked-for segment has nothing live.")

    def __init__(self, *args: Any, journey: Journey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_segment"].queryset = Segment.objects.filter(brand_id=journey.brand_id)  # type: ignore[attr-defined]


class StepCreateForm(StepSettingsForm):
    slug = forms.SlugField(max_length=64, help_text="Used in API paths; cannot change later.")
    channel = forms.ChoiceField(choices=channel_choices)
    field_order = ["slug", "name", "channel"]


def publishable_versions(step: JourneyStep) -> QuerySet[DraftVersion]:
    """Current versions of approved drafts for the step's channel and brand; publication_create has the last word."""
    return (
        DraftVersion.objects.filter(draft__state=DraftState.APPROVED, draft__channel=step.channel, draft__brief__brand_id=step.journey.brand_id)
        .annotate(latest=Max("draft__versions__number"))
        .filter(number=F("latest"))
        .select_related("draft__segment", "draft__brief")
        .order_by("-draft__updated_at")
    )


def publish_steps(version: DraftVersion) -> QuerySet[JourneyStep]:
    """The steps a version's copy may go to: its brand's journey steps of its channel; publication_plan has the last word."""
    draft = version.draft
    return (
        JourneyStep.objects.filter(journey__brand_id=draft.brief.brand_id, channel=draft.channel)
        .select_related("journey")
        .order_by("journey__name", "journey_id", "position", "pk")
    )


WEIGHT_ERROR = "The A/B weight must be a whole number from 1 to 10000."


class PublishForm(forms.Form):
    """The one publishing dialog: from a draft's page (the version is given, the step is chosen) or a step's page (the other way round).

    Nothing is chosen for the publisher: the step or content starts empty and must be picked, and the mode is Replace unless
    Add is chosen. The view shows publication_plan's preview before anything goes live; `plan` carries the preview's token back.
    """

    step = forms.ModelChoiceField(
        queryset=JourneyStep.objects.none(), empty_label="Choose a step", label="Journey step",
        error_messages={"required": "Choose the journey step to publish to.", "invalid_choice": "That step does not take this content; choose one from the list."},
    )
    version = forms.ModelChoiceField(
        queryset=DraftVersion.objects.none(), empty_label="Choose approved content", label="Approved content",
        error_messages={"required": "Choose the approved content to publish.", "invalid_choice": "That is not approved, current content for this step; choose one from the list."},
    )
    segment = forms.ModelChoiceField(
        queryset=Segment.objects.none(), required=False, empty_label="the draft's own segment", label="For segment",
        error_messages={"invalid_choice": "That segment is not one of this brand's; choose one from the list."},
    )
    replace = forms.TypedChoiceField(
        choices=[("1", "Replace what is live for the segment"), ("0", "Add as an A/B variant beside it")], coerce=lambda v: v == "1", initial="1",
        widget=forms.RadioSelect, label="Mode", error_messages={"required": "Choose Replace or Add as an A/B variant.", "invalid_choice": "Choose Replace or Add as an A/B variant."},
    )
    weight = forms.IntegerField(
        min_value=1, max_value=10000, initial=100, label="A/B weight", help_text="Its share of traffic beside the other variants of the segment.",
        error_messages={"required": WEIGHT_ERROR, "invalid": WEIGHT_ERROR, "min_value": WEIGHT_ERROR, "max_value": WEIGHT_ERROR},
    )
    starts_at = WindowTimeField(required=False, widget=DATETIME_LOCAL, label="Live from", help_text="Empty: now.")
    ends_at = WindowTimeField(required=False, widget=DATETIME_LOCAL, label="Live until", help_text="Empty: until unpublished.")
    plan = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, step: JourneyStep | None = None, version: DraftVersion | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if (step is None) == (version is None):
            raise TypeError("PublishForm takes the step (on a step's page) or the version (on a draft's page), not both")
        self.fixed_step, self.fixed_version = step, version
        step_field, version_field = self.fields["step"], self.fields["version"]
        if step is not None:
            # The page's step is the choice: taken from the server, never from what is posted.
            step_field.queryset = JourneyStep.objects.filter(pk=step.pk)  # type: ignore[attr-defined]
            step_field.initial, step_field.disabled = step.pk, True
            version_field.queryset = publishable_versions(step)  # type: ignore[attr-defined]
            version_field.label_from_instance = lambda v: f"draft {v.draft_id} v{v.number} · {v.draft.segment.name} · {v.headline[:60]}"  # type: ignore[attr-defined]
            brand_id = step.journey.brand_id
        else:
            assert version is not None
            version_field.queryset = DraftVersion.objects.filter(pk=version.pk)  # type: ignore[attr-defined]
            version_field.initial, version_field.disabled = version.pk, True
            step_field.queryset = publish_steps(version)  # type: ignore[attr-defined]
            step_field.label_from_instance = lambda s: f"{s.journey.name} › {s.name}{' (journey paused)' if s.journey.paused else ''}"  # type: ignore[attr-defined]
            brand_id = version.draft.brief.brand_id
        self.fields["segment"].queryset = Segment.objects.filter(brand_id=brand_id)  # type: ignore[attr-defined]

    def plan_arguments(self) -> dict[str, Any]:
        """The cleaned choices as publication_plan and publication_create take them."""
        data = self.cleaned_data
        return {key: data[key] for key in ("step", "version", "segment", "replace", "weight", "starts_at", "ends_at")}


MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30


class OutcomeRangeForm(forms.Form):
    """The performance page's date range (both days included, in the site's time zone) and, optionally, one step."""

    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    step = forms.ModelChoiceField(
        queryset=JourneyStep.objects.select_related("journey").order_by("journey__slug", "position", "pk"), required=False,
        empty_label="Every step", label="Journey step",
    )

    def __init__(self, data: Any = None, *, today: date) -> None:
        self.today = today
        # A form that was not sent shows the default range; one that was sent keeps what the user typed.
        sent = data is not None and any(data.get(k) for k in ("date_from", "date_to", "step"))
        super().__init__(data if sent else None, initial=self.defaults(today))
        self.fields["step"].label_from_instance = lambda s: f"{s.journey.slug}/{s.slug} · {s.get_channel_display()}"  # type: ignore[attr-defined]

    @staticmethod
    def defaults(today: date) -> dict[str, date]:
        return {"date_from": today - timedelta(days=DEFAULT_RANGE_DAYS - 1), "date_to": today}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        end = data.get("date_to") or self.today
        if end < EARLIEST_DAY and not data.get("date_from"):
            # Checked before the default start is counted back from it: 30 days before 5 Jan 0001 is no date at all.
            self.add_error("date_to", f"Pick a day from {EARLIEST_DAY:%d %b %Y} on.")
            return data
        # Without a start, the 30 days up to the end, from EARLIEST_DAY at the earliest.
        start = data.get("date_from") or max(end - timedelta(days=DEFAULT_RANGE_DAYS - 1), EARLIEST_DAY)
        if start > end:
            self.add_error("date_from", f"The start ({start:%d %b %Y}) is after the end ({end:%d %b %Y}); swap them or pick another day.")
        elif (end - start).days + 1 > MAX_RANGE_DAYS:
            self.add_error("date_to", f"Choose at most {MAX_RANGE_DAYS} days; this range has {(end - start).days + 1}.")
        elif start < EARLIEST_DAY:
            # Also keeps the day's bounds inside what datetimes (and the database) can hold in any time zone.
            self.add_error("date_from", f"Pick a day from {EARLIEST_DAY:%d %b %Y} on.")
        elif start > self.today:
            self.add_error("date_from", f"The range starts after today ({self.today:%d %b %Y}): nothing can have been reported yet.")
        data["date_from"], data["date_to"] = start, end
        return data

    def range(self) -> tuple[date, date, JourneyStep | None]:
        """The valid range: what was sent, or the defaults when nothing was. Call only when is_valid() or unbound."""
        if not self.is_bound:
            defaults = self.defaults(self.today)
            return defaults["date_from"], defaults["date_to"], None
        return self.cleaned_data["date_from"], self.cleaned_data["date_to"], self.cleaned_data.get("step")
