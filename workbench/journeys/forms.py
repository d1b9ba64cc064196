from __future__ import annotations

from django import forms

from workbench.journeys.models import Journey


class ApiClientForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Who uses this token, e.g. “Braze production”.")
    journeys = forms.ModelMultipleChoiceField(queryset=Journey.objects.all(), required=False, widget=forms.CheckboxSelectMultiple)
    all_journeys = forms.BooleanField(required=False, help_text="Every journey, including ones made later.")
    can_check = forms.BooleanField(required=False, label="May run checks", help_text="Allows POST /api/v1/checks.")
