from django.contrib import admin
from django.contrib.auth.models import Group

from workbench.accounts.forms import AdminLoginForm
from workbench.accounts.models import User
from workbench.readonly_admin import ReadOnlyAdmin


class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "role", "is_active", "last_login")
    exclude = ("password",)


admin.site.register(User, UserAdmin)

# Copydesk grants rights by role, never by group: a group editor in the admin would be a side door to permissions.
admin.site.unregister(Group)

# Every login form refuses absurd usernames before authentication (and django-axes) sees them.
admin.site.login_form = AdminLoginForm
