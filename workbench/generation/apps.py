from django.apps import AppConfig


class GenerationConfig(AppConfig):
    name = "workbench.generation"
    label = "generation"

    def ready(self) -> None:
        # Every process (web, worker, manage.py) stops at start-up on a provider it cannot use.
        from workbench.generation.providers import check_settings

        check_settings()
