from django.urls import path

from workbench.review import views

urlpatterns = [
    path("review/", views.review_queue, name="review_queue"),
    path("review/bulk/", views.review_bulk, name="review_bulk"),
    path("drafts/<int:draft_id>/claim/", views.draft_claim, name="draft_claim"),
    path("drafts/<int:draft_id>/release/", views.draft_release, name="draft_release"),
    path("drafts/<int:draft_id>/approve/", views.review_approve, name="review_approve"),
    path("drafts/<int:draft_id>/reject/", views.review_reject, name="review_reject"),
    path("drafts/<int:draft_id>/comments/", views.comment_add, name="comment_add"),
    path("drafts/<int:draft_id>/presence/", views.draft_presence, name="draft_presence"),
    path("versions/<int:version_id>/override/", views.finding_override, name="finding_override"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
