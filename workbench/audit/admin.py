from django.contrib import admin

from workbench.audit.models import AuditEvent
from workbench.readonly_admin import ReadOnlyAdmin


class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "created_at", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "actor_type")


admin.site.register(AuditEvent, AuditEventAdmin)
