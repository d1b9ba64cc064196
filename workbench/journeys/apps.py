from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "workbench.journeys"
    label = "journeys"
