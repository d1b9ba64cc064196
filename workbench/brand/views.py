from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from workbench.brand.models import Brand, PromptTemplate


def guide_list(request: HttpRequest) -> HttpResponse:
    brands = Brand.objects.prefetch_related("guide_versions", "segments")
    prompts = PromptTemplate.objects.prefetch_related("versions")
    return render(request, "brand/guide_list.html", {"brands": brands, "prompts": prompts})


def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    brand = get_object_or_404(Brand, slug=slug)
    versions = brand.guide_versions.select_related("created_by").order_by("-number")
    number = request.GET.get("version")
    shown = get_object_or_404(versions, number=number) if number and number.isdigit() else versions.first()
    return render(request, "brand/guide_detail.html", {"brand": brand, "versions": versions, "shown": shown, "segments": brand.segments.all()})
