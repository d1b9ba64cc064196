from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "workbench.accounts"
    label = "accounts"

    def ready(self) -> None:
        from workbench.accounts import signals  # noqa: F401
