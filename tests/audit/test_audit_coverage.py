"""Everything the issue lists as audited writes an event, no transition in an actions module forgets to, and no
module outside the actions modules writes domain state."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

from tests.pipeline import submitted_draft
from workbench.access import SYSTEM
from workbench.accounts import actions as accounts
from workbench.accounts.models import Role
from workbench.audit.log import verify_chain
from workbench.audit.models import AuditEvent
from workbench.brand.actions import prompt_version_create, segment_save
from workbench.errors import CopydeskError
from workbench.generation import actions as generation
from workbench.journeys import actions as journeys
from workbench.review import actions as review

# Functions in an actions.py that write to the database without an audit event, and why that is right.
NOT_AUDITED = {
    "presence_touch": "who has a draft open is screen state, not content state",
    "notifications_mark_read": "read marks are screen state, not content state",
    "api_client_mark_used": "the last-used timestamp is bookkeeping; each call the client makes is not a state change",
    # A reviewer's claim is screen state like presence: it lapses on its own after 30 minutes of inactivity.
    "draft_claim": "a claim on a draft is screen state that lapses after 30 minutes, like presence",
    "draft_release": "releasing a claim: screen state, like presence",
    "claim_touch": "keeping a claim alive while its holder works: screen state, like presence",
    "preferences_save": "which notifications a person wants by email: their own setting, not content state",
    # The ledgers of reminders and digests sent make Celery beat idempotent (unique constraints); sending a
    # reminder changes no draft and no decision.
    "reminder_send_due_soon": "the once-only ledger of reminders sent and their in-app notifications: bookkeeping of messages",
    "reminder_send_overdue": "the once-only ledger of escalations sent and their notifications: bookkeeping of messages",
    "digest_send": "the once-a-day ledger of digests sent: bookkeeping of messages",
    "verification_run": "a walk of the audit chain reads it; recording the result in the chain would move the head it just verified",
    "edited_in_review": "the reviewer's edit is audited (draft.version_create) in the same transaction; the notices and the ended claim it adds are screen state",
}
# ORM method calls that change rows (as ".name": a method call, not a builtin like set()).
WRITES = {f".{m}" for m in ("save", "create", "update", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "set", "add", "remove", "clear", "create_user")}
AUDITS = {"record", "check_version", ".record", ".check_version"}


def _called_names(node: ast.AST) -> set[str]:
    """Names this function calls: plain calls as "name", method and module calls as ".name" and "name"."""
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
            names |= {"." + call.func.attr, call.func.attr}
        elif isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
            names.add(call.func.id)
    return names


def _is_actions_module(path: Path) -> bool:
    """An app's actions.py, or a module of its actions package."""
    return path.name == "actions.py" or "actions" in path.parent.relative_to(settings.BASE_DIR).parts


def _workbench_modules() -> list[Path]:
    root = Path(settings.BASE_DIR) / "workbench"
    # Migrations write schema and data fixes by design; the check engine cannot import the ORM (import-linter).
    return [path for path in sorted(root.rglob("*.py")) if "migrations" not in path.parts and "engine" not in path.parts]


def _transitions() -> dict[str, tuple[Path, set[str]]]:
    functions: dict[str, tuple[Path, set[str]]] = {}
    for path in filter(_is_actions_module, _workbench_modules()):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef):
                functions[node.name] = (path, _called_names(node))
    return functions


def _reaches(name: str, target: set[str], functions: dict[str, tuple[Path, set[str]]], seen: set[str]) -> bool:
    """Whether the function calls one of target, itself or through other actions functions it calls."""
    if name in seen or name not in functions:
        return False
    seen.add(name)
    calls = functions[name][1]
    return bool(calls & target) or any(_reaches(callee, target, functions, seen) for callee in calls if callee in functions)


