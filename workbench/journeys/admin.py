from django.contrib import admin

from workbench.journeys.models import ApiClient, Journey, JourneyStep, OutcomeCount, Publication
from workbench.readonly_admin import ReadOnlyAdmin


class ApiClientAdmin(ReadOnlyAdmin):
    exclude = ("token_hash",)


for model in (Journey, JourneyStep, Publication, OutcomeCount):
    admin.site.register(model, ReadOnlyAdmin)
admin.site.register(ApiClient, ApiClientAdmin)
