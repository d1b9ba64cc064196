"""The channel registry: every channel Copydesk writes for, defined once.

A channel is its fields (each plain text or HTML), the length limits that apply
when a brand guide sets none, whether its body is counted in SMS segments, what
the prompt asks the model for, and the one-line help the brief form shows.
Everything else reads this module: guide validation (which channels and limit
keys a guide may name), the check engine (fields, defaults, HTML reading, SMS
counting, labels in messages), sanitising (HTML or plain text per field), the
brief and journey forms and the model choices, the prompt context and the
provider's JSON schema, the draft editor's field sizes.

Adding a channel is one ``Channel`` entry in ``BUILT_IN`` (plus, if its
previews need one, a template); see docs/channels.md. It lives in the check
engine because the engine is pure Python and the Django apps import from it,
never the other way round.

``CHANNELS`` is read live (not copied at import time), so a channel registered
with ``register_channel`` -- a test, a deployment's extension -- is seen by
every reader at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar

FieldKind = Literal["plain", "html"]
PLAIN: Final = "plain"
HTML: Final = "html"

SEGMENTS_KEY: Final = "max_segments"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a channel."""

    name: str  # the key in a draft's fields and in Contract 2's "fields"
    label: str  # how a message or a form names it ("Subject", "CTA")
    kind: FieldKind = PLAIN  # "html": stored, sanitised and checked as HTML; "plain": no markup survives
    default_max_chars: int | None = None  # the check's limit when the guide sets none
    # The most any entrance (form, API, provider) accepts, whatever the guide: it guards the
    # server (checks, sanitising and rendering grow with the text), it does not judge the copy.
    stored_max_chars: int = 1_000
    sms_segments: bool = False  # counted in GSM-7 / UCS-2 SMS parts against the guide's max_segments

    @property
    def limit_key(self) -> str:
        return f"{self.name}_max_chars"


@dataclass(frozen=True, slots=True)
class Channel:
    name: str  # the stored value (model choices, Contract 2's "channel", guide keys)
    label: str
    fields: tuple[FieldSpec, ...]
    help: str  # one line for the brief form: what a message on this channel is made of
    prompt_guidance: str  # what the prompt asks the model for on this channel
    default_max_segments: int | None = None  # SMS channels: parts allowed when the guide sets none

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.name} has no field {name!r}")

    @property
    def counts_sms_segments(self) -> bool:
        return any(f.sms_segments for f in self.fields)

    @property
    def limit_keys(self) -> tuple[str, ...]:
        """The keys a guide's ``channels.<name>`` may set."""
        return ((SEGMENTS_KEY,) if self.counts_sms_segments else ()) + tuple(f.limit_key for f in self.fields)

    @property
    def default_limits(self) -> dict[str, int]:
        limits: dict[str, int] = {}
        if self.counts_sms_segments and self.default_max_segments is not None:
            limits[SEGMENTS_KEY] = self.default_max_segments
        limits.update({f.limit_key: f.default_max_chars for f in self.fields if f.default_max_chars is not None})
        return limits

    def limits(self, guide_data: Mapping[str, Any]) -> dict[str, int]:
        """The limits that apply: the guide's ``channels.<name>`` over the defaults.

        The checks judge copy by these and the prompt tells the model these, so the two never disagree.
        """
        return {**self.default_limits, **((guide_data.get("channels") or {}).get(self.name) or {})}


