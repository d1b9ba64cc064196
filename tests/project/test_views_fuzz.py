"""No 5xx from input in the HTML views: every URL pattern, odd path values, odd query values, odd form keys, every role.

The walk reuses the permission matrix's world and resolver walk, so a view added later is fuzzed without a new row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from django.test import Client

from tests.project.test_security_matrix import build_world, client_for, concrete_path, matrix_key, url_patterns

# Values that have broken views before: digits int() refuses or SQLite cannot store, unicode, surrogates, sheer size.
ODD_VALUES = (
    "99999999999999999999999",
    "-1",
    "0",
    "abc",
    "²",
    "١٢",
    "1e9",
    " 1",
    "\ud800",
    "\x00",
    "a/b",
    "‮evil",
    "x" * 10_000,
)
# Path values: a converter like <int:...> only lets digits through, so the odd ones there are the big and the zero.
ODD_PATH_VALUES = ("99999999999999999999999", "0", "00000000000000000000001", "9" * 400)
ODD_SLUGS = ("no-such-thing", "x" * 10_000, "_")
ROLES = ("marketer", "reviewer", "publisher", "admin")

# Query and form keys the views read, plus keys nobody reads.
QUERY_KEYS = ("from", "brand", "brief", "segment", "channel", "state", "blocking", "sensitive", "sort", "page", "version", "part", "step", "journey", "weight-1", "q", "next", "fmt")
FORM_KEYS = (
    "version", "base_version", "count", "mode", "instruction", "finding", "reason", "justification", "body", "subject", "preheader",
    "title", "cta", "decision", "next", "step", "segment", "weight-1", "weight-99999999999999999999999", "role", "brand",
)

# Crashes another change of issue #11 fixes; the lead removes these marks after merging.
def _patterns() -> list[str]:
    keys = sorted({k for k in (matrix_key(p) for p in url_patterns()) if k is not None})
    # The API has its own schemathesis run; the admin belongs to Django.
    return [k for k in keys if not k.startswith(("api/", "admin/", "logout/"))]


def _params(pattern: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", pattern)


def _odd_paths(pattern: str, world) -> Iterator[str]:  # type: ignore[no-untyped-def]
    base = concrete_path(pattern, world)
    yield base
    for name in _params(pattern):
        is_int = f"<int:{name}>" in pattern
        for value in ODD_PATH_VALUES if is_int else ODD_SLUGS:
            kwargs = dict(world.kwargs)
            kwargs[name] = value
            if pattern.startswith("prompts/") and name == "slug":
                kwargs["prompt_slug"] = value
            yield concrete_path(pattern, type(world)(kwargs, world.token, world.users))


def _odd_queries() -> Iterator[dict[str, str]]:
    for value in ODD_VALUES:
        yield {key: value for key in QUERY_KEYS}


def _odd_forms() -> Iterator[dict[str, str]]:
    for value in ODD_VALUES:
        yield {key: value for key in FORM_KEYS}
    yield {"\ud800": "x", "x" * 10_000: "y"}


def _encoded(data: dict[str, str]) -> str:
    # A lone surrogate cannot be UTF-8; a client sends its bytes anyway (%ED%A0%80), so encode as one would.
    return urlencode(data, encoding="utf-8", errors="surrogatepass")


def _request(client: Client, method: str, path: str, data: dict[str, str], **headers: str):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(f"{path}?{_encoded(data)}" if data else path, **headers)
    return client.post(path, _encoded(data), content_type="application/x-www-form-urlencoded", **headers)


def test_it_walks_the_html_views():
    keys = _patterns()
    assert "briefs/new/" in keys and "review/" in keys and "drafts/<int:draft_id>/edit/" in keys


def pytest_generate_tests(metafunc):  # type: ignore[no-untyped-def]
    if "pattern" in metafunc.fixturenames:
        metafunc.parametrize("pattern", [pytest.param(key, id=key) for key in _patterns_at_collection()])


def _patterns_at_collection() -> list[str]:
    import django

    django.setup()
    return _patterns()


@pytest.mark.django_db
def test_it_answers_no_5xx_to_odd_input(pattern, brand, prompt, segments):  # type: ignore[no-untyped-def]
    world = build_world(brand, prompt, segments)
    clients = {role: client_for(role, world) for role in ROLES}
    crashes: list[str] = []

    def hit(role: str, method: str, path: str, data: dict[str, str], **headers: str) -> None:
        response = _request(clients[role], method, path, data, **headers)
        if response.status_code >= 500:
            shown = {k[:20]: v[:20] for k, v in data.items()}
            crashes.append(f"{method} {path[:80]} {shown} as {role}: {response.status_code}")

    for path in _odd_paths(pattern, world):
        for role in ROLES:
            for method in ("GET", "POST"):
                hit(role, method, path, {})
    base = concrete_path(pattern, world)
    for role in ROLES:
        for query in _odd_queries():
            hit(role, "GET", base, query)
            hit(role, "GET", base, {**query, "part": "progress"}, HTTP_HX_REQUEST="true")  # htmx partials read the same values
        for form in _odd_forms():
            hit(role, "POST", base + "?" + "&".join(f"{k}=1" for k in ("from", "brand", "step")), form)
    assert not crashes, f"{len(crashes)} request(s) answered 5xx:\n" + "\n".join(crashes[:40])


def test_it_reads_ids_from_input_as_ascii_digits_within_64_bits():
    from workbench.generation.query import MAX_ID, id_param

    assert id_param("42") == 42 and id_param(str(MAX_ID)) == MAX_ID
    for odd in ("²", "١٢", "99999999999999999999999", str(MAX_ID + 1), "0", "-1", " 1", "1e3", "", None, ["1"]):
        assert id_param(odd) is None, odd


@pytest.mark.django_db
def test_it_answers_the_issues_bad_query_values_with_a_page(client, brand, prompt, segments, marketer, reviewer):
    client.force_login(marketer)
    assert client.get("/briefs/new/?from=²").status_code == 200
    client.force_login(reviewer)
    response = client.get("/review/?brand=99999999999999999999999&brief=²&segment=-3&page=abc")
    assert response.status_code == 200


@pytest.mark.django_db
def test_it_renders_pages_whatever_text_was_stored(client, brand, prompt, segments, marketer, reviewer):
    """Stored values with slashes, bidi controls, lone combining marks or sheer length never break a page."""
    from tests.pipeline import generate_now, make_brief
    from workbench.generation import actions
    from workbench.generation.models import DraftVersion

    odd = "a/b \u202eevil\u202c <b>x</b> {{ x }} \u0301 " + "w" * 150
    brief = make_brief(brand, prompt, [segments["new"]], marketer, channels=["email"], variants=1, title=odd[:200], goal=odd * 20)
    (draft,) = generate_now(brief, marketer)
    fields = {**draft.latest_version().fields, "subject": odd[:1000], "body": (odd * 100)[:20_000]}
    actions.draft_edit(draft, fields=fields, base_version=1, acting_user=marketer)
    DraftVersion.objects.filter(draft=draft).update(model=odd[:100], provider="x/y \u202e", instruction=odd[:300])
    actions.draft_submit(draft, acting_user=marketer)
    client.force_login(reviewer)
    for path in ("/briefs/", f"/briefs/{brief.pk}/", f"/drafts/{draft.pk}/", "/review/", f"/review/?brief={brief.pk}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<b>x</b>" not in response.content.decode(), path  # stored text is shown escaped
