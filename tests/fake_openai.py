"""A scripted, local OpenAI chat-completions server for tests, benchmarks and manual runs.

It is a real HTTP server (stdlib ThreadingHTTPServer in a background thread,
bound to 127.0.0.1 on a free port) that speaks enough of the chat-completions
protocol for the official `openai` client: `POST /v1/chat/completions`.

Tests script it with a queue of replies; each request takes the next one:

    fake_openai.enqueue(
        status_reply(429, headers={"Retry-After": "0"}),   # an HTTP error
        completion_reply(content="{not json"),             # a completion with given content
        completion_reply(refusal="I can't help with that"),
        delay_reply(3.0),                                  # sleep, then answer (for timeouts)
    )

When the queue is empty the default responder answers with a valid structured
answer built from the request's `response_format.json_schema.schema`, with as
many variants as the prompt asks for ("exactly N objects" / "exactly N
variants"), or `default_variants` when that is set. Every request is recorded.

As a pytest plugin (tests/conftest.py lists it in `pytest_plugins`) it offers
the fixture `fake_openai`, which starts a server and points Django's settings
at it. Standalone, it answers every request with a valid answer after a delay:

    python tests/fake_openai.py --port 8765 --delay 0.5
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COMPLETIONS_PATH = "/v1/chat/completions"
DEFAULT_MODEL = "gpt-4o-mini"


# --- scripted replies -------------------------------------------------------------

@dataclass(frozen=True)
class StatusReply:
    """An HTTP answer with this status, JSON body and headers (errors: 429, 500, 400 content filter...)."""

    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class CompletionReply:
    """A 200 chat completion. content=None with refusal set is a refusal; content=None alone uses the default answer."""

    content: str | None = None
    finish_reason: str = "stop"
    refusal: str | None = None
    model: str | None = None
    usage: Mapping[str, int] | None = None
    delay: float = 0.0


@dataclass(frozen=True)
class DelayReply:
    """Sleep `seconds` before answering with `then` (the default answer when None)."""

    seconds: float
    then: StatusReply | CompletionReply | None = None


Reply = StatusReply | CompletionReply | DelayReply


def status_reply(status: int, message: str | None = None, *, code: str | None = None, error_type: str | None = None,
                 headers: Mapping[str, str] | None = None, body: Any = None) -> StatusReply:
    """An OpenAI-style error answer: {"error": {"message", "type", "param", "code"}}."""
    if body is None:
        body = {"error": {"message": message or f"fake error {status}", "type": error_type or _error_type(status), "param": None, "code": code}}
    return StatusReply(status=status, body=body, headers=dict(headers or {}))


def rate_limited(retry_after: float | str = 0) -> StatusReply:
    return status_reply(429, "Rate limit reached for requests", code="rate_limit_exceeded", error_type="requests",
                        headers={"Retry-After": str(retry_after)})


def server_error(status: int = 500) -> StatusReply:
    return status_reply(status, "The server had an error while processing your request. Sorry about that!", error_type="server_error")


def content_filter_error() -> StatusReply:
    """The 400 an Azure-style deployment answers when its content filter flags the prompt."""
    return status_reply(
        400,
        "The response was filtered due to the prompt triggering the content management policy.",
        code="content_filter", error_type="invalid_request_error",
    )


def completion_reply(content: str | None = None, *, finish_reason: str = "stop", refusal: str | None = None,
                     model: str | None = None, usage: Mapping[str, int] | None = None, delay: float = 0.0) -> CompletionReply:
    return CompletionReply(content=content, finish_reason=finish_reason, refusal=refusal, model=model, usage=usage, delay=delay)


def variants_reply(variants: list[dict[str, str]], **kwargs: Any) -> CompletionReply:
    """A completion whose content is {"variants": [...]} exactly as given."""
    return completion_reply(json.dumps({"variants": variants}), **kwargs)


def delay_reply(seconds: float, then: StatusReply | CompletionReply | None = None) -> DelayReply:
    return DelayReply(seconds=seconds, then=then)


def _error_type(status: int) -> str:
    if status == 429:
        return "requests"
    if status >= 500:
        return "server_error"
    return "invalid_request_error"


# --- what was received --------------------------------------------------------------

@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", [])) if isinstance(self.body, dict) else []

    def message(self, role: str) -> str:
        """The text of the first message with this role ('' if none)."""
        for message in self.messages:
            if message.get("role") == role:
                return _text(message.get("content"))
        return ""

    @property
    def schema(self) -> dict[str, Any] | None:
        return _schema_of(self.body)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def _schema_of(body: Any) -> dict[str, Any] | None:
    if not isinstance(body, dict):
        return None
    response_format = body.get("response_format")
    if not isinstance(response_format, dict):
        return None
    json_schema = response_format.get("json_schema")
    if not isinstance(json_schema, dict):
        return None
    schema = json_schema.get("schema")
    return schema if isinstance(schema, dict) else None


# --- the default answer --------------------------------------------------------------

_COUNT = re.compile(r"exactly\s+(\d+)\s+(?:objects|variants)", re.IGNORECASE)
_REQUIRED = re.compile(r"must contain, exactly:\s*(.+?)\.\s*$", re.MULTILINE)


def wanted_variants(body: Any, fallback: int = 2) -> int:
    """How many variants the prompt asks for: the last message saying "exactly N objects/variants" wins."""
    messages = body.get("messages", []) if isinstance(body, dict) else []
    for message in reversed(messages if isinstance(messages, list) else []):
        if isinstance(message, dict):
            found = _COUNT.findall(_text(message.get("content")))
            if found:
                return max(int(found[-1]), 0)
    return fallback


def _required_texts(body: Any) -> list[str]:
    messages = body.get("messages", []) if isinstance(body, dict) else []
    system = next((_text(m.get("content")) for m in messages if isinstance(m, dict) and m.get("role") == "system"), "")
    match = _REQUIRED.search(system)
    return re.findall(r'"([^"]*)"', match.group(1)) if match else []


def _string_for(name: str, index: int, required: list[str]) -> str:
    tail = (" " + " ".join(required)) if required and name == "body" else ""
    texts = {
        "subject": f"Your new trail boots, option {index}",
        "preheader": "Light, comfortable and ready for spring.",
        "title": f"New trail boots ({index})",
        "body": f"Hi {{{{ first_name }}}}, the new trail boots are here: light and comfortable. See the boots.{tail}",
        "cta": "See the boots",
    }
    return texts.get(name, f"{name} {index}")


def _value_for(schema: Mapping[str, Any], name: str, index: int, required: list[str]) -> Any:
    kind = schema.get("type")
    if kind == "object":
        return {key: _value_for(sub, key, index, required) for key, sub in dict(schema.get("properties", {})).items()}
    if kind == "array":
        return [_value_for(dict(schema.get("items", {})), name, i, required) for i in range(1, 3)]
    if kind in ("integer", "number"):
        return index
    if kind == "boolean":
        return True
    return _string_for(name, index, required)


def default_answer(body: Any, variants: int | None = None) -> str:
    """A valid answer for the request's JSON schema, with the number of variants the prompt asks for."""
    schema = _schema_of(body) or {"type": "object", "properties": {"variants": {"type": "array", "items": {"type": "object", "properties": {"body": {"type": "string"}}}}}}
    count = variants if variants is not None else wanted_variants(body)
    required = _required_texts(body)
    answer: dict[str, Any] = {}
    for key, sub in dict(schema.get("properties", {})).items():
        if key == "variants" and sub.get("type") == "array":
            item = dict(sub.get("items", {}))
            answer[key] = [_value_for(item, "variant", i, required) for i in range(1, count + 1)]
        else:
            answer[key] = _value_for(sub, key, 1, required)
    return json.dumps(answer)


