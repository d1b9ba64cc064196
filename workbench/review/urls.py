from django.urls import path

from workbench.review import brief_page, draft_views, views

urlpatterns = [
    path("briefs/<int:brief_id>/", brief_page.brief_detail, name="brief_detail"),
    path("drafts/<int:draft_id>/", draft_views.draft_detail, name="draft_detail"),
    path("drafts/<int:draft_id>/edit/", draft_views.draft_edit, name="draft_edit"),
    path("drafts/<int:draft_id>/check/", draft_views.draft_live_check, name="draft_live_check"),
    path("drafts/<int:draft_id>/submit/", draft_views.draft_submit, name="draft_submit"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/bulk/", views.review_bulk, name="review_bulk"),
    path("drafts/<int:draft_id>/claim/", views.draft_claim, name="draft_claim"),
    path("drafts/<int:draft_id>/release/", views.draft_release, name="draft_release"),
    path("drafts/<int:draft_id>/approve/", views.review_approve, name="review_approve"),
    path("drafts/<int:draft_id>/reject/", views.review_reject, name="review_reject"),
    path("drafts/<int:draft_id>/comments/", views.comment_add, name="comment_add"),
    path("drafts/<int:draft_id>/presence/", views.draft_presence, name="draft_presence"),
    path("versions/<int:version_id>/override/", views.finding_override, name="finding_override"),
    path("guides/<slug:slug>/waivers/", views.brand_waivers, name="brand_waivers"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/preferences/", views.notification_preferences, name="notification_preferences"),
    path("notifications/outbox/", views.email_outbox, name="email_outbox"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
