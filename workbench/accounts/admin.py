from django.contrib import admin

from workbench.accounts.models import User
from workbench.readonly_admin import ReadOnlyAdmin


class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "role", "is_active", "last_login")
    exclude = ("password",)


admin.site.register(User, UserAdmin)
