from django.apps import AppConfig


class BrandConfig(AppConfig):
    name = "workbench.brand"
    label = "brand"
