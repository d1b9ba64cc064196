"""Bulk decisions from the queue: several drafts, each decided on its own through the same action.

Nothing is decided "as a batch": every draft goes through review_approve / review_reject (policy,
four-eyes, blocking findings, claims, version check, audit), in its own transaction, so one refusal
never undoes or blocks the others, and each refusal comes back with the action's own sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.accounts.models import User
from workbench.errors import CopydeskError
from workbench.generation.models import Draft
from workbench.generation.query import id_param
from workbench.review import actions
from workbench.review.models import Decision

BULK_MAX_DRAFTS = 100


@dataclass
class BulkOutcome:
    done: list[int] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def parse_selection(values: list[str]) -> list[tuple[int, int]]:
    """(draft id, version number) pairs from the queue's checkboxes ("12:3"); malformed ones are dropped."""
    pairs: dict[int, int] = {}
    for value in values:
        draft_part, _, version_part = value.partition(":")
        draft_id, version = id_param(draft_part), id_param(version_part)
        if draft_id is not None and version is not None:
            pairs.setdefault(draft_id, version)
    return list(pairs.items())


def bulk_decide(selection: list[tuple[int, int]], *, decision: str, reason: str, acting_user: User) -> BulkOutcome:
    if decision not in (Decision.APPROVE, Decision.REJECT):
        raise CopydeskError("Choose to approve or to reject the selected drafts.")
    if not selection:
        raise CopydeskError("Select at least one draft first.")
    if len(selection) > BULK_MAX_DRAFTS:
        raise CopydeskError(f"Decide on at most {BULK_MAX_DRAFTS} drafts at once.")
    if decision == Decision.REJECT and not reason.strip():
        raise CopydeskError("Say why you are rejecting these drafts, so their authors know what to fix.")
    drafts = Draft.objects.select_related("brief__brand", "segment", "created_by").in_bulk([pk for pk, _ in selection])
    outcome = BulkOutcome()
    for draft_id, version in selection:
        draft = drafts.get(draft_id)
        if draft is None:
            outcome.refused.append((draft_id, "there is no such draft."))
            continue
        try:
            if decision == Decision.APPROVE:
                actions.review_approve(draft, version_number=version, acting_user=acting_user)
            else:
                actions.review_reject(draft, version_number=version, reason=reason, acting_user=acting_user)
        except CopydeskError as exc:
            outcome.refused.append((draft_id, exc.message))
        else:
            outcome.done.append(draft_id)
    return outcome
