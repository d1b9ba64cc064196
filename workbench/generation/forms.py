from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from workbench.brand.locales import guide_locales, locale_label
from workbench.brand.models import Brand, PromptTemplate, Segment, channel_choices
from workbench.checks.engine.channels import RegistryView
from workbench.generation.actions import brief_tone_contexts
from workbench.generation.limits import BRIEF_TEXT_MAX_CHARS, draft_field_limit
from workbench.generation.models import Brief
from workbench.generation.query import id_param

# channel -> one line on what its messages are made of, from the channel registry
CHANNEL_HELP = RegistryView(lambda channel: channel.help)


class IdChoicesField(forms.ModelMultipleChoiceField):
    """Objects picked by id (checkboxes): a value no database id can be is not one of the choices, said so before
    the database is asked. Django looks the values up with IN (...), where SQLite raises OverflowError for 10**30
    and PostgreSQL a DataError (the single-choice field's lookup, =, finds nothing instead)."""

    def clean(self, value: Any) -> Any:
        for raw in value if isinstance(value, (list, tuple)) else ():
            if id_param(str(raw)) is None:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": str(raw)[:40]})
        return super().clean(value)


class SegmentChoiceField(IdChoicesField):
    def label_from_instance(self, obj: Segment) -> str:
        # The picker template shows tone context and sensitivity beside the name as badges.
        return obj.name