def test_every_transition_in_an_actions_module_records_an_audit_event():
    functions = _transitions()
    forgetful = [
        f"{path.relative_to(settings.BASE_DIR)}: {name}() writes to the database but never calls record(); "
        "audit it in the same transaction, or list it in NOT_AUDITED in tests/test_audit_coverage.py with the reason"
        for name, (path, _) in functions.items()
        if not name.startswith("_") and name not in NOT_AUDITED
        and _reaches(name, WRITES, functions, set()) and not _reaches(name, AUDITS, functions, set())
    ]
    assert not forgetful, "\n".join(forgetful)
    stale = sorted(set(NOT_AUDITED) - set(functions))
    assert not stale, f"NOT_AUDITED names functions that no longer exist: {stale}"


def test_the_static_walk_notices_a_write_without_record():
    functions = {"sneaky": (Path("x"), {".save"}), "honest": (Path("x"), {".save", "record"}), "delegating": (Path("x"), {"honest"}), "pure": (Path("x"), {"set"})}
    assert not _reaches("pure", WRITES, functions, set())
    assert _reaches("sneaky", WRITES, functions, set()) and not _reaches("sneaky", {"record"}, functions, set())
    assert _reaches("delegating", {"record"}, functions, set())


# Database writes outside the actions modules, as "module.function", and why that is right. Anything else that
# writes domain state belongs in an app's actions (with its audit event), not in a service, view, task or command.
WRITES_OUTSIDE_ACTIONS = {
    "workbench.audit.log.record": "the audit log's own writer: it appends the event and moves the chain's head, inside the action's transaction",
}
# Method names that always write when called on a model, manager or queryset (and mean nothing else here).
ORM_WRITES = {"save", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "create_user", "create_superuser"}
# Names shared with builtins (dict.update, set.add, ...): a write only on a manager (x.objects, a related manager
# such as draft.versions) or on a queryset (the result of a call such as .filter()).
MANAGER_WRITES = {"create", "add", "remove", "clear", "set"}
QUERYSET_WRITES = {"create", "update", "delete"}


def _is_orm_write(call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    method, receiver = call.func.attr, call.func.value
    if method in ORM_WRITES:
        return True
    if method in MANAGER_WRITES and isinstance(receiver, ast.Attribute):
        return True
    return method in QUERYSET_WRITES and (isinstance(receiver, ast.Call) or (isinstance(receiver, ast.Attribute) and receiver.attr == "objects"))


def _orm_writes(tree: ast.AST, module: str) -> list[tuple[str, int, str]]:
    """(module.function, line, call) for each ORM write; module-level code counts as "module.<module>"."""
    found: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, owner: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, f"{module}.{child.name}")
                continue
            if isinstance(child, ast.Call) and _is_orm_write(child):
                found.append((owner, child.lineno, ast.unparse(child.func)))
            visit(child, owner)

    visit(tree, f"{module}.<module>")
    return found


def test_no_module_outside_the_actions_writes_to_the_database():
    writes = []
    for path in _workbench_modules():
        if _is_actions_module(path):
            continue
        module = ".".join(path.relative_to(settings.BASE_DIR).with_suffix("").parts)
        writes += [(owner, f"{path.relative_to(settings.BASE_DIR)}:{line} {owner}() calls {call}()") for owner, line, call in _orm_writes(ast.parse(path.read_text()), module)]
    outside = [
        f"{where}: move the write into an app's actions (with its audit event), or list {owner} in WRITES_OUTSIDE_ACTIONS with the reason"
        for owner, where in writes if owner not in WRITES_OUTSIDE_ACTIONS
    ]
    assert not outside, "\n".join(outside)
    stale = sorted(set(WRITES_OUTSIDE_ACTIONS) - {owner for owner, _ in writes})
    assert not stale, f"WRITES_OUTSIDE_ACTIONS names functions that no longer write: {stale}"


def test_the_write_scan_tells_orm_writes_from_dict_and_set_calls():
    source = """
def writes(draft, job, tag):
    Draft.objects.filter(pk=1).update(blocking=F("blocking"))
    job.save(update_fields=["status"])
    draft.versions.create(number=2)
    client.journeys.add(tag)
    Recertification.objects.get_or_create(guide_version=1)

def reads(context, seen):
    context.update({"a": 1})
    seen.add(1)
    return {**context}.get("a")
"""
    found = _orm_writes(ast.parse(source), "m")
    assert [(owner, line) for owner, line, _ in found] == [("m.writes", 3), ("m.writes", 4), ("m.writes", 5), ("m.writes", 6), ("m.writes", 7)]


