from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from workbench.brand.models import Brand, Channel, PromptTemplate, Segment


class SegmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Segment) -> str:  # type: ignore[override]
        extras = [f"tone: {obj.tone_context or 'default'}"]
        if obj.sensitive:
            extras.append("sensitive — needs two approvals")
        return f"{obj.name} ({'; '.join(extras)})"


class BriefForm(forms.Form):
    brand = forms.ModelChoiceField(queryset=Brand.objects.all(), empty_label=None)
    title = forms.CharField(max_length=200, help_text="An internal name, e.g. “Spring boots launch”.")
    goal = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="What should this message achieve?")
    key_message = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), help_text="The one thing the reader must take away.")
    offer = forms.CharField(required=False, max_length=300, help_text="Optional. State it exactly as it may be promised.")
    call_to_action = forms.CharField(max_length=200, help_text="What the reader should do next, e.g. “See the new boots”.")
    segments = SegmentChoiceField(
        queryset=Segment.objects.select_related("brand"),
        widget=forms.CheckboxSelectMultiple,
        help_text="Each segment gets its own variants, written for its tone context.",
        error_messages={"required": "Pick at least one audience segment."},
    )
    channels = forms.MultipleChoiceField(
        choices=Channel.choices, widget=forms.CheckboxSelectMultiple, error_messages={"required": "Pick at least one channel."}
    )
    variants_per_segment = forms.IntegerField(min_value=1, initial=2, help_text="How many variants per segment and channel.")
    tone_context = forms.CharField(required=False, max_length=64, help_text="Optional: a tone context from the guide for every segment (e.g. service_recovery).")
    prompt_template = forms.ModelChoiceField(queryset=PromptTemplate.objects.all(), empty_label=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["variants_per_segment"].max_value = settings.MAX_VARIANTS_PER_SEGMENT  # type: ignore[attr-defined]
        self.fields["variants_per_segment"].widget.attrs["max"] = settings.MAX_VARIANTS_PER_SEGMENT

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        brand, segments = data.get("brand"), data.get("segments")
        if brand and segments:
            foreign = [s.name for s in segments if s.brand_id != brand.pk]
            if foreign:
                self.add_error("segments", f"Not segments of {brand.name}: {', '.join(foreign)}.")
        context = (data.get("tone_context") or "").strip()
        if brand and context:
            contexts = ((brand.current_guide().data.get("tone") or {}).get("contexts") or {}).keys()
            if context not in contexts:
                self.add_error("tone_context", f"{brand.name}'s guide has no tone context {context!r}; use one of {', '.join(sorted(contexts))}.")
        return data


class DraftEditForm(forms.Form):
    base_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, channel_fields: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in channel_fields:
            widget = forms.Textarea(attrs={"rows": 8 if name == "body" else 2})
            self.fields[name] = forms.CharField(required=False, widget=widget, strip=False)
