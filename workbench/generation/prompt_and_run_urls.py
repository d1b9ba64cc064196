"""Routes of the prompt-template screens and of generation runs (retry a run, ask for a variation of a draft)."""

from django.urls import path

from workbench.generation import prompt_views, run_views

urlpatterns = [
    path("prompts/", prompt_views.prompt_list, name="prompt_list"),
    path("prompts/<slug:slug>/", prompt_views.prompt_detail, name="prompt_detail"),
    path("prompts/<slug:slug>/edit/", prompt_views.prompt_edit, name="prompt_edit"),
    path("prompts/<slug:slug>/load-file/", prompt_views.prompt_load_file_view, name="prompt_load_file"),
    path("prompts/<slug:slug>/preview/", prompt_views.prompt_preview, name="prompt_preview"),
    path("runs/<int:run_id>/retry/", run_views.run_retry, name="run_retry"),
    path("drafts/<int:draft_id>/variation/", run_views.draft_variation, name="draft_variation"),
]
