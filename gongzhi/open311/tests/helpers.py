"""Shared set-up for the Open311 tests: services, a client key, public and private
requests, and the GeoReport JSON Schemas from ../shared/reference/open311/."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from gongzhi.open311 import actions
from gongzhi.territory.models import Area
from gongzhi.testing.shared import shared_dir
from gongzhi.testing.world import World
from gongzhi.work_orders import actions as wo_actions
from gongzhi.work_orders.tests import factories

BASE = "/open311/v2"
SCHEMA_DIR = shared_dir() / "reference" / "open311"
W3C_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
POINT_G1 = (Decimal("22.540000"), Decimal("113.950000"))
# Chinese punctuation is what residents really type.
PRIVATE_TEXT = "3栋楼下占道摆摊，联系13812345678，身份证440305199001011234，邮箱li@example.com"


def _schemas() -> dict[str, Any]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMA_DIR.glob("*.json")}


def validator(name: str) -> jsonschema.Draft4Validator:
    """A validator for one of the reference schemas, its $refs resolved among them."""
    schemas = _schemas()
    registry = Registry().with_resources(
        (file, Resource.from_contents(schema, default_specification=DRAFT4)) for file, schema in schemas.items()
    )
    return jsonschema.Draft4Validator(schemas[name], registry=registry)


def assert_valid(name: str, payload: Any) -> None:
    errors = list(validator(name).iter_errors(payload))
    assert not errors, [e.message for e in errors]
    rows = payload if isinstance(payload, list) else [payload]
    for row in rows:
        for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
            if isinstance(row, dict) and row.get(key) is not None:
                assert W3C_LOCAL.match(row[key]), row[key]


def services(world: World) -> dict[str, Any]:
    """A three-node tree: 01 市容环境 → 0101 占道经营, 0102 路灯损坏 (the two leaves are services)."""
    root = factories.category("01", "市容环境")
    return {
        "root": root,
        "street_vending": factories.category("0101", "占道经营", parent=root),
        "street_light": factories.category("0102", "路灯损坏", parent=root),
    }


def client_key(world: World) -> tuple[Any, str]:
    Area.objects.filter(pk=world.g1.pk).update(centre_lat=POINT_G1[0], centre_lng=POINT_G1[1])
    return actions.issue_client(world.orgs["committee_c1"], name="市民通App", actor=None)


def requests(world: World, svc: dict[str, Any]) -> dict[str, Any]:
    """One public open request, one public closed one, one private one."""
    public_open = factories.submitted(
        world,
        category=svc["street_vending"],
        description=PRIVATE_TEXT,
        is_public=True,
        lat="22.540123",
        lng="113.950456",
    )
    closed = factories.replied(world, category=svc["street_light"], is_public=True)
    closed = wo_actions.close_work_order(closed, actor=world.community_worker_c1)
    private = factories.submitted(world, category=svc["street_vending"], is_public=False)
    return {"open": public_open, "closed": closed, "private": private}


def parse_xml(content: bytes) -> ET.Element:
    """Parse one of our own test server's XML responses."""
    return ET.fromstring(content)  # noqa: S314  (our own output, in tests)
