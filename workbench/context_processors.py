from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from workbench.generation.providers import PROVIDERS, provider_spec


def copydesk(request: HttpRequest) -> dict[str, Any]:
    return {
        "htmx_available": settings.HTMX_DIST_DIR.is_dir(),
        "llm_provider": provider_spec(),
        # Versions remember the provider that wrote them: these cost nothing by design.
        "llm_stand_ins": [spec.name for spec in PROVIDERS.values() if spec.stand_in],
    }
