"""The approval policy: what a version needs before it may ship, what it has, and why (PRODUCT.md "Approval policy").

One place computes it; the approve and publish actions and every screen read it. The rules come from the
brand's guide (`approval:`), the one in force now; a guide without them keeps the original rules (one
approval, two for a sensitive segment). The pure part (`requirement_from`, `status_from`) works on plain
facts so a page can feed it prefetched rows; `requirement_for` / `approval_status` read one version.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Subquery

from workbench.accounts.models import ReviewRole, User
from workbench.brand.models import BrandGuideVersion, Segment
from workbench.checks.models import CheckResult, finding_key
from workbench.generation.models import DraftVersion
from workbench.review.models import Decision

# A guide without `approval:` keeps the rules Copydesk always had.
DEFAULT_POLICY: dict[str, Any] = {
    "default": {"approvals": 1},
    "rules": [{"when": {"sensitive_segment": True}, "approvals": 2}],
}
# Review deadline from submission when the guide sets none (used by the deadlines work).
DEFAULT_DUE_HOURS = 48

_KIND_REASONS = {
    "claim": "it makes a claim",
    "disallowed_word": "it uses a disallowed word",
    "taboo_topic": "it touches a taboo topic",
    "tone": "its tone is flagged",
    "length": "a length limit is flagged",
    "required_text": "required text is flagged",
    "pii": "it contains personal data",
    "merge_field": "a merge field is flagged",
    "link": "a link is flagged",
    "language": "its language is flagged",
}
_LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese", "it": "Italian",
    "nl": "Dutch", "pl": "Polish", "sv": "Swedish", "da": "Danish", "nb": "Norwegian", "fi": "Finnish",
    "ja": "Japanese", "zh": "Chinese", "ko": "Korean", "ar": "Arabic", "he": "Hebrew", "tr": "Turkish",
}


def language_name(code: str) -> str:
    base = code.lower().split("-")[0]
    return _LANGUAGE_NAMES.get(base, code)


def role_label(role: str) -> str:
    return ReviewRole(role).label if role in ReviewRole.values else role.replace("_", " ").title()


@dataclass(frozen=True)
class PolicyFacts:
    """What the rules can test about a version."""

    sensitive_segment: bool = False
    finding_kinds: frozenset[str] = frozenset()
    overridden_block: bool = False
    locale: str | None = None


@dataclass(frozen=True)
class Requirement:
    approvals: int
    roles: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()  # one short clause per rule that matched ("it makes a claim")
    due_hours: float = DEFAULT_DUE_HOURS

    def describe(self) -> str:
        """"Needs 2 approvals including one from Legal, because it makes a claim"."""
        text = f"Needs {self.approvals} approval{'s' if self.approvals != 1 else ''}"
        extras = [f"one from {role_label(r)}" for r in self.roles] + [f"one who reads {language_name(c)}" for c in self.languages]
        if extras:
            text += " including " + _and(extras)
        if self.reasons:
            text += ", because " + _and(list(self.reasons))
        return text


@dataclass(frozen=True)
class Approver:
    pk: int
    name: str
    roles: frozenset[str] = frozenset()
    languages: tuple[str, ...] = ()

    @classmethod
    def of(cls, user: User) -> Approver:
        return cls(user.pk, user.display_name, frozenset(user.review_roles or []), tuple(user.languages or []))

    def reads(self, language: str) -> bool:
        wanted = language.lower().split("-")[0]
        return any(code.lower().split("-")[0] == wanted for code in self.languages)

    def covers(self, need: tuple[str, str]) -> bool:
        kind, value = need
        return value in self.roles if kind == "role" else self.reads(value)


@dataclass(frozen=True)
class ApprovalStatus:
    requirement: Requirement
    approvers: tuple[Approver, ...]  # approvals that count: distinct reviewers, never an author of the draft
    missing_approvals: int
    missing_roles: tuple[str, ...]
    missing_languages: tuple[str, ...]
    authors: frozenset[int] = field(default=frozenset())

    @property
    def approvals(self) -> int:
        return len(self.approvers)

    @property
    def met(self) -> bool:
        return not self.missing_approvals and not self.missing_roles and not self.missing_languages

    @property
    def missing(self) -> list[str]:
        out = []
        if self.missing_approvals:
            out.append(f"{self.missing_approvals} more approval{'s' if self.missing_approvals != 1 else ''}")
        out += [f"one from {role_label(r)}" for r in self.missing_roles]
        out += [f"one who reads {language_name(c)}" for c in self.missing_languages]
        return out

    @property
    def sentence(self) -> str:
        """"Needs 2 approvals including one from Legal, because it makes a claim; has 1 from Riley"."""
        if self.approvers:
            has = f"has {self.approvals} from {_and([a.name for a in self.approvers])}"
        else:
            has = "has none yet"
        text = f"{self.requirement.describe()}; {has}"
        if self.approvers and not self.met:
            text += "; still needs " + _and(self.missing)
        return text + "."

    def refusal_for(self, user: User) -> str:
        """Why this user's approval would not count or not help ("" when it would): the server and the pages ask this."""
        if user.pk in self.authors:
            return "You wrote or edited this draft, so someone else must approve it (four-eyes)."
        if any(a.pk == user.pk for a in self.approvers):
            return "You already approved this version; a different reviewer must approve it too."
        if self.met:
            return ""  # an extra approval on a version that is already fully approved is harmless
        candidate = Approver.of(user)
        unmet = [("role", r) for r in self.missing_roles] + [("language", c) for c in self.missing_languages]
        if any(candidate.covers(need) for need in unmet):
            return ""
        # It fills a plain slot: refused only if it would take the last slot while a role or language is still missing.
        if self.missing_approvals - 1 < (1 if unmet else 0):
            return f"This version still needs {_and(self.missing)}; your approval would not give it that."
        return ""


