"""``manage.py open311_client ORG-CODE "Client name"`` issues a key (printed once);
``--revoke PREFIX`` revokes one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gongzhi.open311 import actions
from gongzhi.open311.models import Open311Client
from gongzhi.organisations.models import Organisation


class Command(BaseCommand):
    help = "Issue or revoke an Open311 client API key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("organisation", nargs="?", help="code of the client organisation")
        parser.add_argument("name", nargs="?", help="name of the client system")
        parser.add_argument("--revoke", metavar="PREFIX", help="revoke the key with this prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["revoke"]:
            client = Open311Client.objects.filter(key_prefix=options["revoke"]).first()
            if client is None:
                raise CommandError("No client with that key prefix.")
            actions.revoke_client(client, actor=None)
            self.stdout.write(f"Revoked {client}.")
            return
        if not options["organisation"] or not options["name"]:
            raise CommandError("Give the organisation code and a name.")
        organisation = Organisation.objects.filter(code=options["organisation"]).first()
        if organisation is None:
            raise CommandError("No organisation with that code.")
        client, raw = actions.issue_client(organisation, name=options["name"], actor=None)
        self.stdout.write(f"Client {client.pk} ({client.name}). API key, shown only now:\n{raw}")