# Default limits are what common clients display before truncating: ~78 characters of an email
# subject, ~140 of a preheader; iOS shows ~178 characters of a push body; SMS over 3 parts is
# costly and often split badly by handsets.
BUILT_IN: Final[tuple[Channel, ...]] = (
    Channel(
        name="email", label="Email",
        fields=(
            FieldSpec("subject", "Subject", default_max_chars=78),
            FieldSpec("preheader", "Preheader", default_max_chars=140),
            FieldSpec("body", "Body", kind=HTML, default_max_chars=10_000, stored_max_chars=20_000),
        ),
        help="Subject, preheader and body; must carry the unsubscribe link.",
        prompt_guidance=(
            "Email: a subject that says what is inside, a preheader that adds to it rather than repeating it, "
            "and a body of short paragraphs. The body may use <p>, <strong>, <em>, <a href> and lists; "
            "nothing else survives."
        ),
    ),
    Channel(
        name="sms", label="SMS",
        fields=(FieldSpec("body", "Body", sms_segments=True, stored_max_chars=20_000),),
        help="One short body; GSM-7 or Unicode segments are counted, opt-out text required.",
        prompt_guidance=(
            "SMS: one short plain-text message. Avoid emoji and curly quotes: any character outside GSM-7 "
            "cuts a segment from 160 to 70 characters."
        ),
        default_max_segments=3,
    ),
    Channel(
        name="push", label="Push",
        fields=(
            FieldSpec("title", "Title", default_max_chars=50),
            FieldSpec("body", "Body", default_max_chars=178, stored_max_chars=20_000),
        ),
        help="A title and a short body shown on the lock screen.",
        prompt_guidance="Push: it is read on a lock screen. A title of a few words and one sentence of body, plain text.",
    ),
    Channel(
        name="in_app", label="In-app",
        fields=(
            FieldSpec("title", "Title", default_max_chars=60),
            FieldSpec("body", "Body", default_max_chars=300, stored_max_chars=20_000),
            FieldSpec("cta", "CTA", default_max_chars=25),
        ),
        help="A title, a body and a button label (call to action).",
        prompt_guidance=(
            "In-app: a title, a body of one or two sentences and a call-to-action label of two or three words, "
            "plain text."
        ),
    ),
)

_REGISTRY: dict[str, Channel] = {channel.name: channel for channel in BUILT_IN}


class RegistryView(Mapping[str, T]):
    """Channel name -> one thing read from its Channel, in registration order; live and read-only."""

    def __init__(self, read: Callable[[Channel], T]) -> None:
        self._read = read

    def __getitem__(self, name: str) -> T:
        return self._read(_REGISTRY[name])

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(_REGISTRY))

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __repr__(self) -> str:
        return repr(dict(self))


CHANNELS: Final[Mapping[str, Channel]] = RegistryView(lambda channel: channel)


def register_channel(channel: Channel) -> None:
    """Add a channel (a test, or a deployment's own channel). Its name must be new."""
    if channel.name in _REGISTRY:
        raise ValueError(f"channel {channel.name!r} is already registered")
    if len(set(channel.field_names)) != len(channel.fields) or not channel.fields:
        raise ValueError(f"channel {channel.name!r} needs one or more fields with distinct names")
    _REGISTRY[channel.name] = channel


def unregister_channel(name: str) -> None:
    """Remove a channel added with register_channel; the built-in ones stay."""
    if any(channel.name == name for channel in BUILT_IN):
        raise ValueError(f"channel {name!r} is built in")
    _REGISTRY.pop(name, None)


def channel_choices() -> list[tuple[str, str]]:
    """(name, label) of every registered channel, for a form's choices (a callable, so read live)."""
    return [(c.name, c.label) for c in _REGISTRY.values()]


def describe_channels() -> str:
    """Each channel and its fields in one line, for API documentation: "email: subject, preheader, body (HTML); sms: body; ..."."""
    return "; ".join(
        f"{c.name}: " + ", ".join(f.name + (" (HTML)" if f.kind == HTML else "") for f in c.fields) for c in _REGISTRY.values()
    )


def is_html_field(channel: str, field: str) -> bool:
    known = _REGISTRY.get(channel)
    return known is not None and field in known.field_names and known.field(field).kind == HTML


def field_label(field: str) -> str:
    """How messages name a field ("Subject", "CTA"); a field name means the same in every channel."""
    for channel in _REGISTRY.values():
        if field in channel.field_names:
            return channel.field(field).label
    return field.replace("_", " ").capitalize()


def all_field_names() -> tuple[str, ...]:
    """Every field name any channel has, each once, in first-seen order."""
    names: dict[str, None] = {}
    for channel in _REGISTRY.values():
        names.update(dict.fromkeys(channel.field_names))
    return tuple(names)


class _HtmlFieldsView:
    """HTML_FIELDS: the (channel, field) pairs stored and read as HTML (live; supports ``in`` and iteration)."""

    def __contains__(self, pair: object) -> bool:
        return isinstance(pair, tuple) and len(pair) == 2 and is_html_field(str(pair[0]), str(pair[1]))

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter([(c.name, f.name) for c in _REGISTRY.values() for f in c.fields if f.kind == HTML])

    def __len__(self) -> int:
        return sum(1 for _ in self)


CHANNEL_FIELDS: Final[Mapping[str, tuple[str, ...]]] = RegistryView(lambda channel: channel.field_names)
DEFAULT_LIMITS: Final[Mapping[str, dict[str, int]]] = RegistryView(lambda channel: channel.default_limits)
HTML_FIELDS: Final = _HtmlFieldsView()
