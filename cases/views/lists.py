"""Views for the lists part of case work (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
