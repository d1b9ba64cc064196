"""No page is reachable without a login, and no API endpoint without a token."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Login pages, and the API's schema and its docs page, which describe endpoints but serve no content.
# ninja's api-root pattern at /api/v1/ and the API's catch-alls for unknown paths only ever answer a (JSON) 404.
PUBLIC = {"/login/", "/admin/login/", "/api/v1/openapi.json", "/api/v1/docs", "/api/v1/", "/api/v1/.*", "/api(?:/|)", "/favicon.ico"}


def walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        else:
            yield route


def concrete(route: str) -> str:
    """Fill every converter or regex group with a plausible value."""
    route = re.sub(r"\(\?P<[^>]+>([^)]*)\)", lambda m: m.group(1).split("|")[0], route)
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(slug|str|path):[^>]+>", "x", route)
    route = re.sub(r"<[^>]+>", "x", route)
    route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\.", ".").replace("\\", "")
    return "/" + route


def all_urls() -> list[str]:
    return sorted({concrete(route) for route in walk(get_resolver().url_patterns)})


def test_the_walk_finds_the_pages_and_the_api():
    urls = all_urls()
    assert "/briefs/new/" in urls and "/review/" in urls
    assert any(u.startswith("/api/v1/journeys") for u in urls)
    assert len(urls) > 25


@pytest.mark.parametrize("url", all_urls())
def test_it_needs_a_login_or_a_token(client, url: str):
    if url in PUBLIC:
        pytest.skip("public by design")
    if url.startswith("/api/"):
        # A method the endpoint does not have may answer 405 before authentication; the one it has must say 401.
        statuses = {client.get(url).status_code, client.post(url).status_code}
        assert 401 in statuses and statuses <= {401, 405}, f"{url} answered {statuses} without a token"
        return
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, f"{method.__name__.upper()} {url} answered {response.status_code} without a login"
        assert "login" in response["Location"], f"{url} redirected to {response['Location']}"
