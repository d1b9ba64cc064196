"""Forms for the parts of a brand guide admins change most: terms, required texts, channel limits, tone.

Each form reads its section from the parsed guide and gives back the section's new value; the view
stores it through actions.guide_section_update, which rewrites those lines of the YAML. What a form
offers (severities, channels and their limit keys, tone dimensions) comes from the check engine's
own tables, the same ones guide validation reads, so a form can only offer what the guide accepts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from django import forms

from workbench.brand.locales import locale_label
from workbench.checks.engine import CHANNELS, validate_guide
from workbench.checks.engine.errors import GuideError
from workbench.checks.engine.guide import SEVERITIES, TONE_KEYS

from .guide_sections import SectionPath, guide_with

SEVERITY_LABELS = {"block": "block: cannot be approved without a waiver", "warn": "warn: shown to the writer and reviewer"}
TONE_LABELS: dict[str, tuple[str, str]] = {
    # dimension: (column heading, what "flagged" flags)
    "max_exclamations": ("Most “!” per field", ""),
    "max_reading_grade": ("Highest reading grade", ""),
    "shouting": ("Capitals", "words in capitals (SHOUTING)"),
    "promotional": ("Sales talk", "discounts, % off, buy now, upsell"),
    "urgency": ("Pressure", "act now, last chance, hurry"),
    "celebratory": ("Exuberance", "great news, awesome, party emoji"),
}
BOOL_CHOICES = [("", "as default"), ("allowed", "allowed"), ("flagged", "flagged")]


class VersionedForm(forms.Form):
    """Every guide form carries the version it was opened on, so a save over a newer version is refused."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def guide_problems(data: dict[str, Any], changes: Sequence[tuple[SectionPath, Any]]) -> list[tuple[str, str]]:
    """What guide validation says about the guide with these changes, as (key path, message)."""
    for path, value in changes:
        data = guide_with(data, path, value)
    try:
        validate_guide(data, upper_limits=True)
    except GuideError as exc:
        return [(path, message) for path, _line, message in exc.errors]
    return []


def section_name(path: SectionPath) -> str:
    return ".".join(path)


