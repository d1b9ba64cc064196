"""Rendering brand-voice prompt templates in a Jinja2 sandbox.

Templates are user-editable, so they run in ImmutableSandboxedEnvironment
with StrictUndefined and only plain data (dicts, lists, strings, numbers) in
their context: no model instance ever reaches a template.
"""

from __future__ import annotations

import functools
import re
import signal
import string
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from workbench.errors import CopydeskError

RENDER_TIME_LIMIT_SECONDS = 2
MAX_RANGE = 1000
# Any one value a template builds, and the whole rendered prompt, in characters or items.
# Amplifying operations (repetition, padding, replace, concatenation) are refused
# before they allocate past these, because a single C-level allocation of a
# gigabyte is not interrupted by the render time limit.
MAX_VALUE_SIZE = 100_000
MAX_OUTPUT_SIZE = 200_000
_PRINTF_NUMBER = re.compile(r"%[-+ #0]*(\*|\d*)(?:\.(\*|\d*))?")


def _safe_range(*args: int) -> range:
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise SecurityError(f"range() larger than {MAX_RANGE} is not allowed in prompt templates")
    return rng


def _bounded(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_VALUE_SIZE:
        raise SecurityError(f"values longer than {MAX_VALUE_SIZE:,} characters are not allowed in prompt templates")
    return value


def _check_size_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Widths and counts (center(10**9), zfill, indent, wordwrap) beyond the value limit would allocate too much."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_VALUE_SIZE:
            raise SecurityError(f"numbers above {MAX_VALUE_SIZE:,} are not allowed as sizes in prompt templates")


def _check_replace(text: Any, args: tuple[Any, ...]) -> None:
    if isinstance(text, str) and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        grown = len(text) + text.count(args[0]) * (len(args[1]) - len(args[0])) if args[0] else len(text) * (len(args[1]) + 1)
        if grown > MAX_VALUE_SIZE:
            raise SecurityError(f"replace() would make a value longer than {MAX_VALUE_SIZE:,} characters")


def _check_printf(template: Any) -> None:
    if isinstance(template, str):
        for width, precision in _PRINTF_NUMBER.findall(template):
            for number in (width, precision):
                if number == "*" or (number and int(number) > 1000):
                    raise SecurityError("format widths above 1000 are not allowed in prompt templates")


def _check_format_spec(template: str) -> None:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise SecurityError(f"invalid format string: {exc}") from None
    for _, _, spec, _ in parsed:
        if spec and ("{" in spec or any(int(n) > 1000 for n in re.findall(r"\d+", spec))):
            raise SecurityError("format widths above 1000 (or taken from arguments) are not allowed in prompt templates")


def _checked_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _check_size_arguments(args, kwargs)
        values = [a for a in args if not isinstance(a, (Context, EvalContext, Environment))]
        if name == "replace" and values:
            _check_replace(values[0], tuple(values[1:]))
        if name == "format" and values:
            _check_printf(values[0])
        return _bounded(function(*args, **kwargs))

    return checked


class _BoundedCodeGenerator(CodeGenerator):
    # `~` compiles to a plain join that the sandbox never sees; route it through a size check.
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _PromptEnvironment(ImmutableSandboxedEnvironment):
    code_generator_class = _BoundedCodeGenerator

    @staticmethod
    def bounded_concat(values: tuple[Any, ...]) -> str:
        pieces = [str(v) for v in values]
        if sum(len(p) for p in pieces) > MAX_VALUE_SIZE:
            raise SecurityError(f"values longer than {MAX_VALUE_SIZE:,} characters are not allowed in prompt templates")
        return "".join(pieces)

    # The sandbox's own power operator guard; big ** towers would hang the worker.
    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and right > 100:
            raise SecurityError("exponents above 100 are not allowed in prompt templates")
        if operator == "*" and isinstance(left, (str, list, tuple)) != isinstance(right, (str, list, tuple)):
            sequence, count = (left, right) if isinstance(left, (str, list, tuple)) else (right, left)
            if isinstance(count, int) and (count > 1000 or len(sequence) * count > MAX_VALUE_SIZE):
                what = "text" if isinstance(sequence, str) else "a list"
                raise SecurityError(f"repeating {what} more than 1000 times (or past {MAX_VALUE_SIZE:,} items) is not allowed in prompt templates")
        if operator == "%" and isinstance(left, str):
            _check_printf(left)
        if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            if len(left) + len(right) > MAX_VALUE_SIZE:
                raise SecurityError(f"values longer than {MAX_VALUE_SIZE:,} characters are not allowed in prompt templates")
        return _bounded(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - the sandbox's signature
        _check_size_arguments(args, kwargs)
        if getattr(__obj, "__name__", "") == "replace":
            _check_replace(getattr(__obj, "__self__", None), args)
        return _bounded(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_format_spec(value.__self__)
        return wrapped


def _environment() -> _PromptEnvironment:
    env = _PromptEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    env.globals["range"] = _safe_range
    # lipsum(n=10**6) writes megabytes of filler; a prompt never needs it.
    env.globals.pop("lipsum", None)
    env.filters = {name: _checked_filter(name, f) for name, f in env.filters.items()}
    env.intercepted_binops = frozenset(["**", "*", "%", "+"])
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


@lru_cache(maxsize=128)
def _compiled(source: str) -> Any:
    # Prompt versions are immutable, so each process compiles a template once; compiling costs more than rendering.
    return ENVIRONMENT.from_string(source)


def render_source(source: str, context: dict[str, Any], *, part: str) -> str:
    """Render one template part; every failure becomes a CopydeskError naming the line."""
    try:
        with _time_limit(RENDER_TIME_LIMIT_SECONDS):
            return _bounded_render(_compiled(source), context)
    except TemplateSyntaxError as exc:
        raise CopydeskError(f"{part} prompt, line {exc.lineno}: {exc.message}") from None
    except SecurityError as exc:
        raise CopydeskError(f"{part} prompt: not allowed in the sandbox: {exc}") from None
    except _Timeout:
        raise CopydeskError(f"{part} prompt took longer than {RENDER_TIME_LIMIT_SECONDS} s to render") from None
    except TemplateError as exc:
        raise CopydeskError(f"{part} prompt: {exc}") from None
    except (ArithmeticError, LookupError, ValueError, TypeError, AttributeError, RecursionError, MemoryError) as exc:
        raise CopydeskError(f"{part} prompt: {type(exc).__name__}: {exc}") from None
    except Exception as exc:  # a template must never crash the worker or the page: anything else is its error too
        raise CopydeskError(f"{part} prompt could not be rendered: {type(exc).__name__}: {exc}") from None


def _bounded_render(template: Any, context: dict[str, Any]) -> str:
    pieces, size = [], 0
    for piece in template.generate(context):
        size += len(piece)
        if size > MAX_OUTPUT_SIZE:
            raise SecurityError(f"the rendered prompt is longer than {MAX_OUTPUT_SIZE:,} characters")
        pieces.append(piece)
    return "".join(pieces)


def render_prompt(system_source: str, user_source: str, context: dict[str, Any]) -> RenderedPrompt:
    return RenderedPrompt(
        system=render_source(system_source, context, part="system"),
        user=render_source(user_source, context, part="user"),
    )
