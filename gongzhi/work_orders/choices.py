"""Enums of the work-order domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderType(models.TextChoices):
    ENQUIRY = "enquiry", _("Enquiry")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    REPORT = "report", _("Problem report")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    WEB = "web", _("Resident web / app")
    PHONE = "phone", _("Phone call (staff entry)")
    WALK_IN = "walk_in", _("Walk-in (staff entry)")
    GRID_PATROL = "grid_patrol", _("Grid worker patrol")
    OPEN311 = "open311", _("Open311")
    INTERNAL = "internal", _("Internal interface (IoT, 12345)")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DISPATCHED = "dispatched", _("Dispatched")
    SIGNED = "signed", _("Signed for")
    RETURNED = "returned", _("Returned")
    IN_PROGRESS = "in_progress", _("In progress")
    REPLIED = "replied", _("Replied")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    MERGED = "merged", _("Merged")


#: States in which nothing more happens to the order.
TERMINAL = frozenset({Status.REJECTED, Status.CLOSED, Status.MERGED})
#: Waiting for a dispatcher (受理/派单).
TO_DISPATCH = frozenset({Status.ACCEPTED, Status.RETURNED, Status.REOPENED})
#: With a handling unit, before its reply.
WITH_UNIT = frozenset({Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS})
OPEN = frozenset(set(Status) - TERMINAL)


class SupervisionLevel(models.IntegerChoices):
    NONE = 0, _("None")
    REMINDER = 1, _("Reminder")
    SUPERVISION = 2, _("Supervision")
    PUBLIC_LISTING = 3, _("Public listing")


class DeadlineStage(models.TextChoices):
    SIGN = "sign", _("Sign for")
    CONTACT = "contact", _("First contact")
    REPLY = "reply", _("Reply")
    FOLLOW_UP = "follow_up", _("Follow-up")


class DurationUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    WORKING_HOURS = "working_hours", _("working hours")
    HOURS = "hours", _("hours")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead unit")
    ASSIST = "assist", _("Assisting unit")


class ExtensionStatus(models.TextChoices):
    NONE = "", _("None")
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class EventKind(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    ACCEPT = "accept", _("Accepted")
    REJECT = "reject", _("Rejected")
    DISPATCH = "dispatch", _("Dispatched")
    SIGN = "sign", _("Signed for")
    RETURN = "return", _("Returned")
    CONTACT = "contact", _("Resident contacted")
    START = "start", _("Handling started")
    REPLY = "reply", _("Replied")
    FOLLOW_UP = "follow_up", _("Followed up")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")
    MERGE = "merge", _("Merged")
    TRANSFER = "transfer", _("Transferred")
    REQUEST_EXTENSION = "request_extension", _("Extension requested")
    APPROVE_EXTENSION = "approve_extension", _("Extension approved")
    DENY_EXTENSION = "deny_extension", _("Extension denied")
    SUPERVISE = "supervise", _("Supervision raised")
    HOLD = "hold", _("Put on hold")
    RESUME = "resume", _("Resumed")
    RATE = "rate", _("Rated")
    REVIEW = "review", _("Dissatisfaction reviewed")
    ATTACH = "attach", _("Attachment added")
    ESCALATE = "escalate", _("Escalated by the deadline job")
    FLAG_URGENT = "flag_urgent", _("Flagged urgent")


class NotificationKind(models.TextChoices):
    STATUS = "status", _("Status change")
    DISPATCHED = "dispatched", _("New order for your unit")
    REMINDER = "reminder", _("Deadline reminder")
    SUPERVISION = "supervision", _("Supervision")
    PUBLIC_LISTING = "public_listing", _("Public listing")
