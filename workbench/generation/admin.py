from django.contrib import admin

from workbench.generation.models import Brief, Draft, DraftVersion, GenerationJob, GenerationRun
from workbench.readonly_admin import ReadOnlyAdmin

for model in (Brief, GenerationRun, GenerationJob, Draft, DraftVersion):
    admin.site.register(model, ReadOnlyAdmin)
