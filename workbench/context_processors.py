from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def copydesk(request: HttpRequest) -> dict[str, Any]:
    return {
        "htmx_available": settings.HTMX_DIST_DIR.is_dir(),
        "llm_provider": settings.LLM_PROVIDER,
    }