class BriefForm(forms.Form):
    brand = forms.ModelChoiceField(queryset=Brand.objects.all(), empty_label=None)
    title = forms.CharField(max_length=200, help_text="An internal name, e.g. “Spring boots launch”.")
    goal = forms.CharField(max_length=BRIEF_TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2}), help_text="What should this message achieve?")
    key_message = forms.CharField(
        max_length=BRIEF_TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2}), help_text="The one thing the reader must take away."
    )
    offer = forms.CharField(required=False, max_length=300, help_text="Optional. State it exactly as it may be promised.")
    call_to_action = forms.CharField(max_length=200, help_text="What the reader should do next, e.g. “See the new boots”.")
    segments = SegmentChoiceField(
        queryset=Segment.objects.select_related("brand"),
        widget=forms.CheckboxSelectMultiple,
        help_text="Each segment gets its own variants, written for its tone context.",
        error_messages={"required": "Pick at least one audience segment."},
    )
    channels = forms.MultipleChoiceField(
        choices=channel_choices, widget=forms.CheckboxSelectMultiple, error_messages={"required": "Pick at least one channel."},
        help_text="Each channel has its own fields and limits from the brand guide.",
    )
    locales = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Locales",
        help_text="Each locale gets its own variants, written and checked in its language. None picked: the brand's default locale.",
    )
    variants_per_segment = forms.IntegerField(min_value=1, initial=2, help_text="How many variants per segment and channel.")
    tone_context = forms.ChoiceField(
        required=False, label="Tone context",
        help_text="Optional: one of the brand guide's tone contexts for every segment; left as is, each segment keeps its own.",
    )
    prompt_template = forms.ModelChoiceField(queryset=PromptTemplate.objects.all(), empty_label=None)
    llm_model = forms.CharField(
        required=False, max_length=100, label="Model (optional)",
        help_text="With an LLM provider configured: the model for this brief, e.g. gpt-4o. Blank uses the brand's, then the site's.",
    )
    temperature = forms.FloatField(
        required=False, min_value=0, max_value=2, label="Temperature (optional)",
        help_text="0 to 2; lower is more predictable. Blank uses the brand's setting, then the model's default.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        _no_silent_cuts(self)
        self.fields["variants_per_segment"].max_value = settings.MAX_VARIANTS_PER_SEGMENT  # type: ignore[attr-defined]
        self.fields["variants_per_segment"].widget.attrs["max"] = settings.MAX_VARIANTS_PER_SEGMENT
        self._add_locale_fields()
        self._add_tone_contexts()

    def _add_tone_contexts(self, brands: list[Brand] | None = None) -> None:
        """The tone contexts of each brand's current guide, grouped by brand; clean() holds the choice to the brief's brand."""
        brands = brands if brands is not None else list(Brand.objects.order_by("name"))
        groups = [(brand.name, [(c, c.replace("_", " ")) for c in brief_tone_contexts(brand)]) for brand in brands]
        groups = [(name, options) for name, options in groups if options]
        flat = groups[0][1] if len(groups) == 1 else groups
        self.fields["tone_context"].choices = [("", "Each segment's own"), *flat]  # type: ignore[attr-defined]

    def fix_brand(self, brand: Brand) -> None:
        """Editing keeps the brief's brand: its segments, locales and drafts belong to it."""
        field = self.fields["brand"]
        field.queryset = Brand.objects.filter(pk=brand.pk)  # type: ignore[attr-defined]
        field.widget = forms.HiddenInput()
        field.initial = brand.pk
        self._add_tone_contexts([brand])

    def _add_locale_fields(self) -> None:
        """A checkbox per locale the brands declare, and an optional key message for each locale that is not a brand's default."""
        choices: dict[str, str] = {}
        defaults: set[str] = set()
        brands = list(Brand.objects.all())
        for brand in brands:
            guide = brand.guide_versions.order_by("-number").first()
            data = guide.data if guide else {}
            tags = guide_locales(data)
            defaults.add(tags[0])
            for tag in tags:
                choices.setdefault(tag, f"{locale_label(data, tag)}" + (f" · {brand.name}" if len(brands) > 1 else ""))
        self.fields["locales"].choices = list(choices.items())  # type: ignore[attr-defined]
        if len(choices) <= 1:
            del self.fields["locales"]  # one locale: nothing to pick
            return
        for tag in choices:
            if tag in defaults:
                continue
            self.fields[key_message_field(tag)] = forms.CharField(
                required=False, max_length=BRIEF_TEXT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2}),
                label=f"Message in {tag} (optional)",
                help_text=f"Written by you in this locale's language. The offline stand-in cannot translate; with it, copy for {tag} is written from this.",
            )

    def locale_key_messages(self) -> dict[str, str]:
        data = self.cleaned_data
        return {tag: data[key_message_field(tag)] for tag in data.get("locales") or [] if data.get(key_message_field(tag))}

    @classmethod
    def initial_from(cls, brief: Brief, *, copy: bool = True) -> dict[str, Any]:
        """A form's starting values from an existing brief: a new brief's when duplicating, the brief's own when editing."""
        return {
            "brand": brief.brand_id, "title": f"Copy of {brief.title}"[:200] if copy else brief.title, "goal": brief.goal, "key_message": brief.key_message,
            "offer": brief.offer, "call_to_action": brief.call_to_action, "segments": [s.pk for s in brief.segments.all()],
            "channels": brief.channels, "variants_per_segment": brief.variants_per_segment, "tone_context": brief.tone_context,
            "prompt_template": brief.prompt_template_id, "llm_model": brief.llm_model, "locales": list(brief.locales),
            **{key_message_field(tag): text for tag, text in (brief.locale_key_messages or {}).items()},
            **({"temperature": t} if (t := (brief.llm_parameters or {}).get("temperature")) is not None else {}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        brand, segments = data.get("brand"), data.get("segments")
        if brand and segments:
            foreign = [s.name for s in segments if s.brand_id != brand.pk]
            if foreign:
                self.add_error("segments", f"Not segments of {brand.name}: {', '.join(foreign)}.")
        context = (data.get("tone_context") or "").strip()
        if brand and context:
            contexts = brief_tone_contexts(brand)
            if context not in contexts:
                self.add_error("tone_context", f"{brand.name}'s guide has no tone context {context!r}; use one of {', '.join(contexts) or 'none: it declares none'}.")
        return data


def key_message_field(tag: str) -> str:
    return f"key_message_{tag}"


class DraftEditForm(forms.Form):
    base_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, channel_fields: tuple[str, ...], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name in channel_fields:
            widget = forms.Textarea(attrs={"rows": 8 if name == "body" else 2, "aria-describedby": f"meter-{name}"})
            self.fields[name] = forms.CharField(
                required=False, widget=widget, strip=False, max_length=draft_field_limit(name),
                error_messages={"max_length": f"The {name} can hold at most {draft_field_limit(name):,} characters (it has %(show_value)s); shorten it and save again."},
            )
        _no_silent_cuts(self)


def _no_silent_cuts(form: forms.Form) -> None:
    """No maxlength on text areas: a browser cuts pasted text silently there; the server refuses it with a message and keeps it."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.Textarea):
            field.widget.attrs.pop("maxlength", None)
