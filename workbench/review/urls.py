from django.urls import path

from workbench.review import views

urlpatterns = [
    path("review/", views.review_queue, name="review_queue"),
    path("drafts/<int:draft_id>/approve/", views.review_approve, name="review_approve"),
    path("drafts/<int:draft_id>/reject/", views.review_reject, name="review_reject"),
    path("versions/<int:version_id>/override/", views.finding_override, name="finding_override"),
]
