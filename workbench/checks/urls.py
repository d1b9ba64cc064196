from django.urls import path

from workbench.checks import views

urlpatterns = [
    path("versions/<int:version_id>/findings/apply-suggestion/", views.finding_apply_suggestion, name="finding_apply_suggestion"),
    path("versions/<int:version_id>/findings/false-positive/", views.finding_false_positive, name="finding_false_positive"),
    path("checks/precision/", views.precision, name="check_precision"),
    path("checks/recertification/", views.recertification, name="recertification"),
    path("checks/recertification/<slug:slug>/run/", views.recertify_now, name="recertify_now"),
]
