from django.urls import path

from workbench.generation import views

urlpatterns = [
    path("briefs/", views.brief_list, name="brief_list"),
    path("briefs/new/", views.brief_create, name="brief_create"),
    path("briefs/<int:brief_id>/", views.brief_detail, name="brief_detail"),
    path("briefs/<int:brief_id>/generate/", views.brief_generate, name="brief_generate"),
    path("runs/<int:run_id>/cancel/", views.run_cancel, name="run_cancel"),
    path("drafts/<int:draft_id>/", views.draft_detail, name="draft_detail"),
    path("drafts/<int:draft_id>/edit/", views.draft_edit, name="draft_edit"),
    path("drafts/<int:draft_id>/check/", views.draft_live_check, name="draft_live_check"),
    path("drafts/<int:draft_id>/submit/", views.draft_submit, name="draft_submit"),
]
