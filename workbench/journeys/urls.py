from django.urls import path

from workbench.journeys import views

urlpatterns = [
    path("journeys/", views.journey_list, name="journey_list"),
    path("journeys/<slug:journey_slug>/pause/", views.journey_pause, name="journey_pause"),
    path("journeys/<slug:journey_slug>/steps/<slug:step_slug>/", views.step_detail, name="step_detail"),
    path("versions/<int:version_id>/publish/", views.publish, name="publish"),
    path("publications/<int:publication_id>/end/", views.publication_end, name="publication_end"),
    path("api-clients/", views.api_client_list, name="api_client_list"),
    path("api-clients/<int:client_id>/revoke/", views.api_client_revoke, name="api_client_revoke"),
]
