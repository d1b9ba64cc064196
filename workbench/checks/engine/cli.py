"""Core of ``manage.py check_copy`` (Contract 2), free of Django.

Single mode::

    check_copy (--brand SLUG | --guide PATH.yaml) --channel CH [--context CTX] [--locale TAG] [--field F] [FILE | -]

reads the whole input as one field (``--field``, default ``body``; one trailing
newline is dropped, as editors add it) and prints one JSON result. Its ``id``
is the FILE argument as given, or null when reading standard input.

Bulk mode::

    check_copy (--brand SLUG | --guide PATH.yaml) --jsonl IN.jsonl [--out OUT.jsonl]

reads one object per line, ``{"id", "channel", "context"?, "locale"?, "text" | "fields"}``
(``--channel``/``--context``/``--locale`` give defaults for lines without them;
no locale means the brand's default locale; blank lines
are skipped), and writes one result per line in input order. A line that cannot
be checked yields ``{"id": ..., "error": "line N: ..."}`` and processing goes on.

Exit status: 0 all passed, 1 some blocked, 2 bad input (message on stderr; in
bulk mode after all lines were processed).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import IO, Any, NoReturn, TextIO

from .engine import CHANNEL_FIELDS, CompiledGuide, check_fields, compile_guide
from .errors import EngineInputError, GuideError
from .guide import parse_guide_yaml, validate_guide

EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_BAD_INPUT = 2

_LINE_KEYS = ("id", "channel", "context", "locale", "text", "fields")


class UsageError(Exception):
    """Bad command line or input: exit 2 with this message."""


class BrandUnavailable(LookupError):
    """``load_brand`` could not read the brand's guide at all (no database yet, say): exit 2 with this message."""


