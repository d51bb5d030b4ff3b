"""Home: landing page, resident home or staff console dashboard depending on who asks."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/landing.html")
