"""Home ("/"): the landing page, the resident home or the console dashboard, by who asks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from gongzhi.access.queries import active_grants
from gongzhi.web import queries
from gongzhi.web.navigation import Section, registry
from gongzhi.web.shell import Shell, shell_for


@dataclass(frozen=True)
class Card:
    key: str
    label: Any
    icon: str
    description: Any = ""
    url: str | None = None


#: Shown until a domain registers real entries in the section (see navigation.py).
PLACEHOLDER_CARDS: dict[Section, list[Card]] = {
    Section.RESIDENT_HOME: [
        Card("notices", _("Community notices"), "bell", _("News from your residents' committee")),
        Card("requests", _("My requests"), "services", _("Follow what you reported")),
        Card("participation", _("Have your say"), "chat", _("Discussions, polls and meetings")),
        Card("activities", _("Activities"), "people", _("Volunteering and events near you")),
    ],
    Section.RESIDENT_SERVICES: [
        Card("report", _("Report a problem"), "wrench", _("Repairs, safety, environment")),
        Card("help", _("Ask for help"), "heart", _("Elderly care, disability, hardship")),
        Card("book", _("Book a service"), "services", _("Rooms, consultations, appointments")),
        Card("suggest", _("Make a suggestion"), "chat", _("Ideas for your community")),
    ],
}

#: Elder mode shows fewer, bigger cards.
ELDER_CARD_LIMIT = 4


def cards_for(request: HttpRequest, section: Section) -> list[Card]:
    elder = bool(getattr(request, "elder_mode", False))
    items = registry.items_for(request, section, elder_mode=elder)
    cards = [Card(i.key, i.label, i.icon, i.description, i.url) for i in items] or PLACEHOLDER_CARDS[section]
    return cards[:ELDER_CARD_LIMIT] if elder else cards


def home(request: HttpRequest) -> HttpResponse:
    shell = shell_for(request.user)
    if shell == Shell.PUBLIC:
        return render(request, "web/landing.html")
    if shell == Shell.RESIDENT:
        return resident_home(request)
    return console_dashboard(request)


def resident_home(request: HttpRequest) -> HttpResponse:
    home_areas = queries.get_home_areas(request.user)
    context = {
        "home_areas": home_areas,
        "community": queries.community_of(home_areas),
        "cards": cards_for(request, Section.RESIDENT_HOME),
    }
    return render(request, "web/resident/home.html", context)


def console_dashboard(request: HttpRequest) -> HttpResponse:
    scope = queries.get_scope(request.user)
    context = {"scope": scope, "show_buildings": scope.building_count is not None}
    return render(request, "web/console/dashboard.html", context)


@login_required
def services(request: HttpRequest) -> HttpResponse:
    """The 办事 tab: entries domains register in the resident_services section."""
    return render(request, "web/resident/services.html", {"cards": cards_for(request, Section.RESIDENT_SERVICES)})


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The 我的 tab (and the staff account page): who I am, display settings, sign out."""
    home_areas = queries.get_home_areas(request.user)
    roles = sorted({str(g.get_role_display()) for g in active_grants(request.user)})
    return render(request, "web/me.html", {"community": queries.community_of(home_areas), "roles": roles})
