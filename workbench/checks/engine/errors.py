"""Exceptions raised by the checks engine."""

from __future__ import annotations


class GuideError(ValueError):
    """A brand guide is invalid.

    ``path`` is the key path inside the guide (``disallowed[3].severity``; empty
    for YAML syntax errors), ``line`` the 1-based YAML line when the guide came
    from text, else None. ``errors`` lists every problem found as
    ``(path, line, message)`` so a UI can show them all; ``str(e)`` is the first.
    """

    def __init__(
        self,
        path: str,
        message: str,
        line: int | None = None,
        errors: list[tuple[str, int | None, str]] | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.message = message
        self.errors: list[tuple[str, int | None, str]] = errors or [(path, line, message)]
        super().__init__(format_guide_error(path, message, line))


def format_guide_error(path: str, message: str, line: int | None) -> str:
    text = f"{path}: {message}" if path else message
    if line is not None:
        text += f" (line {line})"
    return text


class EngineInputError(ValueError):
    """The text to check or its parameters are unusable (unknown channel, context or field, empty text)."""


class FieldTooLargeError(EngineInputError):
    """A field is longer than the engine accepts (``engine.MAX_FIELD_CHARS``)."""
