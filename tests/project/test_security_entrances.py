"""The newer entrances (guide forms, the publishing dialog, brief edit, discard and restore, review profiles, email
preferences, the outcomes export) with a valid request sent the wrong way: by a role without access, without a CSRF
token, as a GET on a POST-only endpoint, or by nobody. Each is a 4xx (or the login page), and nothing is stored.
The view-specific bad values are tested beside each view (tests/<app>/test_*_bad_input.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.conftest import make_user
from tests.journeys_setup import Live
from tests.pipeline import approved_draft, generate_now, make_brief
from tests.project.test_security_csrf import row_counts
from workbench.accounts.models import Role
from workbench.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ROLES = ("marketer", "reviewer", "publisher", "admin_user", "outsider")


@dataclass(frozen=True)
class Entrance:
    name: str
    allowed: tuple[str, ...]  # roles that get through to the view (the others: 403)
    post_only: bool = True


ENTRANCES = (
    Entrance("guide_edit", ("admin_user",), post_only=False),
    Entrance("guide_terms", ("admin_user",), post_only=False),
    Entrance("guide_required", ("admin_user",), post_only=False),
    Entrance("guide_limits", ("admin_user",), post_only=False),
    Entrance("guide_tone", ("admin_user",), post_only=False),
    Entrance("guide_load_file", ("admin_user",)),
    Entrance("step_publish", ("publisher", "admin_user")),
    Entrance("publish", ("publisher", "admin_user")),
    Entrance("brief_edit", ("marketer", "admin_user"), post_only=False),  # the outsider: a marketer, not the brief's author
    # A marketer reaches the buttons; for someone else's brief the action refuses with a message (tests/generation).
    Entrance("draft_discard", ("marketer", "admin_user", "outsider")),
    Entrance("draft_restore", ("marketer", "admin_user", "outsider")),
    Entrance("user_review_profile", ("admin_user",)),
    Entrance("notification_preferences", ROLES, post_only=False),
)


def _requests(name: str, live: Live, brief: Any, draft: Any, fresh: Any, reviewer: Any) -> tuple[str, dict[str, Any]]:
    """The entrance's path and a request body that the allowed role would get through with."""
    guide = "/guides/northwind"
    step = f"/journeys/{live.journey.slug}/steps/{live.step.slug}"
    brief_form = {
        "brand": brief.brand_id, "title": "Taken over", "goal": brief.goal, "key_message": brief.key_message, "offer": "",
        "call_to_action": brief.call_to_action, "segments": [s.pk for s in brief.segments.all()], "channels": brief.channels,
        "variants_per_segment": 1, "tone_context": "", "prompt_template": brief.prompt_template_id,
    }
    return {
        "guide_edit": (f"{guide}/edit/", {"source_yaml": live.journey.brand.current_guide().source_yaml.replace("name: Northwind Outfitters", "name: Taken"), "base_version": "1"}),
        "guide_terms": (f"{guide}/edit/terms/", {"base_version": "1", "term": "bargain", "severity": "block"}),
        "guide_required": (f"{guide}/edit/required/", {"base_version": "1", "all__sms": "Text STOP"}),
        "guide_limits": (f"{guide}/edit/limits/", {"base_version": "1", "email__subject_max_chars": "10"}),
        "guide_tone": (f"{guide}/edit/tone/", {"base_version": "1", "default-max_exclamations": "9", "ctx-TOTAL_FORMS": "0", "ctx-INITIAL_FORMS": "0"}),
        "guide_load_file": (f"{guide}/load-file/", {}),
        "step_publish": (f"{step}/publish/", {"version": fresh.latest_version().pk, "replace": "1", "weight": "100", "confirm": "1"}),
        "publish": (f"/versions/{fresh.latest_version().pk}/publish/", {"step": live.step.pk, "replace": "1", "weight": "100", "confirm": "1"}),
        "brief_edit": (f"/briefs/{brief.pk}/edit/", brief_form),
        "draft_discard": (f"/drafts/{draft.pk}/discard/", {}),
        "draft_restore": (f"/drafts/{draft.pk}/restore/", {}),
        "user_review_profile": (f"/users/{reviewer.pk}/review-profile/", {"review_roles": ["legal"], "languages": "es"}),
        "notification_preferences": ("/notifications/preferences/", {"email": ["digest"]}),
    }[name]


@pytest.fixture
def world(live: Live, brand, prompt, segments, marketer, reviewer):  # type: ignore[no-untyped-def]
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1)
    (draft,) = generate_now(brief, marketer)
    fresh = approved_draft(brand, prompt, segments["new"], marketer, reviewer)
    return brief, draft, fresh


@pytest.mark.parametrize("entrance", ENTRANCES, ids=lambda e: e.name)
def test_it_refuses_the_wrong_role_a_missing_csrf_token_and_a_get_on_a_post_only_entrance(entrance, world, live, request):  # type: ignore[no-untyped-def]
    brief, draft, fresh = world
    users = {role: request.getfixturevalue(role) for role in ROLES if role != "outsider"}
    users["outsider"] = make_user("otto", Role.MARKETER)
    path, data = _requests(entrance.name, live, brief, draft, fresh, users["reviewer"])
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    no_token = Client(enforce_csrf_checks=True)
    no_token.force_login(users[entrance.allowed[0]])
    before, last = row_counts(), AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()

    answers = {}
    for role in ROLES:
        if role not in entrance.allowed:
            answers[role] = clients[role].post(path, data).status_code
    answers["anonymous"] = Client().post(path, data).status_code
    answers["no csrf token"] = no_token.post(path, data).status_code
    if entrance.post_only:
        answers["GET"] = clients[entrance.allowed[0]].get(path).status_code
    expected = {**{role: 403 for role in ROLES if role not in entrance.allowed}, "anonymous": 302, "no csrf token": 403}
    if entrance.post_only:
        expected["GET"] = 405
    assert answers == expected
    assert row_counts() == before
    assert AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() == last
    # The same request from a role with access reaches the view: the refusals above were about who and how.
    assert clients[entrance.allowed[0]].post(path, data).status_code in (200, 302)


def test_the_outcomes_export_answers_every_role_and_nobody_signed_out(live, marketer, reviewer, publisher, admin_user):  # type: ignore[no-untyped-def]
    for user in (marketer, reviewer, publisher, admin_user):
        client = Client()
        client.force_login(user)
        response = client.get("/journeys/performance/outcomes.csv")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert Client().get("/journeys/performance/outcomes.csv").status_code == 302
