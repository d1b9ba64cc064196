"""The product's URLs plus /bench/bare: a plain Django view returning a fixed 1 KB JSON body (bench only)."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from workbench.urls import urlpatterns as product_urlpatterns

BODY = json.dumps({"fields": {"body": "x" * 980}, "publication": 1}).encode()
assert 1000 <= len(BODY) <= 1100


@login_not_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, content_type="application/json")


urlpatterns = [path("bench/bare", bare), *product_urlpatterns]
