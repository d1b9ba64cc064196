from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from workbench.accounts.models import Role, User


class LoginForm(AuthenticationForm):
    """Django's login form sets the username's max_length without validating it: a 400-character
    username reached authenticate() and overflowed the lockout table. No user has such a name."""

    def clean(self) -> dict[str, Any]:
        limit = User._meta.get_field("username").max_length or 150
        if len(self.cleaned_data.get("username") or "") > limit:
            raise ValidationError(f"Enter a username of at most {limit} characters.", code="invalid_login")
        return super().clean()


class UserCreateForm(forms.Form):
    username = forms.CharField(max_length=150)
    full_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters, not a common password. Give it to the user privately.",
    )
