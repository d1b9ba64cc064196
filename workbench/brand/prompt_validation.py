"""How brand asks whether a prompt template renders, without importing generation (which sits above it).

Generation owns the Jinja2 sandbox and registers its check here from GenerationConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable

# Raises CopydeskError (with the part and line) when the system or user source cannot render.
PromptCheck = Callable[[str, str], None]

_registered: PromptCheck | None = None


def register_prompt_renders_check(check: PromptCheck) -> None:
    global _registered
    _registered = check


def prompt_renders_check() -> PromptCheck:
    if _registered is None:  # pragma: no cover - the generation app is always installed
        raise RuntimeError("No prompt check is registered: add workbench.generation to INSTALLED_APPS.")
    return _registered
