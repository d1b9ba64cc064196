from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from workbench.accounts.models import Role, User

# A password longer than this is no password anyone has: refusing it early keeps hashing cheap.
PASSWORD_MAX_CHARS = 4096


class LengthGuardedLogin(forms.Form):
    """Django's login forms set the username's max_length without validating it: a 400-character username
    reached authenticate(), where django-axes stored it in its attempt table and the audit log kept it.
    No user has such a name, so it is refused here, before authenticate() (and axes) sees it."""

    def clean(self) -> dict[str, Any]:
        limit = User._meta.get_field("username").max_length or 150
        if len(self.cleaned_data.get("username") or "") > limit:
            raise ValidationError(f"Enter a username of at most {limit} characters.", code="invalid_login")
        if len(self.cleaned_data.get("password") or "") > PASSWORD_MAX_CHARS:
            raise ValidationError(f"Enter a password of at most {PASSWORD_MAX_CHARS} characters.", code="invalid_login")
        return super().clean() or {}


class LoginForm(LengthGuardedLogin, AuthenticationForm):
    """The app's login form (/login/)."""


class AdminLoginForm(LengthGuardedLogin, AdminAuthenticationForm):
    """The Django admin's login form (/admin/login/), with the same guard."""


class UserCreateForm(forms.Form):
    username = forms.CharField(max_length=150)
    full_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters, not a common password. Give it to the user privately.",
    )
