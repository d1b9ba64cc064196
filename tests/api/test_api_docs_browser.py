"""/api/v1/docs in a real browser under Copydesk's own CSP: Swagger UI renders from our static files, nothing is blocked."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest

from tests.browser import BROWSER

pytestmark = [*BROWSER, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_under_our_csp_from_same_origin_assets(chromium: Any, live_server: Any) -> None:
    page = chromium.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if "Content Security Policy" in message.text else None)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "Copydesk API" in page.inner_text(".swagger-ui .info .title")
    page.get_by_text("/api/v1/journeys/{journey}/steps/{step}/content").first.wait_for(timeout=15_000)
    origin = urlparse(live_server.url).netloc
    assert all(urlparse(url).netloc == origin for url in requested if url.startswith("http")), requested
    script_blocks = [p for p in problems if "script" in p.lower()]
    assert not script_blocks, script_blocks
