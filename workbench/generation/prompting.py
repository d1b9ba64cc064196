"""Rendering brand-voice prompt templates in a Jinja2 sandbox.

Templates are user-editable, so they run in ImmutableSandboxedEnvironment
with StrictUndefined and only plain data (dicts, lists, strings, numbers) in
their context: no model instance ever reaches a template.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from workbench.errors import CopydeskError

RENDER_TIME_LIMIT_SECONDS = 2
MAX_RANGE = 1000


def _safe_range(*args: int) -> range:
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise SecurityError(f"range() larger than {MAX_RANGE} is not allowed in prompt templates")
    return rng


class _PromptEnvironment(ImmutableSandboxedEnvironment):
    # The sandbox's own power operator guard; big ** towers would hang the worker.
    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and right > 100:
            raise SecurityError("exponents above 100 are not allowed in prompt templates")
        if operator == "*" and (isinstance(left, str) or isinstance(right, str)):
            count = right if isinstance(left, str) else left
            if isinstance(count, int) and count > 1000:
                raise SecurityError("repeating text more than 1000 times is not allowed in prompt templates")
        return super().call_binop(context, operator, left, right)


def _environment() -> _PromptEnvironment:
    env = _PromptEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    env.globals["range"] = _safe_range
    env.intercepted_binops = frozenset(["**", "*"])
    return env


ENVIRONMENT = _environment()


@dataclass(frozen=True)
class RenderedPrompt:
    system: str
    user: str


class _Timeout(Exception):
    pass


@contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    # SIGALRM only works in the main thread; elsewhere the sandbox's own
    # limits on range, ** and string repetition keep rendering bounded.
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum: int, frame: object) -> None:
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_source(source: str, context: dict[str, Any], *, part: str) -> str:
    """Render one template part; every failure becomes a CopydeskError naming the line."""
    try:
        with _time_limit(RENDER_TIME_LIMIT_SECONDS):
            template = ENVIRONMENT.from_string(source)
            return template.render(context)
    except TemplateSyntaxError as exc:
        raise CopydeskError(f"{part} prompt, line {exc.lineno}: {exc.message}") from None
    except SecurityError as exc:
        raise CopydeskError(f"{part} prompt: not allowed in the sandbox: {exc}") from None
    except _Timeout:
        raise CopydeskError(f"{part} prompt took longer than {RENDER_TIME_LIMIT_SECONDS} s to render") from None
    except TemplateError as exc:
        raise CopydeskError(f"{part} prompt: {exc}") from None
    except (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError) as exc:
        raise CopydeskError(f"{part} prompt: {type(exc).__name__}: {exc}") from None


def render_prompt(system_source: str, user_source: str, context: dict[str, Any]) -> RenderedPrompt:
    return RenderedPrompt(
        system=render_source(system_source, context, part="system"),
        user=render_source(user_source, context, part="user"),
    )
