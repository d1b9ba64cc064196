from __future__ import annotations

from typing import Any

from django import forms

from workbench.brand.models import Segment
from workbench.checks.engine import GuideError, parse_guide_yaml
from workbench.checks.engine.errors import format_guide_error


class GuideForm(forms.Form):
    source_yaml = forms.CharField(
        label="Guide (YAML)", strip=False,
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "yaml-editor", "wrap": "off"}),
        help_text="Saving makes a new version; drafts already written keep the version they were checked with.",
    )
    # The version the editor was opened on: a save over a newer one is refused (absent: no such check).
    base_version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems: list[tuple[str, int | None]] = []  # (message, line) in file order, for links to the line

    def clean_source_yaml(self) -> str:
        text: str = self.cleaned_data["source_yaml"]
        try:
            parse_guide_yaml(text)
        except GuideError as exc:
            # Every problem at once, each with its key path and line, so one round trip fixes them all.
            problems = sorted(exc.errors, key=lambda error: error[1] or 0)  # in file order, as the author reads it
            self.problems = [(format_guide_error(path, message, line), line) for path, line, message in problems]
            raise forms.ValidationError([message for message, _line in self.problems]) from None
        return text

    def text_lines(self) -> list[int]:
        """Line numbers for the gutter beside the text as it is now in the form (typed or stored)."""
        value = self["source_yaml"].value() or ""
        return list(range(1, str(value).count("\n") + 2))

    def error_lines(self) -> set[int]:
        return {line for _message, line in self.problems if line is not None}


class SegmentForm(forms.Form):
    slug = forms.SlugField(max_length=64, help_text="Used in the API (segment=SLUG); it cannot change later.")
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    tone_context = forms.ChoiceField(required=False, help_text="Which of the guide's tone contexts this audience's copy follows.")
    sensitive = forms.BooleanField(required=False, help_text="Sensitive segments need two approvals from two different reviewers.")

    def __init__(self, *args: Any, contexts: list[str], segment: Segment | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tone_context = self.fields["tone_context"]
        assert isinstance(tone_context, forms.ChoiceField)
        tone_context.choices = [("", "default"), *((c, c) for c in contexts)]
        if segment is not None:
            self.fields["slug"].disabled = True


class BrandModelForm(forms.Form):
    llm_model = forms.CharField(
        required=False, max_length=100, label="Model",
        help_text="With an LLM provider configured: the model for this brand's briefs; blank uses the site default.",
    )
    temperature = forms.FloatField(required=False, min_value=0, max_value=2, help_text="0 to 2; blank uses the model's default.")
