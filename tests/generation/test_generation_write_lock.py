"""Checks run before the short transaction that stores their result: a slow check never holds the write lock.

On the SQLite default every transaction is IMMEDIATE, so a check inside one would make every other writer wait
for it (a 200 KB edit once froze the app for 37 s). Real threads with their own connections.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from django.db import connection

from tests.pipeline import generate_now, make_brief
from workbench.audit.models import AuditEvent
from workbench.checks import actions as check_actions
from workbench.checks.models import finding_key
from workbench.errors import CopydeskError
from workbench.generation import actions
from workbench.generation.models import DraftVersion, JobMode
from workbench.generation.services import run_job
from workbench.review import actions as review

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_CHECK_SECONDS = 2.0


@pytest.fixture
def slow_check(monkeypatch) -> Iterator[threading.Event]:  # type: ignore[no-untyped-def]
    """Make every check run outside the main thread sleep; the event is set once such a check has started."""
    import workbench.checks.engine as engine

    started = threading.Event()
    real = engine.check_fields

    def sleepy(*args, **kwargs):  # type: ignore[no-untyped-def]
        if threading.current_thread() is not threading.main_thread():
            started.set()
            time.sleep(SLOW_CHECK_SECONDS)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "check_fields", sleepy)
    yield started


def _write_while(work: Callable[[], object], started: threading.Event, write: Callable[[], object]) -> tuple[float, list[BaseException]]:
    """Run work in a thread; once its check has started, time how long another write takes here."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    while not started.wait(0.05):
        assert thread.is_alive(), f"the work ended before its check started: {errors}"
    began = time.monotonic()
    write()
    waited = time.monotonic() - began
    thread.join(60)
    return waited, errors


@pytest.fixture
def draft(brand, prompt, segments, marketer):  # type: ignore[no-untyped-def]
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)
    (made,) = generate_now(brief, marketer)
    return made


def test_it_checks_an_edit_without_holding_the_write_lock(draft, marketer, reviewer, slow_check):
    fields = {**draft.latest_version().fields, "body": "Cheap boots! " * 1200 + "{{ unsubscribe_url }}"}
    edit = lambda: actions.draft_edit(draft, fields=fields, base_version=1, acting_user=marketer)  # noqa: E731
    comment = lambda: review.comment_add(draft, body="Looks good to me", acting_user=reviewer)  # noqa: E731
    waited, errors = _write_while(edit, slow_check, comment)
    assert not errors
    assert waited < SLOW_CHECK_SECONDS / 2, f"a comment waited {waited:.2f}s for another user's check"
    version = draft.latest_version()
    assert version.number == 2 and not version.check_results.get().passed  # stored, with its check


def test_it_refuses_an_edit_when_someone_saved_while_it_was_checked(draft, marketer, reviewer, slow_check):
    base = draft.latest_version().fields
    slow = lambda: actions.draft_edit(draft, fields={**base, "subject": "Slow edit"}, base_version=1, acting_user=marketer)  # noqa: E731
    quick = lambda: actions.draft_edit(draft, fields={**base, "subject": "Quick edit"}, base_version=1, acting_user=reviewer)  # noqa: E731
    waited, errors = _write_while(slow, slow_check, quick)
    assert waited < SLOW_CHECK_SECONDS / 2
    (error,) = errors
    assert isinstance(error, CopydeskError) and error.code == "conflict" and "version 2" in error.message
    assert draft.latest_version().number == 2 and draft.latest_version().fields["subject"] == "Quick edit"


def test_it_stores_generated_drafts_without_holding_the_write_lock(draft, marketer, reviewer, slow_check):
    job = actions.draft_request_variation(draft, mode=JobMode.REGENERATE, base_version=1, acting_user=marketer)
    comment = lambda: review.comment_add(draft, body="While it regenerates", acting_user=reviewer)  # noqa: E731
    waited, errors = _write_while(lambda: run_job(job.pk), slow_check, comment)
    assert not errors
    assert waited < SLOW_CHECK_SECONDS / 2, f"a comment waited {waited:.2f}s for a generation's check"
    assert DraftVersion.objects.filter(draft=draft).count() == 2


def test_it_applies_a_suggestion_without_holding_the_write_lock(draft, marketer, reviewer, slow_check):
    fields = {**draft.latest_version().fields, "body": "Cheap boots for you. {{ unsubscribe_url }}"}
    version = actions.draft_edit(draft, fields=fields, base_version=1, acting_user=marketer)
    finding = next(f for f in version.check_results.get().findings if f.get("suggestion") and f["rule"] == "cheap")
    apply = lambda: check_actions.suggestion_apply(version, key=finding_key(finding), acting_user=reviewer)  # noqa: E731
    comment = lambda: review.comment_add(draft, body="Meanwhile", acting_user=marketer)  # noqa: E731
    waited, errors = _write_while(apply, slow_check, comment)
    assert not errors
    assert waited < SLOW_CHECK_SECONDS / 2
    new = draft.latest_version()
    assert new.number == 3 and "affordable" in new.fields["body"].lower()
    assert AuditEvent.objects.filter(action="check.suggestion_apply", object_id=str(new.pk)).count() == 1


# Slow work that must never run while a transaction holds the write lock.
SLOW_CALLS = {"check_version", "prepare_check", "run_engine", "check_fields", "_prepare_text", "sanitize_fields", "render_prompt", "generate", "recertify"}


def _atomic_blocks(tree):  # type: ignore[no-untyped-def]
    import ast

    for node in ast.walk(tree):
        if isinstance(node, ast.With) and any("atomic" in ast.unparse(item.context_expr) for item in node.items):
            yield node


def _called(node):  # type: ignore[no-untyped-def]
    import ast

    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            yield call, call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def test_no_transition_calls_a_check_render_or_provider_inside_transaction_atomic():
    """A structural guard for the rule above: no slow call inside a `with transaction.atomic()` block, directly or
    through functions of the same module that the block calls."""
    import ast
    from pathlib import Path

    import workbench

    root = Path(workbench.__file__).parent
    found = []
    for source in sorted(root.rglob("*.py")):
        if "engine" in source.parts or "migrations" in source.parts:
            continue
        tree = ast.parse(source.read_text())
        local = {f.name: f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)}
        for block in _atomic_blocks(tree):
            pending, seen = [block], set()
            while pending:
                node = pending.pop()
                for call, name in _called(node):
                    if name in SLOW_CALLS:
                        found.append(f"{source.relative_to(root.parent)}:{call.lineno} calls {name}() inside the transaction at line {block.lineno}")
                    elif name in local and name not in seen:
                        seen.add(name)
                        pending.append(local[name])
    assert not found, "\n".join(found)