def requirement_from(policy: dict[str, Any] | None, facts: PolicyFacts) -> Requirement:
    """Every matching rule adds its requirement; the strictest wins (most approvals, every role and language named)."""
    policy = policy if policy is not None else DEFAULT_POLICY
    default = policy.get("default") or {}
    approvals = int(default.get("approvals", 1))
    roles: list[str] = list(default.get("roles", []))
    languages: list[str] = list(default.get("languages", []))
    reasons: list[str] = []
    for rule in policy.get("rules", []):
        reason = _matches(rule.get("when", {}), facts)
        if reason is None:
            continue
        approvals = max(approvals, int(rule.get("approvals", 1)))
        roles += [r for r in rule.get("roles", []) if r not in roles]
        languages += [c for c in rule.get("languages", []) if c.lower() not in {x.lower() for x in languages}]
        if reason not in reasons:
            reasons.append(reason)
    due = policy.get("due_hours") or {}
    due_hours = due.get("default", DEFAULT_DUE_HOURS)
    if facts.sensitive_segment and "sensitive_segment" in due:
        due_hours = due["sensitive_segment"]
    return Requirement(approvals, tuple(roles), tuple(languages), tuple(reasons), float(due_hours))


def _matches(when: dict[str, Any], facts: PolicyFacts) -> str | None:
    """The reason a rule applies ("because ..."), or None when one of its conditions does not hold."""
    reasons = []
    if "sensitive_segment" in when:
        if when["sensitive_segment"] != facts.sensitive_segment:
            return None
        reasons.append("it is for a sensitive segment" if facts.sensitive_segment else "its segment is not sensitive")
    if "finding_kind" in when:
        if when["finding_kind"] not in facts.finding_kinds:
            return None
        reasons.append(_KIND_REASONS.get(when["finding_kind"], f"it has a {when['finding_kind']} finding"))
    if "overridden_block" in when:
        if when["overridden_block"] != facts.overridden_block:
            return None
        reasons.append("a blocking finding was waived" if facts.overridden_block else "no blocking finding was waived")
    if "locale" in when:
        if not _locale_matches(when["locale"], facts.locale):
            return None
        reasons.append(f"it is written for {facts.locale}")
    return " and ".join(reasons)


def _locale_matches(rule_locale: str, locale: str | None) -> bool:
    """`es-US` matches only es-US; a bare language (`es`) matches every locale of it."""
    if not locale:
        return False
    rule, actual = rule_locale.lower(), locale.lower()
    return actual == rule or ("-" not in rule and actual.split("-")[0] == rule)


def status_from(requirement: Requirement, approvers: Iterable[Approver], authors: Iterable[int]) -> ApprovalStatus:
    author_ids = frozenset(authors)
    counted: list[Approver] = []
    for approver in approvers:
        if approver.pk not in author_ids and all(a.pk != approver.pk for a in counted):
            counted.append(approver)
    missing_roles = tuple(r for r in requirement.roles if not any(a.covers(("role", r)) for a in counted))
    missing_languages = tuple(c for c in requirement.languages if not any(a.reads(c) for a in counted))
    return ApprovalStatus(
        requirement, tuple(counted), max(0, requirement.approvals - len(counted)), missing_roles, missing_languages, author_ids
    )


