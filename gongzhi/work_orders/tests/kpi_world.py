"""The hand-built KPI fixture shared by the KPI tests (see ``kpi_world``'s table)."""

import datetime as dt
from zoneinfo import ZoneInfo

from gongzhi.work_orders import kpi_facts, kpis
from gongzhi.work_orders.choices import AssignmentRole, OrderType, Satisfaction, Status
from gongzhi.work_orders.models import Assignment, Rating, WorkOrder
from gongzhi.work_orders.tests import factories

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=SH)
NOVEMBER = kpis.parse_period("2026-11")


def at(day, hour=10, minute=0, month=11):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def make(world, title, *, area=None, unit=None, **fields):
    area = area or world.g1
    order = WorkOrder.objects.create(
        order_type=OrderType.REPORT,
        title=title,
        description="…",
        area=area,
        area_path=area.path,
        lead_organisation=world.orgs[unit] if unit else None,
        contact_phone="13900000000",
        **fields,
    )
    if unit:
        Assignment.objects.create(
            order=order, organisation=world.orgs[unit], role=AssignmentRole.LEAD, assigned_at=fields["dispatched_at"]
        )
    return order


def rate(order, satisfaction, resolved, round_=0):
    Rating.objects.create(order=order, round=round_, satisfaction=satisfaction, resolved=resolved)