class _ExitRequest(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    # argparse would print usage and raise SystemExit; the Django command and
    # tests need a return code and a single clean message instead.
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            raise UsageError(message.strip())
        raise _ExitRequest(status)


def build_parser(prog: str = "check_copy") -> argparse.ArgumentParser:
    parser = _Parser(prog=prog, description="Check marketing copy against a brand guide.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--brand", metavar="SLUG", help="brand guide stored in Copydesk")
    source.add_argument("--guide", metavar="PATH", help="brand guide YAML file")
    parser.add_argument("--channel", choices=tuple(CHANNEL_FIELDS), help="channel of the copy")
    parser.add_argument("--context", help="tone context (default: the guide's default tone)")
    parser.add_argument("--locale", metavar="TAG",
                        help="locale of the copy, e.g. es-US (default: the brand's default locale)")
    parser.add_argument("--field", help="field the input text is (default: body)")
    parser.add_argument("--jsonl", metavar="IN", help="bulk mode: JSON Lines input file, or - for stdin")
    parser.add_argument("--out", metavar="OUT", help="bulk mode: write results here instead of stdout")
    parser.add_argument("file", nargs="?", metavar="FILE", help="text file to check, or - for stdin")
    return parser


def run(
    argv: list[str],
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    load_brand: Callable[[str], dict[str, Any]],
) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _ExitRequest as exc:  # --help
        stdout.write(parser.format_help())
        return exc.status
    except UsageError as exc:
        stderr.write(f"check_copy: error: {exc}\n")
        return EXIT_BAD_INPUT
    try:
        compiled = _load_guide(args, load_brand)
        if args.locale is not None:
            try:
                compiled.for_locale(args.locale)  # refused before any input is read
            except EngineInputError as exc:
                raise UsageError(str(exc)) from None
        if args.jsonl is not None:
            if args.file is not None or args.field is not None:
                raise UsageError("--jsonl cannot be combined with FILE or --field")
            return _run_jsonl(args, compiled, stdin, stdout, stderr)
        if args.out is not None:
            raise UsageError("--out is only used with --jsonl")
        return _run_single(args, compiled, stdin, stdout)
    except UsageError as exc:
        stderr.write(f"check_copy: error: {exc}\n")
        return EXIT_BAD_INPUT


def _load_guide(args: argparse.Namespace, load_brand: Callable[[str], dict[str, Any]]) -> CompiledGuide:
    if args.guide is not None:
        try:
            with open(args.guide, "rb") as fh:
                raw = fh.read()
        except FileNotFoundError:
            raise UsageError(f"guide file not found: {args.guide}") from None
        except OSError as exc:
            raise UsageError(f"cannot read guide file {args.guide}: {exc.strerror}") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UsageError(f"guide file {args.guide} is not valid UTF-8") from None
        try:
            return compile_guide(parse_guide_yaml(text))
        except GuideError as exc:
            raise UsageError(f"invalid guide {args.guide}: {exc}") from None
    try:
        data = load_brand(args.brand)
    except BrandUnavailable as exc:
        raise UsageError(str(exc)) from None
    except LookupError:
        raise UsageError(f"unknown brand: {args.brand}") from None
    try:
        return compile_guide(validate_guide(data))
    except GuideError as exc:
        raise UsageError(f"invalid guide for brand {args.brand}: {exc}") from None


def _read_bytes(path: str | None, stdin: TextIO) -> bytes:
    if path is None or path == "-":
        buffer: IO[bytes] | None = getattr(stdin, "buffer", None)
        if buffer is not None:
            return buffer.read()
        # A text-only stream (tests, StringIO): already decoded
        return stdin.read().encode("utf-8", "surrogateescape")
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise UsageError(f"input file not found: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None


def _decode(raw: bytes, what: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what} is not valid UTF-8 (byte {exc.start})") from None
    return text.removeprefix("\ufeff")


def _run_single(args: argparse.Namespace, compiled: CompiledGuide, stdin: TextIO, stdout: TextIO) -> int:
    if args.channel is None:
        raise UsageError("--channel is required (or use --jsonl)")
    name = "standard input" if args.file in (None, "-") else args.file
    text = _decode(_read_bytes(args.file, stdin), name)
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    field = args.field or "body"
    try:
        result = check_fields(compiled, args.channel, {field: text}, args.context, args.locale)
    except EngineInputError as exc:
        raise UsageError(str(exc)) from None
    ident = None if args.file in (None, "-") else args.file
    stdout.write(json.dumps(result.to_dict(ident), ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK if result.passed else EXIT_BLOCKED


def _run_jsonl(
    args: argparse.Namespace, compiled: CompiledGuide, stdin: TextIO, stdout: TextIO, stderr: TextIO
) -> int:
    raw = _read_bytes(args.jsonl, stdin)
    out: TextIO
    if args.out is not None:
        try:
            out = open(args.out, "w", encoding="utf-8", newline="\n")
        except OSError as exc:
            raise UsageError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    else:
        out = stdout
    errors = blocked = 0
    try:
        for number, line_bytes in enumerate(raw.split(b"\n"), start=1):
            if not line_bytes.strip():
                continue
            record, error = _check_line(compiled, number, line_bytes, args.channel, args.context, args.locale)
            if error is not None:
                errors += 1
                stderr.write(f"check_copy: {error}\n")
            elif not record["passed"]:
                blocked += 1
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if out is not stdout:
            out.close()
    if errors:
        stderr.write(f"check_copy: {errors} line{'s' if errors != 1 else ''} could not be checked\n")
        return EXIT_BAD_INPUT
    return EXIT_BLOCKED if blocked else EXIT_OK


def _check_line(
    compiled: CompiledGuide, number: int, line_bytes: bytes,
    default_channel: str | None, default_context: str | None, default_locale: str | None = None,
) -> tuple[dict[str, Any], str | None]:
    ident: Any = None

    def fail(message: str) -> tuple[dict[str, Any], str]:
        error = f"line {number}: {message}"
        return {"id": ident, "error": error}, error

    try:
        line = line_bytes.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return fail("not valid UTF-8")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return fail(f"invalid JSON: {exc.msg} (column {exc.colno})")
    if not isinstance(obj, dict):
        return fail("expected a JSON object")
    ident = obj.get("id")
    if isinstance(ident, (dict, list)):
        ident = None
        return fail("id must be a string or a number")
    unknown = sorted(set(obj) - set(_LINE_KEYS))
    if unknown:
        return fail(f"unknown key(s) {', '.join(unknown)} (expected: {', '.join(_LINE_KEYS)})")
    channel = obj.get("channel", default_channel)
    if not isinstance(channel, str):
        return fail("channel is required" if channel is None else "channel must be a string")
    context = obj.get("context", default_context)
    if context is not None and not isinstance(context, str):
        return fail("context must be a string")
    locale = obj.get("locale", default_locale)
    if locale is not None and not isinstance(locale, str):
        return fail("locale must be a string such as es-US")
    if ("text" in obj) == ("fields" in obj):
        return fail('give exactly one of "text" or "fields"')
    if "text" in obj:
        if not isinstance(obj["text"], str):
            return fail("text must be a string")
        fields: dict[str, str] = {"body": obj["text"]}
    else:
        if not isinstance(obj["fields"], dict):
            return fail("fields must be an object")
        fields = obj["fields"]
    try:
        result = check_fields(compiled, channel, fields, context, locale)
    except EngineInputError as exc:
        return fail(str(exc))
    return result.to_dict(ident), None


def main() -> int:  # pragma: no cover - convenience for running without Django
    def no_brands(slug: str) -> dict[str, Any]:
        raise LookupError(slug)

    return run(sys.argv[1:], sys.stdin, sys.stdout, sys.stderr, no_brands)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