class TermForm(VersionedForm):
    term = forms.CharField(max_length=200, help_text="A word or phrase. It matches in any case, with plurals and common endings, and through tricks like f.r.e.e or fr33.")
    severity = forms.ChoiceField(choices=[(s, SEVERITY_LABELS.get(s, s)) for s in SEVERITIES], initial="block")
    suggestion = forms.CharField(required=False, max_length=200, help_text="Offered to the writer as the word to use instead.")
    reason = forms.CharField(required=False, max_length=500, help_text="Why it is not allowed; the finding's message says it.")
    exceptions = forms.CharField(
        required=False, label="Allowed in these phrases", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One phrase a line: the term is fine inside them (for “free”: free shipping).",
    )
    scope = forms.ChoiceField(label="Applies to", required=False)
    index = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, scopes: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = self.fields["scope"]
        assert isinstance(scope, forms.ChoiceField)
        scope.choices = list(scopes)
        if len(scopes) < 2:
            scope.widget = forms.HiddenInput()

    @staticmethod
    def initial_for(entry: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "term": entry.get("term", ""), "severity": entry.get("severity", "block"), "suggestion": entry.get("suggestion", ""),
            "reason": entry.get("reason", ""), "exceptions": "\n".join(entry.get("except") or []),
        }

    def entry(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {"term": data["term"].strip(), "severity": data["severity"]}
        for key in ("suggestion", "reason"):
            if data[key].strip():
                out[key] = data[key].strip()
        if lines_of(data["exceptions"]):
            out["except"] = lines_of(data["exceptions"])
        return out

    def add_guide_errors(self, problems: list[tuple[str, str]], section: str) -> None:
        fields = {"term": "term", "severity": "severity", "suggestion": "suggestion", "reason": "reason", "except": "exceptions"}
        for path, message in problems:
            rest = path.split("]", 1)[1].lstrip(".") if path.startswith(section + "[") else ""
            field = fields.get(rest.split("[", 1)[0]) if rest else None
            self.add_error(field, message if field else f"{path}: {message}")


def term_scopes(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Where a term can live: the top-level list (every locale) or one locale's added list."""
    scopes = [("", "Every locale" if data.get("locales") else "Every message")]
    for tag in data.get("locales") or {}:
        scopes.append((tag, f"Only {locale_label(data, tag)}"))
    return scopes


def terms_path(scope: str) -> SectionPath:
    return ("locales", scope, "disallowed") if scope else ("disallowed",)


class RequiredForm(VersionedForm):
    """One text box per channel (and per locale when the guide has locales), one required text a line."""

    def __init__(self, *args: Any, guide: Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scopes: list[tuple[str, str, list[str]]] = []  # (scope, heading, field names)
        for scope, heading in term_scopes(guide):
            source = (guide.get("locales") or {}).get(scope) or {} if scope else guide
            current = source.get("required") or {} if isinstance(source, Mapping) else {}
            names = []
            for channel in CHANNELS:
                name = f"{scope or 'all'}__{channel}"
                help_text = "Blank: the texts under “Every locale” apply." if scope else "Blank: nothing is required on this channel."
                self.fields[name] = forms.CharField(
                    required=False, label=CHANNELS[channel].label, widget=forms.Textarea(attrs={"rows": 2}),
                    initial="\n".join(current.get(channel) or []), help_text=help_text,
                )
                names.append(name)
            self.scopes.append((scope, heading if scope else "Every locale" if guide.get("locales") else "Every message", names))

    def scoped_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(heading, [self[name] for name in names]) for _scope, heading, names in self.scopes]

    def changes(self) -> list[tuple[SectionPath, Any]]:
        out: list[tuple[SectionPath, Any]] = []
        for scope, _heading, _names in self.scopes:
            value = {ch: lines_of(self.cleaned_data[f"{scope or 'all'}__{ch}"]) for ch in CHANNELS}
            value = {ch: texts for ch, texts in value.items() if texts}
            out.append((("locales", scope, "required") if scope else ("required",), value or None))
        return out

    def add_guide_errors(self, problems: list[tuple[str, str]]) -> None:
        for path, message in problems:
            field = None
            for scope, _heading, _names in self.scopes:
                prefix = f"locales.{scope}.required." if scope else "required."
                if path.startswith(prefix):
                    channel = path[len(prefix):].split("[", 1)[0]
                    field = f"{scope or 'all'}__{channel}" if channel in CHANNELS else None
            self.add_error(field, message if field else f"{path}: {message}")


class LimitsForm(VersionedForm):
    """A number per channel limit; blank uses Copydesk's default for that channel."""

    def __init__(self, *args: Any, guide: Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = guide.get("channels") or {}
        self.channels: list[tuple[str, list[str]]] = []
        for channel in CHANNELS.values():
            names = []
            for key in channel.limit_keys:
                name = f"{channel.name}__{key}"
                default = channel.default_limits.get(key)
                label = "SMS parts" if key == "max_segments" else f"{channel.field(key.removesuffix('_max_chars')).label}, characters"
                self.fields[name] = forms.IntegerField(
                    required=False, min_value=1, max_value=1_000_000, label=label,
                    error_messages={"min_value": "At least 1; leave it blank for the default.", "max_value": "At most 1,000,000."},
                    initial=(current.get(channel.name) or {}).get(key),
                    help_text=f"Blank: Copydesk's default ({default})." if default is not None else "Blank: not checked.",
                )
                names.append(name)
            self.channels.append((channel.label, names))

    def channel_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(label, [self[name] for name in names]) for label, names in self.channels]

    def value(self) -> dict[str, Any] | None:
        out: dict[str, Any] = {}
        for channel in CHANNELS.values():
            limits = {k: self.cleaned_data[f"{channel.name}__{k}"] for k in channel.limit_keys if self.cleaned_data.get(f"{channel.name}__{k}") is not None}
            if limits:
                out[channel.name] = limits
        return out or None


def _dimension_field(key: str) -> forms.Field:
    heading, flags = TONE_LABELS.get(key, (key, ""))
    kind = TONE_KEYS[key]
    if kind == "bool":
        return forms.ChoiceField(choices=BOOL_CHOICES, required=False, label=heading, help_text=f"Flagged: {flags}." if flags else "")
    if kind == "int":
        return forms.IntegerField(required=False, min_value=0, max_value=1000, label=heading)
    return forms.FloatField(required=False, min_value=0, max_value=100, label=heading)


def dims_initial(dims: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in dims.items():
        if TONE_KEYS.get(key) == "bool":
            out[key] = "allowed" if value else "flagged"
        else:
            out[key] = value
    return out


class ToneDefaultForm(forms.Form):
    """The rules every context starts from."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in TONE_KEYS:
            self.fields[key] = _dimension_field(key)

    def dims(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, kind in TONE_KEYS.items():
            value = self.cleaned_data.get(key)
            if kind == "bool":
                if value:
                    out[key] = value == "allowed"
            elif value is not None:
                out[key] = int(value) if kind == "number" and float(value).is_integer() else value
        return out

    def dimension_fields(self) -> list[forms.BoundField]:
        return [self[key] for key in TONE_KEYS]


class ToneContextForm(ToneDefaultForm):
    name = forms.RegexField(
        regex=r"^[a-z0-9_-]+$", max_length=64, required=False, label="Context",
        error_messages={"invalid": "Use lower-case letters, digits, - and _ (for example service_recovery)."},
    )
    original = forms.CharField(widget=forms.HiddenInput, required=False)
    remove = forms.BooleanField(required=False, label="Remove")
    used_by: list[str] = []  # the segments that follow this context, set by the formset

    def clean_name(self) -> str:
        name: str = self.cleaned_data.get("name") or ""
        if name == "default":
            raise forms.ValidationError("“default” is the row above; give this context another name.")
        return name


if TYPE_CHECKING:
    _ContextFormSet = forms.BaseFormSet[ToneContextForm]
else:
    _ContextFormSet = forms.BaseFormSet  # generic only in the type stubs


class BaseToneContextFormSet(_ContextFormSet):
    def __init__(self, *args: Any, in_use: Mapping[str, list[str]], **kwargs: Any) -> None:
        self.in_use = in_use  # context -> names of the segments that follow it
        super().__init__(*args, **kwargs)
        for form in self.forms:
            form.used_by = self.in_use.get((form.initial or {}).get("name", ""), [])

    def clean(self) -> None:
        seen: set[str] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            name, original, remove = (form.cleaned_data.get(k) for k in ("name", "original", "remove"))
            users = self.in_use.get(original or "", [])
            if original and (remove or (name and name != original)) and users:
                what = "removed" if remove else "renamed"
                form.add_error("remove" if remove else "name", f"It cannot be {what}: segment{'s' if len(users) > 1 else ''} {', '.join(users)} follow{'' if len(users) > 1 else 's'} it. Change {'them' if len(users) > 1 else 'it'} first.")
            if original and not remove and not name:
                form.add_error("name", "A context needs a name (tick Remove to delete it).")
            if name and not remove:
                if name in seen:
                    form.add_error("name", f"There are two contexts named {name}.")
                seen.add(name)

    def contexts(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for form in self.forms:
            data = form.cleaned_data
            if data.get("name") and not data.get("remove"):
                out[data["name"]] = form.dims()
        return out


ToneContextFormSet = cast(
    type[BaseToneContextFormSet],
    forms.formset_factory(ToneContextForm, formset=BaseToneContextFormSet, extra=1, max_num=100, absolute_max=100),
)
