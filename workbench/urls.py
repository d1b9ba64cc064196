from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views import defaults
from django.urls import URLPattern, URLResolver, include, path, re_path

from workbench.accounts.forms import LoginForm
from workbench.api import api
from workbench.api.core import api_not_found, json_error
from workbench.home import home


def _token_authenticated(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """The API authenticates by bearer token, so the site-wide login requirement does not apply to it."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _token_authenticated(pattern.url_patterns)
        else:
            pattern.callback = login_not_required(pattern.callback)
    return patterns


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    """Pages declare no icon; a client that asks anyway gets an empty answer (kept a day), not a 404 in the logs."""
    response = HttpResponse(status=204)
    response["Cache-Control"] = "public, max-age=86400"
    return response


api_urls, api_app, api_namespace = api.urls
urlpatterns = [
    path("api/v1/", (_token_authenticated(api_urls), api_app, api_namespace)),
    re_path(r"^api(?:/|$)", login_not_required(api_not_found)),  # other versions and stray paths: a JSON 404, never a login page
    path("", home, name="home"),
    path("favicon.ico", favicon),
    path("login/", login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm)), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("workbench.generation.urls")),
    path("", include("workbench.generation.prompt_and_run_urls")),
    path("", include("workbench.review.urls")),
    path("", include("workbench.journeys.urls")),
    path("", include("workbench.brand.urls")),
    path("", include("workbench.checks.urls")),
    path("", include("workbench.audit.urls")),
    path("", include("workbench.accounts.urls")),
    path("admin/", admin.site.urls),
]


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django refuses before any view (a Host it does not serve, a malformed header): JSON under /api/."""
    if request.path.startswith("/api/"):
        return json_error(400, "The request is malformed or addressed to a host Copydesk does not serve.")
    return defaults.bad_request(request, exception)


handler400 = bad_request
