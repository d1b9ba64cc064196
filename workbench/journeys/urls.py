from django.urls import path

from workbench.journeys import views

urlpatterns = [
    path("journeys/", views.journey_list, name="journey_list"),
    path("journeys/new/", views.journey_create, name="journey_create"),
    path("journeys/performance/", views.performance, name="journey_performance"),
    path("journeys/performance/outcomes.csv", views.performance_csv, name="journey_performance_csv"),
    path("journeys/<slug:journey_slug>/edit/", views.journey_edit, name="journey_edit"),
    path("journeys/<slug:journey_slug>/pause/", views.journey_pause, name="journey_pause"),
    path("journeys/<slug:journey_slug>/steps/new/", views.step_create, name="step_create"),
    path("journeys/<slug:journey_slug>/steps/<slug:step_slug>/", views.step_detail, name="step_detail"),
    path("journeys/<slug:journey_slug>/steps/<slug:step_slug>/edit/", views.step_edit, name="step_edit"),
    path("journeys/<slug:journey_slug>/steps/<slug:step_slug>/publish/", views.step_publish, name="step_publish"),
    path("journeys/<slug:journey_slug>/steps/<slug:step_slug>/rollback/", views.step_rollback, name="step_rollback"),
    path("journeys/<slug:journey_slug>/steps/<slug:step_slug>/weights/", views.step_weights, name="step_weights"),
    path("versions/<int:version_id>/publish/", views.publish, name="publish"),
    path("publications/<int:publication_id>/end/", views.publication_end, name="publication_end"),
    path("api-clients/", views.api_client_list, name="api_client_list"),
    path("api-clients/<int:client_id>/revoke/", views.api_client_revoke, name="api_client_revoke"),
]
