from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path, re_path

from workbench.accounts.views import home
from workbench.api import api
from workbench.audit import views as audit_views
from workbench.brand import views as brand_views
from workbench.generation import views as generation_views
from workbench.journeys import views as journey_views
from workbench.review import views as review_views


def _token_authenticated(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """The API authenticates by bearer token, so the site-wide login requirement does not apply to it."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _token_authenticated(pattern.url_patterns)
        else:
            pattern.callback = login_not_required(pattern.callback)
    return patterns


api_urls, api_app, api_namespace = api.urls
urlpatterns = [
    path("", home, name="home"),
    path("login/", login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("briefs/", generation_views.brief_list, name="brief_list"),
    path("briefs/new/", generation_views.brief_create, name="brief_create"),
    path("briefs/<int:brief_id>/", generation_views.brief_detail, name="brief_detail"),
    path("briefs/<int:brief_id>/generate/", generation_views.brief_generate, name="brief_generate"),
    path("runs/<int:run_id>/cancel/", generation_views.run_cancel, name="run_cancel"),
    path("drafts/<int:draft_id>/", generation_views.draft_detail, name="draft_detail"),
    path("drafts/<int:draft_id>/edit/", generation_views.draft_edit, name="draft_edit"),
    path("drafts/<int:draft_id>/submit/", generation_views.draft_submit, name="draft_submit"),
    path("drafts/<int:draft_id>/approve/", review_views.review_approve, name="review_approve"),
    path("drafts/<int:draft_id>/reject/", review_views.review_reject, name="review_reject"),
    path("versions/<int:version_id>/override/", review_views.finding_override, name="finding_override"),
    path("versions/<int:version_id>/publish/", journey_views.publish, name="publish"),
    path("review/", review_views.review_queue, name="review_queue"),
    path("journeys/", journey_views.journey_list, name="journey_list"),
    path("journeys/<slug:journey_slug>/pause/", journey_views.journey_pause, name="journey_pause"),
    path("journeys/<slug:journey_slug>/steps/<slug:step_slug>/", journey_views.step_detail, name="step_detail"),
    path("publications/<int:publication_id>/end/", journey_views.publication_end, name="publication_end"),
    path("api-clients/", journey_views.api_client_list, name="api_client_list"),
    path("api-clients/<int:client_id>/revoke/", journey_views.api_client_revoke, name="api_client_revoke"),
    path("guides/", brand_views.guide_list, name="guide_list"),
    path("guides/<slug:slug>/", brand_views.guide_detail, name="guide_detail"),
    path("audit/", audit_views.audit_log, name="audit_log"),
    re_path(r"^audit/export\.(?P<fmt>csv|jsonl)$", audit_views.audit_export, name="audit_export"),
    path("admin/", admin.site.urls),
    path("api/v1/", (_token_authenticated(api_urls), api_app, api_namespace)),
]
