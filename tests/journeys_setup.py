"""A journey with live A/B content and an API client, built with the real transition functions (shared by the journeys and API tests); the `live` fixture that builds it is in conftest.py."""

from __future__ import annotations

from dataclasses import dataclass

from typing import Any

from django.http import HttpResponse
from django.test import Client

from tests.pipeline import approved_draft  # noqa: F401  (re-exported for the journeys tests)
from workbench.accounts.models import User
from workbench.journeys.models import ApiClient, Journey, JourneyStep, Publication

CONTENT = "/api/v1/journeys/{journey}/steps/{step}/content"


@dataclass
class Live:
    journey: Journey
    step: JourneyStep
    other_journey: Journey
    a: Publication
    b: Publication
    client: ApiClient
    token: str
    publisher: User

    def url(self, segment: str = "new-customers", **params: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"segment": segment, **params}.items())
        return CONTENT.format(journey=self.journey.slug, step=self.step.slug) + "?" + query

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {token or self.token}"}


def publish_through_dialog(client: Client, url: str, data: dict[str, Any]) -> HttpResponse:
    """Publish as a person does with the publishing dialog: submit (the confirm page and its preview), then confirm that preview."""
    preview = client.post(url, data)
    assert preview.status_code == 200 and preview.context["plan"] is not None, preview.content.decode()[:3000]
    return client.post(url, {**data, "plan": preview.context["plan"].token, "confirm": "1"})