def completion_body(content: str | None, *, model: str, finish_reason: str = "stop", refusal: str | None = None,
                    usage: Mapping[str, int] | None = None, prompt_chars: int = 0) -> dict[str, Any]:
    prompt_tokens = max(prompt_chars // 4, 1)
    completion_tokens = max(len(content or refusal or "") // 4, 1)
    usage_body = dict(usage) if usage is not None else {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}
    usage_body.setdefault("total_tokens", usage_body.get("prompt_tokens", 0) + usage_body.get("completion_tokens", 0))
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
        "usage": usage_body,
        "system_fingerprint": "fp_fake_openai",
    }


# --- the server ------------------------------------------------------------------------

class FakeOpenAI:
    """A scripted chat-completions server. Start with start() (or use as a context manager), stop with stop()."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, default_variants: int | None = None, default_delay: float = 0.0) -> None:
        self.default_variants = default_variants
        self.default_delay = default_delay
        self._queue: deque[Reply] = deque()
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd = _Server((host, port), _Handler)
        self._httpd.fake = self
        self._thread: threading.Thread | None = None

    # lifecycle
    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"fake-openai-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a delay
        self._httpd.shutdown()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:  # ends keep-alive handler threads
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # scripting
    def enqueue(self, *replies: Reply) -> FakeOpenAI:
        with self._lock:
            self._queue.extend(replies)
        return self

    def clear(self) -> None:
        """Forget queued replies and recorded requests."""
        with self._lock:
            self._queue.clear()
            self._requests.clear()

    @property
    def pending(self) -> int:
        """Replies still queued (0 once the script has been used up)."""
        with self._lock:
            return len(self._queue)

    # recording
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def bodies(self) -> list[Any]:
        return [r.body for r in self.requests]

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self._requests)

    @property
    def last(self) -> RecordedRequest:
        requests = self.requests
        if not requests:
            raise AssertionError("the fake OpenAI server received no request")
        return requests[-1]

    # internals used by the handler
    def _record(self, request: RecordedRequest) -> Reply | None:
        with self._lock:
            self._requests.append(request)
            return self._queue.popleft() if self._queue else None

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._connections.add if add else self._connections.discard)(conn)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeOpenAI


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    server_version = "FakeOpenAI/1.0"

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        self.server.fake._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass  # quiet: tests assert on recorded requests instead

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            self._send_json(200, {"object": "list", "data": [{"id": DEFAULT_MODEL, "object": "model", "created": 0, "owned_by": "fake"}]})
            return
        self._send_json(404, {"error": {"message": f"unknown path {self.path}", "type": "invalid_request_error", "param": None, "code": None}})

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw or b"null")
        except ValueError:
            body = raw.decode("utf-8", "replace")
        path = self.path.split("?", 1)[0]
        reply = fake._record(RecordedRequest("POST", path, {k.lower(): v for k, v in self.headers.items()}, body))
        if path != COMPLETIONS_PATH:
            self._send_json(404, {"error": {"message": f"unknown path {path}", "type": "invalid_request_error", "param": None, "code": None}})
            return
        if not isinstance(body, dict):
            self._send_json(400, {"error": {"message": "the request body is not a JSON object", "type": "invalid_request_error", "param": None, "code": None}})
            return
        if isinstance(reply, DelayReply):
            fake._sleep(reply.seconds)
            reply = reply.then
        if reply is None:
            fake._sleep(fake.default_delay)
            reply = CompletionReply()
        fake._sleep(reply.delay)
        if fake._stopping.is_set():
            return
        if isinstance(reply, StatusReply):
            self._send_json(reply.status, reply.body, reply.headers)
            return
        content = reply.content
        if content is None and reply.refusal is None:
            content = default_answer(body, fake.default_variants)
        prompt_chars = sum(len(_text(m.get("content"))) for m in body.get("messages", []) if isinstance(m, dict))
        self._send_json(200, completion_body(
            content, model=reply.model or str(body.get("model") or DEFAULT_MODEL), finish_reason=reply.finish_reason,
            refusal=reply.refusal, usage=reply.usage, prompt_chars=prompt_chars,
        ))

    def _send_json(self, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:16]}")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            # The client gave up (its timeout) and closed the connection: nothing to answer.
            self.close_connection = True


# --- pytest plugin ---------------------------------------------------------------------

try:
    import pytest
except ImportError:  # standalone use needs only the standard library
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    def fake_openai(settings: Any) -> Iterator[FakeOpenAI]:
        """A running fake server, with Django's settings pointing the OpenAI provider at it."""
        server = FakeOpenAI().start()
        settings.LLM_PROVIDER = "openai"
        settings.OPENAI_API_KEY = "test-key"
        settings.OPENAI_BASE_URL = server.base_url
        settings.OPENAI_TIMEOUT_SECONDS = 2
        try:
            yield server
        finally:
            server.stop()


# --- standalone --------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake OpenAI chat-completions server that answers every request with a valid answer.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each answer")
    parser.add_argument("--variants", type=int, default=None, help="variants per answer (default: as many as the prompt asks)")
    args = parser.parse_args(argv)
    server = FakeOpenAI(host=args.host, port=args.port, default_variants=args.variants, default_delay=args.delay).start()
    print(f"fake OpenAI server on {server.base_url} (delay {args.delay}s); set OPENAI_BASE_URL={server.base_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print(f"stopped after {server.request_count} requests", flush=True)


if __name__ == "__main__":
    main()
