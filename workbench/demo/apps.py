from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "workbench.demo"
    label = "demo"
