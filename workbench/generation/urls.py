from django.urls import path

from workbench.generation import views

urlpatterns = [
    path("briefs/", views.brief_list, name="brief_list"),
    path("briefs/new/", views.brief_create, name="brief_create"),
    path("briefs/estimate/", views.brief_estimate, name="brief_estimate"),
    path("briefs/<int:brief_id>/edit/", views.brief_edit, name="brief_edit"),
    path("briefs/<int:brief_id>/revisions/<int:number>/", views.brief_revision, name="brief_revision"),
    path("briefs/<int:brief_id>/generate/", views.brief_generate, name="brief_generate"),
    path("briefs/<int:brief_id>/generate/confirm/", views.brief_generate_confirm, name="brief_generate_confirm"),
    path("drafts/<int:draft_id>/discard/", views.draft_discard, name="draft_discard"),
    path("drafts/<int:draft_id>/restore/", views.draft_restore, name="draft_restore"),
    path("runs/<int:run_id>/cancel/", views.run_cancel, name="run_cancel"),
]