# --- reading one version from the database ----------------------------------------------------------


def facts_for(
    version: DraftVersion,
    *,
    check: CheckResult | None,
    overridden_keys: Iterable[str],
    segments: Sequence[Segment] = (),
) -> PolicyFacts:
    """The facts of a version: its segment (and any segment it is being published to), its findings, waivers and locale."""
    draft = version.draft
    findings = check.findings if check is not None else []
    blocking_keys = {finding_key(f) for f in findings if f.get("severity") == "block"}
    locale = getattr(version, "locale", None) or getattr(draft, "locale", None)
    return PolicyFacts(
        sensitive_segment=draft.segment.sensitive or any(s.sensitive for s in segments),
        finding_kinds=frozenset(str(f.get("kind")) for f in findings),
        overridden_block=bool(blocking_keys & set(overridden_keys)),
        locale=str(locale) if locale else None,
    )


def current_guide_of(version: DraftVersion) -> BrandGuideVersion:
    return version.draft.brief.brand.current_guide()


def _check_against(version: DraftVersion, guide: BrandGuideVersion) -> CheckResult | None:
    return version.check_results.filter(guide_version=guide).first() or version.check_results.order_by("-created_at", "-id").first()


def requirement_for(
    version: DraftVersion, *, guide: BrandGuideVersion | None = None, check: CheckResult | None = None, segments: Sequence[Segment] = ()
) -> Requirement:
    """What this version needs under the brand's guide in force now (or `guide`), also for `segments` it may be published to."""
    guide = guide or current_guide_of(version)
    check = check if check is not None else _check_against(version, guide)
    overridden = version.overrides.values_list("finding_key", flat=True)
    return requirement_from(guide.data.get("approval"), facts_for(version, check=check, overridden_keys=overridden, segments=segments))


def draft_author_ids(version: DraftVersion) -> set[int]:
    """The author of any version of the draft (and whoever created it) never counts as an approver."""
    draft = version.draft
    return {draft.created_by_id, *draft.versions.values_list("author_id", flat=True)}


def approval_status(
    version: DraftVersion, *, guide: BrandGuideVersion | None = None, check: CheckResult | None = None, segments: Sequence[Segment] = ()
) -> ApprovalStatus:
    """What the version needs, which approvals count, who gave them and what is missing."""
    requirement = requirement_for(version, guide=guide, check=check, segments=segments)
    decisions = version.decisions.filter(decision=Decision.APPROVE).select_related("reviewer").order_by("created_at", "id")
    return status_from(requirement, (Approver.of(d.reviewer) for d in decisions), draft_author_ids(version))


# --- many versions at once (the queue, the brief grid): a fixed number of queries -------------------


@dataclass(frozen=True)
class GuidePolicy:
    guide_id: int
    policy: dict[str, Any] | None


def current_policies(brand_ids: Iterable[int]) -> dict[int, GuidePolicy]:
    """Each brand's guide in force now and its `approval:` section, in one query that leaves the rest of the guide unread."""
    newest = BrandGuideVersion.objects.filter(brand=OuterRef("brand")).order_by("-number").values("number")[:1]
    rows = BrandGuideVersion.objects.filter(brand_id__in=set(brand_ids), number=Subquery(newest)).values("brand_id", "id", "data__approval")
    return {row["brand_id"]: GuidePolicy(row["id"], row["data__approval"]) for row in rows}


def status_of_prefetched(version: DraftVersion, *, checks: Sequence[CheckResult], guide: GuidePolicy | None) -> ApprovalStatus:
    """approval_status from rows already loaded: the version's check_results, overrides and decisions (with reviewer)
    and the draft's versions. The check judged is the one against the guide in force, else the newest."""
    check = next((c for c in checks if guide is not None and c.guide_version_id == guide.guide_id), None)
    if check is None and checks:
        check = max(checks, key=lambda c: (c.created_at, c.pk))
    facts = facts_for(version, check=check, overridden_keys=[o.finding_key for o in version.overrides.all()])
    requirement = requirement_from(guide.policy if guide else None, facts)
    approvals = [d for d in version.decisions.all() if d.decision == Decision.APPROVE]
    approvals.sort(key=lambda d: (d.created_at, d.pk))
    draft = version.draft
    authors = {draft.created_by_id, *(v.author_id for v in draft.versions.all())}
    return status_from(requirement, (Approver.of(d.reviewer) for d in approvals), authors)


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
