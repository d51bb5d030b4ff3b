"""The household file page ("一户一案")."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.residents.models import Household
from gongzhi.residents.queries import get_household_file


@login_required
def household_file(request: HttpRequest, pk: int) -> HttpResponse:
    household: Any = (
        Household.objects.restrict(request.user, "view").select_related("grid", "room").filter(pk=pk).first()
    )
    if household is None:
        raise Http404
    return render(request, "residents/household_file.html", {"file": get_household_file(household, request.user)})
