from django.contrib import admin

from workbench.checks.models import CheckResult
from workbench.readonly_admin import ReadOnlyAdmin
from workbench.review.models import FindingOverride, ReviewDecision

for model in (ReviewDecision, FindingOverride, CheckResult):
    admin.site.register(model, ReadOnlyAdmin)