@pytest.mark.django_db
def test_the_whole_pipeline_and_its_administration_is_audited(brand, prompt, segments, marketer, reviewer, publisher, admin_user):
    newcomer = accounts.user_create(username="nora", password="a-long-enough-passphrase", role=Role.MARKETER, acting_user=admin_user)
    accounts.user_set_role(newcomer, role=Role.REVIEWER, acting_user=admin_user)
    accounts.user_set_active(newcomer, active=False, acting_user=admin_user)
    segment_save(brand=brand, slug="new-customers", name="Brand-new customers", acting_user=admin_user)
    base = settings.BASE_DIR / "prompts"
    prompt_version_create(
        slug="brand-voice", name="Brand voice", system_source=(base / "brand-voice.system.j2").read_text() + "\nBe brief.",
        user_source=(base / "brand-voice.user.j2").read_text(), acting_user=admin_user,
    )
    journey = journey_obj = journeys.journey_create(brand=brand, slug="welcome", name="Welcome", acting_user=publisher)
    step = journeys.journey_step_create(journey, slug="email", name="Email", channel="email", default_segment=segments["new"], acting_user=publisher)
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    generation.draft_edit(draft, fields=dict(draft.latest_version().fields, subject="A quieter subject"), base_version=1, acting_user=marketer)
    generation.draft_submit(draft, acting_user=marketer)
    review.review_approve(draft, version_number=2, acting_user=reviewer)
    publication = journeys.publication_create(step, version=draft.latest_version(), acting_user=publisher)
    journeys.journey_set_paused(journey_obj, paused=True, acting_user=publisher)
    journeys.journey_set_paused(journey_obj, paused=False, acting_user=publisher)
    client, _token = journeys.api_client_create(name="engine", journeys=[journey], acting_user=admin_user)
    journeys.outcomes_record(step, [(publication.pk, "delivered", 3)], acting_client=client)
    journeys.publication_end(publication, acting_user=publisher)
    journeys.api_client_revoke(client, acting_user=admin_user)

    seen = set(AuditEvent.objects.values_list("action", flat=True))
    expected = {
        "user.create", "user.role_change", "user.deactivate", "guide.version_create", "prompt.version_create",
        "segment.create", "segment.update", "brief.create", "generation.start", "generation.job_done", "draft.create",
        "draft.version_create", "check.run", "draft.submit", "review.approve", "journey.create", "journey.step_create",
        "publication.create", "journey.pause", "journey.resume", "api_client.create", "outcomes.report",
        "publication.end", "api_client.revoke",
    }
    assert expected <= seen, f"not audited: {sorted(expected - seen)}"
    role_change = AuditEvent.objects.get(action="user.role_change")
    assert (role_change.actor_label, role_change.object_id, role_change.changes) == (admin_user.username, str(newcomer.pk), {"role": ["marketer", "reviewer"]})
    outcome = AuditEvent.objects.get(action="outcomes.report")
    assert (outcome.actor_type, outcome.actor_label) == ("api_client", "engine")
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_refused_transition_writes_no_event(brand, prompt, segments, marketer, reviewer):
    draft = submitted_draft(brand, prompt, segments["new"], marketer)
    before = AuditEvent.objects.count()
    with pytest.raises(CopydeskError):
        review.review_approve(draft, version_number=1, acting_user=marketer)
    with pytest.raises(CopydeskError):
        accounts.user_set_role(reviewer, role=Role.ADMIN, acting_user=marketer)
    with pytest.raises(CopydeskError, match="too weak"):
        accounts.user_create(username="weak", password="password", role=Role.MARKETER, acting_user=SYSTEM)
    assert AuditEvent.objects.count() == before
