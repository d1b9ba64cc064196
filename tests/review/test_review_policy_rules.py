"""The approval policy as pure rules: the guide's `approval:` section and the requirement it gives."""

from __future__ import annotations

import pytest

from tests.pipeline import APPROVAL_POLICY
from workbench.accounts.models import ReviewRole
from workbench.checks.engine import KINDS
from workbench.checks.engine.errors import GuideError
from workbench.checks.engine.guide import APPROVAL_FINDING_KINDS, APPROVAL_ROLES, dump_guide_yaml, parse_guide_yaml
from workbench.review.policy import Approver, PolicyFacts, requirement_from, status_from

POLICY_YAML = "slug: northwind\nname: Northwind" + APPROVAL_POLICY


def test_it_accepts_the_approval_section_and_exports_it_back() -> None:
    guide = parse_guide_yaml(POLICY_YAML)
    assert guide["approval"]["rules"][1] == {"when": {"finding_kind": "claim"}, "roles": ["legal"]}
    assert parse_guide_yaml(dump_guide_yaml(guide)) == guide


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ("approval: {rules: [{when: {finding_kind: nonsense}, approvals: 2}]}", "approval.rules[0].when.finding_kind"),
        ("approval: {rules: [{when: {}, approvals: 2}]}", "approval.rules[0].when"),
        ("approval: {rules: [{when: {colour: red}, approvals: 2}]}", "approval.rules[0].when.colour"),
        ("approval: {rules: [{when: {sensitive_segment: true}}]}", "approval.rules[0]"),
        ("approval: {rules: [{when: {sensitive_segment: yes please}, approvals: 2}]}", "approval.rules[0].when.sensitive_segment"),
        ("approval: {default: {approvals: 0}}", "approval.default.approvals"),
        ("approval: {rules: [{when: {locale: es-US}, roles: [ceo]}]}", "approval.rules[0].roles[0]"),
        ("approval: {rules: [{when: {locale: '!!'}, languages: [es]}]}", "approval.rules[0].when.locale"),
        ("approval: {rules: [{when: {locale: es-US}, languages: ['1']}]}", "approval.rules[0].languages[0]"),
        ("approval: {due_hours: {default: 0}}", "approval.due_hours.default"),
        ("approval: {due_hours: {weekend: 3}}", "approval.due_hours.weekend"),
        ("approval: {quorum: 3}", "approval.quorum"),
        ("approval: [1, 2]", "approval"),
    ],
)
def test_it_rejects_a_bad_approval_section_with_the_keys_path(section: str, path: str) -> None:
    with pytest.raises(GuideError) as caught:
        parse_guide_yaml(f"slug: a\nname: A\n{section}\n")
    assert caught.value.path == path


def test_it_knows_every_finding_kind_and_role_the_app_has() -> None:
    assert set(KINDS) <= set(APPROVAL_FINDING_KINDS)
    assert set(APPROVAL_ROLES) == set(ReviewRole.values)


def test_it_keeps_todays_rules_without_an_approval_section() -> None:
    assert requirement_from(None, PolicyFacts()).approvals == 1
    assert requirement_from(None, PolicyFacts(sensitive_segment=True)).approvals == 2
    assert requirement_from(None, PolicyFacts(finding_kinds=frozenset({"claim"}), locale="es-US")).roles == ()


POLICY = parse_guide_yaml(POLICY_YAML)["approval"]

# facts -> (approvals, roles, languages, due hours)
TABLE = [
    (PolicyFacts(), (1, (), (), 48)),
    (PolicyFacts(sensitive_segment=True), (2, (), (), 8)),
    (PolicyFacts(finding_kinds=frozenset({"claim"})), (1, ("legal",), (), 48)),
    (PolicyFacts(finding_kinds=frozenset({"tone"})), (1, (), (), 48)),
    (PolicyFacts(overridden_block=True), (2, (), (), 48)),
    (PolicyFacts(locale="es-US"), (1, (), ("es",), 48)),
    (PolicyFacts(locale="es-MX"), (1, (), (), 48)),
    (PolicyFacts(locale="en-US"), (1, (), (), 48)),
    (PolicyFacts(sensitive_segment=True, overridden_block=True), (2, (), (), 8)),
    (PolicyFacts(sensitive_segment=True, finding_kinds=frozenset({"claim"}), overridden_block=True, locale="es-US"), (2, ("legal",), ("es",), 8)),
]


@pytest.mark.parametrize(("facts", "expected"), TABLE)
def test_it_adds_every_matching_rule_and_the_strictest_wins(facts: PolicyFacts, expected: tuple[object, ...]) -> None:
    req = requirement_from(POLICY, facts)
    assert (req.approvals, req.roles, req.languages, req.due_hours) == expected


def test_a_bare_language_rule_matches_every_locale_of_it() -> None:
    policy = {"rules": [{"when": {"locale": "es"}, "languages": ["es"]}]}
    assert requirement_from(policy, PolicyFacts(locale="es-MX")).languages == ("es",)
    assert requirement_from(policy, PolicyFacts(locale="en-US")).languages == ()


RILEY = Approver(1, "Riley")
LEGAL = Approver(2, "Lee", frozenset({"legal"}))
ANA = Approver(3, "Ana", languages=("es-MX",))


def test_it_explains_the_requirement_and_what_it_has() -> None:
    req = requirement_from(POLICY, PolicyFacts(sensitive_segment=True, finding_kinds=frozenset({"claim"})))
    status = status_from(req, [RILEY], authors={9})
    assert status.sentence == (
        "Needs 2 approvals including one from Legal, because it is for a sensitive segment and it makes a claim; "
        "has 1 from Riley; still needs 1 more approval and one from Legal."
    )
    assert not status.met
    assert status_from(req, [RILEY, LEGAL], authors={9}).met


def test_an_author_of_any_version_never_counts() -> None:
    req = requirement_from(POLICY, PolicyFacts())
    status = status_from(req, [RILEY], authors={RILEY.pk})
    assert status.approvals == 0 and not status.met


def test_a_language_is_matched_on_its_base_language() -> None:
    req = requirement_from(POLICY, PolicyFacts(locale="es-US"))
    assert status_from(req, [ANA], authors=()).met
    assert status_from(req, [RILEY], authors=()).missing_languages == ("es",)
