from django.urls import path

from workbench.brand import guide_views, views

urlpatterns = [
    path("guides/", views.guide_list, name="guide_list"),
    path("guides/<slug:slug>/", views.guide_detail, name="guide_detail"),
    path("guides/<slug:slug>/edit/", views.guide_edit, name="guide_edit"),
    path("guides/<slug:slug>/edit/terms/", guide_views.guide_terms, name="guide_terms"),
    path("guides/<slug:slug>/edit/required/", guide_views.guide_required, name="guide_required"),
    path("guides/<slug:slug>/edit/limits/", guide_views.guide_limits, name="guide_limits"),
    path("guides/<slug:slug>/edit/tone/", guide_views.guide_tone, name="guide_tone"),
    path("guides/<slug:slug>/load-file/", views.guide_load_file_view, name="guide_load_file"),
    path("guides/<slug:slug>/model/", views.brand_model_settings, name="brand_model_settings"),
    path("guides/<slug:slug>/review-webhook/", views.brand_review_webhook, name="brand_review_webhook"),
    path("guides/<slug:slug>/v<int:number>.yaml", views.guide_export, name="guide_export"),
    path("guides/<slug:slug>/segments/new/", views.segment_edit, name="segment_create"),
    path("guides/<slug:slug>/segments/<slug:segment_slug>/", views.segment_edit, name="segment_edit"),
]
