"""``manage.py demo_logins``: print the demo accounts (after ``seed_demo``)."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand, CommandParser

from gongzhi.access.choices import Role
from gongzhi.access.models import RoleGrant
from gongzhi.accounts.choices import AccountKind
from gongzhi.demo.seeding import DEMO_PASSWORD


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print the demo staff accounts (username, role, organisation, area, password) and some residents."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-role", type=int, default=3, help="accounts shown per role (0 = all)")
        parser.add_argument("--residents", type=int, default=5, help="resident phone numbers shown")
        parser.add_argument("--host", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, per_role: int, residents: int, host: str, **options: Any) -> None:
        grants = (
            RoleGrant.objects.filter(revoked_at__isnull=True, user__kind=AccountKind.STAFF, user__is_active=True)
            .select_related("user", "organisation", "area")
            .order_by("user__username", "area__path")
        )
        by_user: dict[int, list[RoleGrant]] = defaultdict(list)
        for grant in grants:
            by_user[grant.user_id].append(grant)
        if not by_user:
            self.stdout.write("No demo accounts yet: run `manage.py seed_demo` first.")
            return

        # Demo accounts share one password hash, so checking each distinct hash once is enough.
        still_demo: dict[str, bool] = {}
        order: dict[str, int] = {role.value: i for i, role in enumerate(Role)}
        shown: dict[str, int] = defaultdict(int)
        rows = []
        for user_grants in sorted(by_user.values(), key=lambda g: (order.get(g[0].role, 99), g[0].user.username)):
            first = user_grants[0]
            user = first.user
            if per_role and shown[first.role] >= per_role:
                shown[first.role] += 1
                continue
            shown[first.role] += 1
            if user.password not in still_demo:
                still_demo[user.password] = check_password(DEMO_PASSWORD, user.password)
            areas = "、".join(g.area.name for g in user_grants if g.area) or "全局 system-wide"
            rows.append(
                [
                    user.username,
                    str(user.display_name),
                    str(first.get_role_display()),
                    str(first.organisation or "-"),
                    areas,
                    DEMO_PASSWORD if still_demo[user.password] else "(changed)",
                ]
            )
        self.stdout.write(f"Demo staff accounts — sign in at {host}/accounts/login/")
        self.stdout.write(format_table(["username", "name", "role", "organisation", "area", "password"], rows))
        hidden = {role: n - per_role for role, n in shown.items() if per_role and n > per_role}
        if hidden:
            more = ", ".join(f"{role} +{n}" for role, n in hidden.items())
            self.stdout.write(f"(more accounts not shown: {more}; use --per-role 0 to list all)")

        people = (
            get_user_model()
            .objects.filter(kind=AccountKind.RESIDENT, is_active=True, phone__isnull=False)
            .select_related("home_area", "home_area__parent")
            .order_by("username")[:residents]
        )
        resident_rows = [
            [
                p.phone,
                p.display_name,
                f"{p.home_area.parent.name if p.home_area and p.home_area.parent else ''} {p.home_area or ''}".strip(),
            ]
            for p in people
        ]
        if resident_rows:
            self.stdout.write("")
            self.stdout.write(
                f"Residents — sign in at {host}/accounts/phone/ with a phone number below; "
                "the one-time code is printed in the server log (console SMS backend)."
            )
            self.stdout.write(format_table(["phone", "name", "home"], resident_rows))
