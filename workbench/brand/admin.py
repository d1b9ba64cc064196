from django.contrib import admin

from workbench.brand.models import Brand, BrandGuideVersion, PromptTemplate, PromptTemplateVersion, Segment
from workbench.readonly_admin import ReadOnlyAdmin

for model in (Brand, BrandGuideVersion, PromptTemplate, PromptTemplateVersion, Segment):
    admin.site.register(model, ReadOnlyAdmin)
