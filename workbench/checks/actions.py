"""What people do with findings: mark one a false positive, apply its suggestion. Each is audited."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from workbench.accounts.models import User
from workbench.audit.log import record
from workbench.audit.models import Action
from workbench.checks.models import CheckResult, FalsePositive
from workbench.errors import CopydeskError
from workbench.generation import actions as generation_actions
from workbench.generation.models import DraftVersion

# Kinds whose suggestion is a word for a word, so it takes the replaced word's capital letter.
_WORD_KINDS = frozenset({"disallowed_word", "taboo_topic", "claim", "tone"})


def _finding_of(version: DraftVersion, key: str) -> tuple[CheckResult, dict[str, Any]]:
    """The finding with this key on the version, from its most recent check that raised it."""
    for check in version.check_results.select_related("guide_version").order_by("-created_at", "-id"):
        finding = check.finding(key)
        if finding is not None:
            return check, finding
    raise CopydeskError("That finding is not on this version; reload the draft to see its current findings.", code="not_found")


def false_positive_mark(version: DraftVersion, *, key: str, reason: str, acting_user: User) -> FalsePositive:
    """Record that a finding flagged good copy. It feeds per-rule precision; it does not override the finding."""
    if not acting_user.can_review:
        raise CopydeskError("Only reviewers can mark findings as false positives.", code="forbidden")
    reason = reason.strip()
    if len(reason) < 5:
        raise CopydeskError("Say why this finding is wrong (at least 5 characters), so admins can tune the guide.")
    check, finding = _finding_of(version, key)
    existing = FalsePositive.objects.filter(version=version, finding_key=key).select_related("marked_by").first()
    if existing is not None:
        raise CopydeskError(f"{existing.marked_by.display_name} already marked this finding as a false positive.", code="conflict")
    try:
        with transaction.atomic():
            marked = FalsePositive.objects.create(
                version=version, guide_version=check.guide_version, finding_key=key,
                kind=finding["kind"], rule=finding["rule"], reason=reason, marked_by=acting_user,
            )
            record(
                Action.CHECK_FALSE_POSITIVE, version, actor=acting_user,
                changes={"finding": key, "guide_version": str(check.guide_version), "reason": [None, reason]},
            )
    except IntegrityError:
        raise CopydeskError("Someone else just marked this finding as a false positive.", code="conflict") from None
    return marked


def with_suggestion(text: str, finding: dict[str, Any]) -> str:
    """The text with the finding's span replaced by its suggestion; an empty span (missing text) gets it appended."""
    start, end, suggestion = finding["start"], finding["end"], str(finding["suggestion"])
    if start == end:
        separator = "" if not text[:start] or text[:start][-1].isspace() else " "
        return text[:start] + separator + suggestion + text[end:]
    match = text[start:end]
    if finding["kind"] in _WORD_KINDS and suggestion[:1].islower():
        sentence_start = not text[:start].strip() or text[:start].rstrip()[-1] in ".!?"
        if sentence_start or (match[:1].isupper() and not match.isupper()):
            suggestion = suggestion[:1].upper() + suggestion[1:]
    return text[:start] + suggestion + text[end:]


def suggestion_apply(version: DraftVersion, *, key: str, acting_user: User) -> DraftVersion:
    """Replace one finding's span with its suggestion as a new version (conflict-safe through draft_edit)."""
    draft = version.draft
    _, finding = _finding_of(version, key)
    if not finding.get("suggestion"):
        raise CopydeskError("That finding has no suggestion to apply; edit the text instead.")
    text = version.fields.get(finding["field"], "")
    if finding["end"] > len(text) or text[finding["start"]:finding["end"]] != finding["match"]:
        raise CopydeskError("The text no longer matches this finding; reload the draft.", code="conflict")
    fields = {**version.fields, finding["field"]: with_suggestion(text, finding)}

    def record_suggestion(new: DraftVersion) -> None:
        record(
            Action.CHECK_SUGGESTION_APPLY, new, actor=acting_user,
            changes={"finding": key, "from_version": version.number, finding["field"]: [finding["match"], finding["suggestion"]]},
        )

    # draft_edit checks the new text before its transaction and records this event inside it.
    return generation_actions.draft_edit(draft, fields=fields, base_version=version.number, acting_user=acting_user, also=record_suggestion)
