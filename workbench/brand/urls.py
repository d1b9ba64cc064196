from django.urls import path

from workbench.brand import views

urlpatterns = [
    path("guides/", views.guide_list, name="guide_list"),
    path("guides/<slug:slug>/", views.guide_detail, name="guide_detail"),
]
