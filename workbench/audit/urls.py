from django.urls import path, re_path

from workbench.audit import views

urlpatterns = [
    path("audit/", views.audit_log, name="audit_log"),
    re_path(r"^audit/export\.(?P<fmt>csv|jsonl)$", views.audit_export, name="audit_export"),
    path("audit/object/<str:object_type>/<str:object_id>/", views.audit_object, name="audit_object"),
]