def build_kpi_world(world):
    """Unit A = housing bureau, unit B = property company; November 2026; now = Nov 28 12:00.

    o1  g1 A: signed, contacted (120 min) and replied (1620 min) on time; satisfied;
        follow-up resolved; closed; a repeat (resident_c1's o11 closed Oct 20).
    o2  g1 A: signed, contacted (1440 min) and replied (4000 min) late; basically
        satisfied, unresolved; one extension; returned by B before A got it.
    o3  g1 A: signed on time; no contact and the contact deadline passed; reply not due.
    o4  g1 A: on time (60 / 900 min); unrated after the window; follow-up resolved; closed.
    o5  g1 A: not signed, sign and contact deadlines passed; reply not due (overdue list).
    o6  g1 B: on time (30 min), replied; dissatisfied, unresolved; reopened and back in
        progress with B, reply deadline Nov 20 passed (overdue list).
    o7  g4 A: on time (240 / 2000 min); satisfied; closed; a repeat (o12, category X,
        about 75 m away, closed Oct 25).
    o8 submitted, o9 rejected (count as cases only); o10 merged (excluded);
    o11, o12 in October; o13 submitted Dec 1 00:10 local (outside November).
    """
    x = factories.category("KX", "占道经营")
    y = factories.category("KY", "噪音扰民")
    point = {"lat": "22.540000", "lng": "113.950000"}
    o = {}
    o["o11"] = make(
        world,
        "o11",
        submitted_at=at(15, month=10),
        status=Status.CLOSED,
        closed_at=at(20, month=10),
        submitter=world.resident_c1,
    )
    o["o12"] = make(
        world,
        "o12",
        submitted_at=at(1, month=10),
        status=Status.CLOSED,
        closed_at=at(25, month=10),
        category=x,
        **point,
    )
    o["o1"] = make(
        world,
        "o1",
        unit="housing_bureau",
        submitter=world.resident_c1,
        submitted_at=at(2, 9),
        status=Status.CLOSED,
        dispatched_at=at(2),
        sign_due=at(3),
        signed_at=at(2, 11),
        contact_due=at(3),
        first_contact_at=at(2, 12),
        response_minutes=120,
        reply_due=at(9),
        replied_at=at(5),
        handling_minutes=1620,
        rating_due=at(8),
        followed_up_at=at(6),
        follow_up_resolved=True,
        closed_at=at(6, 11),
    )
    rate(o["o1"], Satisfaction.SATISFIED, True)
    o["o2"] = make(
        world,
        "o2",
        unit="housing_bureau",
        category=x,
        lat="22.541000",  # 111 m north of the point P: outside the 100 m box
        lng="113.950000",
        submitted_at=at(3, 9),
        status=Status.REPLIED,
        dispatched_at=at(3),
        sign_due=at(4),
        signed_at=at(4, 15),
        contact_due=at(4),
        first_contact_at=at(5),
        response_minutes=1440,
        reply_due=at(10),
        replied_at=at(12),
        handling_minutes=4000,
        rating_due=at(15),
        extension_count=1,
        return_count=1,
    )
    rate(o["o2"], Satisfaction.BASICALLY_SATISFIED, False)
    Assignment.objects.create(
        order=o["o2"],
        organisation=world.orgs["property_c1"],
        role=AssignmentRole.LEAD,
        assigned_at=at(2, 15),
        ended_at=at(2, 16),
        end_reason="returned",
    )
    o["o3"] = make(
        world,
        "o3",
        unit="housing_bureau",
        submitted_at=at(20, 9),
        status=Status.SIGNED,
        dispatched_at=at(20),
        sign_due=at(21),
        signed_at=at(20, 15),
        contact_due=at(21),
        reply_due=at(4, month=12),
    )
    o["o4"] = make(
        world,
        "o4",
        unit="housing_bureau",
        category=y,  # at the point P, but another category: not a repeat
        **point,
        submitted_at=at(10, 9),
        status=Status.CLOSED,
        dispatched_at=at(10),
        sign_due=at(11),
        signed_at=at(10, 11),
        contact_due=at(11),
        first_contact_at=at(10, 11),
        response_minutes=60,
        reply_due=at(17),
        replied_at=at(12),
        handling_minutes=900,
        rating_due=at(15),
        followed_up_at=at(14),
        follow_up_resolved=True,
        closed_at=at(14, 11),
    )
    o["o5"] = make(
        world,
        "o5",
        unit="housing_bureau",
        submitted_at=at(25, 9),
        status=Status.DISPATCHED,
        dispatched_at=at(25),
        sign_due=at(26),
        contact_due=at(26),
        reply_due=at(2, month=12),
    )
    o["o6"] = make(
        world,
        "o6",
        unit="property_c1",
        submitted_at=at(5, 9),
        status=Status.IN_PROGRESS,
        dispatched_at=at(13),
        sign_due=at(14),
        signed_at=at(13, 11),
        contact_due=at(14),
        first_contact_at=at(13, 10, 30),
        response_minutes=30,
        reply_due=at(20),
        replied_at=at(6),
        rating_due=at(9),
        reopen_count=1,
        dispatch_count=2,
    )
    rate(o["o6"], Satisfaction.DISSATISFIED, False)
    o["o7"] = make(
        world,
        "o7",
        area=world.g4,
        unit="housing_bureau",
        category=x,
        lat="22.540500",  # 56 m north and 51 m east of P: inside the box
        lng="113.950500",
        submitted_at=at(4, 9),
        status=Status.CLOSED,
        dispatched_at=at(4),
        sign_due=at(5),
        signed_at=at(4, 11),
        contact_due=at(5),
        first_contact_at=at(4, 14),
        response_minutes=240,
        reply_due=at(11),
        replied_at=at(7),
        handling_minutes=2000,
        rating_due=at(10),
        closed_at=at(8),
    )
    rate(o["o7"], Satisfaction.SATISFIED, True)
    o["o8"] = make(world, "o8", submitted_at=at(3, 23, 30), status=Status.SUBMITTED)
    o["o9"] = make(world, "o9", submitted_at=at(3, 0, 30), status=Status.REJECTED, rejected_at=at(3, 12))
    o["o10"] = make(world, "o10", submitted_at=at(6), status=Status.MERGED, master=o["o1"], merged_at=at(6, 11))
    o["o13"] = make(world, "o13", submitted_at=at(1, 0, 10, month=12), status=Status.SUBMITTED)
    kpis.mark_repeats(WorkOrder.objects.all())  # what submit_work_order does for each new order
    kpi_facts.rebuild()  # the orders were written without the actions, as an import would
    return o
