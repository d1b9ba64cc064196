from django.urls import path

from workbench.generation import views

urlpatterns = [
    path("briefs/", views.brief_list, name="brief_list"),
    path("briefs/new/", views.brief_create, name="brief_create"),
    path("briefs/<int:brief_id>/generate/", views.brief_generate, name="brief_generate"),
    path("runs/<int:run_id>/cancel/", views.run_cancel, name="run_cancel"),
]
