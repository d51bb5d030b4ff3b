"""Every write of the Open311 interface: issuing and revoking client keys, and filing a
request, which goes through the work-order submit action (channel ``open311``)."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gongzhi.audit.actions import record_change
from gongzhi.audit.decorators import action
from gongzhi.audit.snapshot import snapshot
from gongzhi.open311.keys import new_key
from gongzhi.open311.models import Open311Client, ServiceRequestToken
from gongzhi.organisations.models import MatterCategory, Organisation
from gongzhi.territory.models import Area
from gongzhi.work_orders import actions as work_order_actions
from gongzhi.work_orders.choices import Channel, OrderType, Urgency


@action
def issue_client(organisation: Organisation, *, name: str, actor: Any) -> tuple[Open311Client, str]:
    """A new client with its API key; the raw key is returned once and never stored."""
    raw, prefix, hashed = new_key()
    client = Open311Client.objects.create(
        name=name.strip()[:120], organisation=organisation, key_prefix=prefix, key_hash=hashed
    )
    record_change(client, verb="issue_open311_client", actor=actor)
    return client, raw


@action
def revoke_client(client: Open311Client, *, actor: Any) -> Open311Client:
    before = snapshot(client)
    client.is_active = False
    client.save(update_fields=["is_active", "updated_at"])
    record_change(client, verb="revoke_open311_client", actor=actor, before=before)
    return client


@action
def submit_service_request(
    client: Open311Client,
    *,
    service: MatterCategory,
    area: Area,
    description: str,
    phone: str,
    name: str = "",
    address: str = "",
    lat: Decimal | None = None,
    lng: Decimal | None = None,
    urgency: Urgency | str = Urgency.NORMAL,
    is_public: bool = False,
    is_anonymous: bool = False,
    external_id: str = "",
) -> ServiceRequestToken:
    """File a request for a client: the work order is created by ``submit_work_order``
    (its own change record); this action records the client and the token."""
    order = work_order_actions.submit_work_order(
        actor=None,
        order_type=OrderType.REPORT,
        channel=Channel.OPEN311,
        area=area,
        category=service,
        urgency=urgency,
        title=description.strip().splitlines()[0][:120] if description.strip() else service.name,
        description=description,
        address=address[:200],
        lat=lat,
        lng=lng,
        contact_name=name[:64],
        contact_phone=phone[:32],
        is_public=is_public,
        is_anonymous=is_anonymous,
        external_id=external_id[:64],
    )
    token = ServiceRequestToken.objects.create(token=secrets.token_hex(16), client=client, order=order)
    Open311Client.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    record_change(token, verb="open311_submit", actor=None, after={"client": client.pk, "order": order.pk})
    return token
