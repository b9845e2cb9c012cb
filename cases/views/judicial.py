"""Views for the judicial part of case work (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
