"""Rendering brand-voice prompt templates in a Jinja2 sandbox.

Templates are user-editable, so they run in ImmutableSandboxedEnvironment
with StrictUndefined and only plain data (dicts, lists, strings, numbers) in
their context: no model instance ever reaches a template.
"""

from __future__ import annotations

import functools
import json
import os
import queue
import re
import select
import signal
import string
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO
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
# A job that failed because its template could not render says so with this prefix and the version, e.g.
# "Prompt template brand-voice v2 could not render: ..."; Retry looks for it (see generation_retry_failed).
TEMPLATE_FAILURE_PREFIX = "Prompt template "
MAX_OUTPUT_SIZE = 200_000
_PRINTF_NUMBER = re.compile(r"%[-+ #0]*(\*|\d*)(?:\.(\*|\d*))?")


# Items all range() calls of one render may produce together: nested loops multiply, so each one's limit is not enough.
MAX_RANGE_TOTAL = 20_000
MAX_INT_BITS = 4096
_range_budget = threading.local()


def _safe_range(*args: int) -> range:
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise SecurityError(f"range() larger than {MAX_RANGE} is not allowed in prompt templates")
    used = getattr(_range_budget, "used", 0) + len(rng)
    if used > MAX_RANGE_TOTAL:
        raise SecurityError(f"loops over more than {MAX_RANGE_TOTAL:,} range() items in one prompt (nested loops) are not allowed")
    _range_budget.used = used
    return rng


def _int_result_bits(operator: str, left: Any, right: Any) -> int:
    """An upper bound on the bits of an int product or power, computed without doing it."""
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right)):
        return 0
    if operator == "*":
        return int(left.bit_length() + right.bit_length())
    return int(left.bit_length() * max(right, 0))


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

    # The sandbox's own power operator guard; big ** towers would hang the worker. Each step is
    # judged by the size of its result, so chained powers ((10**100)**100)**100 stop at the step that explodes.
    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and right > 100:
            raise SecurityError("exponents above 100 are not allowed in prompt templates")
        if operator in ("**", "*") and _int_result_bits(operator, left, right) > MAX_INT_BITS:
            raise SecurityError(f"numbers above {MAX_INT_BITS:,} bits are not allowed in prompt templates")
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
        raise CopydeskError(f"{_where(part, exc)}: not allowed in the sandbox: {exc}") from None
    except _Timeout:
        raise CopydeskError(f"{part} prompt took longer than {RENDER_TIME_LIMIT_SECONDS} s to render") from None
    except TemplateError as exc:
        raise CopydeskError(f"{_where(part, exc)}: {exc}") from None
    except (ArithmeticError, LookupError, ValueError, TypeError, AttributeError, RecursionError, MemoryError) as exc:
        raise CopydeskError(f"{_where(part, exc)}: {type(exc).__name__}: {exc}") from None
    except Exception as exc:  # a template must never crash the worker or the page: anything else is its error too
        raise CopydeskError(f"{_where(part, exc)} could not be rendered: {type(exc).__name__}: {exc}") from None


