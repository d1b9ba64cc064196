from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


def _maintenance_flag() -> int:
    return 1 if getattr(settings, "COPYDESK_AUDIT_MAINTENANCE", False) else 0


def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    # The append-only triggers consult this; a connection outside Copydesk
    # (the sqlite3 shell, psql) has no such function or setting and is refused.
    if connection.vendor == "sqlite":
        connection.connection.create_function("copydesk_audit_maintenance", 0, _maintenance_flag, deterministic=False)
    elif connection.vendor == "postgresql" and _maintenance_flag():
        with connection.cursor() as cursor:
            cursor.execute("SET copydesk.audit_maintenance = 'on'")


class AuditConfig(AppConfig):
    name = "workbench.audit"
    label = "audit"

    def ready(self) -> None:
        connection_created.connect(_on_connection, dispatch_uid="copydesk_audit_maintenance")
