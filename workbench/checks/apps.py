from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "workbench.checks"
    label = "checks"