def _where(part: str, exc: BaseException) -> str:
    """"user prompt, line 12": Jinja rewrites tracebacks so the innermost template frame carries the template's line."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"{part} prompt, line {line}" if line else f"{part} prompt"


def _bounded_render(template: Any, context: dict[str, Any]) -> str:
    _range_budget.used = 0
    pieces, size = [], 0
    for piece in template.generate(context):
        size += len(piece)
        if size > MAX_OUTPUT_SIZE:
            raise SecurityError(f"the rendered prompt is longer than {MAX_OUTPUT_SIZE:,} characters")
        pieces.append(piece)
    return "".join(pieces)


def render_in_process(system_source: str, user_source: str, context: dict[str, Any]) -> RenderedPrompt:
    """Render both parts in this process: only the render worker below calls it, inside its hard limits."""
    return RenderedPrompt(
        system=render_source(system_source, context, part="system"),
        user=render_source(user_source, context, part="user"),
    )


def render_prompt(system_source: str, user_source: str, context: dict[str, Any]) -> RenderedPrompt:
    """Render a prompt in a separate worker process with hard CPU, memory and time limits.

    The same limits hold in a web request thread, a Celery task and a management command:
    the sandbox's own guards refuse what they can recognise, and what they cannot (a C-level
    loop, an allocation) is stopped by the worker's rlimits or killed on the wall-clock timeout.
    """
    return _POOL.render(system_source, user_source, context)


# --------------------------------------------------------------------------
# The render worker: a warm child process per slot, spoken to over pipes with length-prefixed JSON.
# --------------------------------------------------------------------------

RENDER_CPU_SECONDS = 2  # per render, on top of what the worker used before
RENDER_WALL_SECONDS = 3.0  # the parent kills a worker that has not answered by then
RENDER_MEMORY_BYTES = 1024 * 1024 * 1024  # address space of a worker
RENDER_POOL_SIZE = 2
RENDER_START_SECONDS = 15.0
_HEADER = struct.Struct("!I")


def _write_message(stream: IO[bytes], payload: object) -> None:
    data = json.dumps(payload).encode("utf-8", "surrogatepass")
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exact(stream: IO[bytes], size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            raise EOFError("render worker pipe closed")
        data += chunk
    return data


def _read_message(stream: IO[bytes]) -> Any:
    (size,) = _HEADER.unpack(_read_exact(stream, _HEADER.size))
    return json.loads(_read_exact(stream, size).decode("utf-8", "surrogatepass"))


class _CpuExceeded(BaseException):
    """Raised by SIGXCPU inside a render; a BaseException so that no ``except Exception`` on the way (Jinja's, the
    template's own error reporting) can catch it and report a half-rendered template."""


def _serve() -> None:  # pragma: no cover - runs in the worker process; exercised through render_prompt
    """The worker's loop: read a request, render it under a fresh CPU allowance, answer."""
    import resource  # Unix only, and needed only in the render worker's process

    resource.setrlimit(resource.RLIMIT_AS, (RENDER_MEMORY_BYTES, RENDER_MEMORY_BYTES))

    def _on_xcpu(signum: int, frame: object) -> None:
        raise _CpuExceeded()

    signal.signal(signal.SIGXCPU, _on_xcpu)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    _write_message(stdout, ["ready"])
    while True:
        try:
            system_source, user_source, context = _read_message(stdin)
        except EOFError:
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        allowance = int(usage.ru_utime + usage.ru_stime) + RENDER_CPU_SECONDS + 1
        resource.setrlimit(resource.RLIMIT_CPU, (allowance, hard))  # SIGXCPU when this render has used its share
        try:
            rendered = render_in_process(system_source, user_source, context)
            answer: list[object] = ["ok", rendered.system, rendered.user]
        except CopydeskError as exc:
            answer = ["error", exc.message]
        except _CpuExceeded:
            answer = ["error", f"the prompt used more than {RENDER_CPU_SECONDS} s of CPU to render"]
        except MemoryError:
            answer = ["error", "the prompt needed too much memory to render"]
        _write_message(stdout, answer)


class _RenderWorker:
    def __init__(self) -> None:
        # A fresh interpreter, not a fork: safe from any thread of a web or Celery process.
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from workbench.generation.prompting import _serve; _serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=str(Path(__file__).resolve().parents[2]), close_fds=True,
        )
        # Starting an interpreter is not the template's time: wait for it apart from the render's own limit.
        if self._wait(RENDER_START_SECONDS) is None:
            self.kill()
            raise OSError("the render worker did not start")

    def _wait(self, seconds: float) -> list[Any] | None:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], seconds)
        if not ready:
            return None
        answer: list[Any] = _read_message(self.process.stdout)
        return answer

    def render(self, request: list[object]) -> list[Any]:
        assert self.process.stdin is not None
        _write_message(self.process.stdin, request)
        answer = self._wait(RENDER_WALL_SECONDS)
        if answer is None:
            raise TimeoutError()
        return answer

    def kill(self) -> None:
        with suppress(OSError):
            self.process.kill()
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=2)


class _RenderPool:
    """Up to RENDER_POOL_SIZE warm workers shared by the threads of this process; a broken one is replaced."""

    def __init__(self, size: int) -> None:
        self.idle: queue.LifoQueue[_RenderWorker] = queue.LifoQueue()
        self.slots = threading.BoundedSemaphore(size)
        self.pid = os.getpid()

    def _take(self) -> _RenderWorker:
        if self.pid != os.getpid():  # forked (gunicorn, Celery prefork): the parent's pipes are not ours
            self.idle, self.pid = queue.LifoQueue(), os.getpid()
        try:
            worker = self.idle.get_nowait()
        except queue.Empty:
            return _RenderWorker()
        return worker if worker.process.poll() is None else _RenderWorker()

    def render(self, system_source: str, user_source: str, context: dict[str, Any]) -> RenderedPrompt:
        if not self.slots.acquire(timeout=30):
            raise CopydeskError("Prompt rendering is busy; try again in a moment.")
        worker: _RenderWorker | None = None
        try:
            worker = self._take()
            answer = worker.render([system_source, user_source, context])
        except TimeoutError:
            raise CopydeskError(f"The prompt took longer than {RENDER_WALL_SECONDS:g} s to render and was stopped.") from None
        except (OSError, EOFError, ValueError):
            raise CopydeskError("The prompt could not be rendered: its render process stopped (it hit a memory or CPU limit).") from None
        else:
            self.idle.put(worker)
            worker = None
        finally:
            if worker is not None:
                worker.kill()
            self.slots.release()
        if answer[0] == "ok":
            return RenderedPrompt(system=answer[1], user=answer[2])
        raise CopydeskError(answer[1])


_POOL = _RenderPool(RENDER_POOL_SIZE)
