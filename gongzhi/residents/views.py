"""Staff and resident pages: the household file ("一户一案"), the data-subject request queue,
sharing agreements and disclosures, police requests, imports and their review queue, and a
resident's own "my data" page. Every write goes through ``actions``; every read is scoped
(out of scope = 404) and every verb checked with the domain's policies (forbidden = 403)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gongzhi.access.queries import grants_with_permission
from gongzhi.core.errors import DomainError
from gongzhi.organisations.models import Organisation
from gongzhi.residents import actions, importer, uploads
from gongzhi.residents.choices import (
    AgreementStatus,
    RequestKind,
    RequestStatus,
    ReviewStatus,
    ShareableField,
)
from gongzhi.residents.models import (
    DataSubjectRequest,
    Disclosure,
    Household,
    ImportBatch,
    ImportProfile,
    ImportReview,
    PoliceRequest,
    Resident,
    SharingAgreement,
)
from gongzhi.residents.permissions import (
    DataSubjectRequestPolicy,
    ImportBatchPolicy,
    ImportReviewPolicy,
    PoliceRequestPolicy,
    ResidentPolicy,
    SharingAgreementPolicy,
    holds_at,
)
from gongzhi.residents.queries import Viewer, find_by_id_number, get_household_file, residents_for_sharing
from gongzhi.territory.choices import AreaLevel
from gongzhi.territory.models import Area

PAGE_SIZE = 50


def _scoped(model: Any, user: Any, pk: int, verb: str = "view") -> Any:
    obj = model.objects.restrict(user, verb).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _error(request: HttpRequest, err: DomainError) -> None:
    messages.error(request, f"{err.detail} ({err.code})")


@contextmanager
def _reported(request: HttpRequest, success: str) -> Iterator[None]:
    """Run the action in the block: a broken rule becomes an error message, else ``success``."""
    try:
        yield
    except DomainError as err:
        _error(request, err)
    else:
        messages.success(request, success)


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _holds(user: Any, perm: str) -> bool:
    return user.is_authenticated and bool(grants_with_permission(user, perm))


@login_required
def household_file(request: HttpRequest, pk: int) -> HttpResponse:
    household: Any = (
        Household.objects.restrict(request.user, "view").select_related("grid", "room").filter(pk=pk).first()
    )
    if household is None:
        raise Http404
    return render(request, "residents/household_file.html", {"file": get_household_file(household, request.user)})


# --- data-subject requests ----------------------------------------------------------------------


class CompleteForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), max_length=500, required=False, widget=forms.Textarea)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for refusal"), max_length=500, widget=forms.Textarea)


class OwnRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you ask for?"),
        choices=[(RequestKind.CORRECTION, _("Correct my data")), (RequestKind.DELETION, _("Delete my data"))],
        widget=forms.RadioSelect,
    )
    details = forms.CharField(label=_("Details"), max_length=2000, required=False, widget=forms.Textarea)


@login_required
def request_queue(request: HttpRequest) -> HttpResponse:
    """The queue, earliest deadline first; ``?status=`` and ``?overdue=1`` filter it."""
    user = request.user
    qs = DataSubjectRequest.objects.restrict(user, "view").select_related("resident").order_by("due_on", "id")
    status = request.GET.get("status", RequestStatus.OPEN)
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    today = timezone.localdate()
    overdue = bool(request.GET.get("overdue"))
    if overdue:
        qs = qs.filter(status=RequestStatus.OPEN, due_on__lt=today)
    page = _page(request, qs)
    viewer = Viewer.of(user)
    rows = [
        {"request": r, "who": r.resident.name if viewer.may_identify(r.resident) else r.resident.masked_label(),
         "overdue": r.status == RequestStatus.OPEN and r.due_on < today}
        for r in page
    ]  # fmt: skip
    return render(
        request,
        "residents/request_queue.html",
        {"rows": rows, "page": page, "status": status, "overdue": overdue, "statuses": RequestStatus.choices},
    )


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    data_request = _scoped(DataSubjectRequest, user, pk)
    resident = data_request.resident
    viewer = Viewer.of(user)
    return render(
        request,
        "residents/request_detail.html",
        {
            "req": data_request,
            "who": resident.name if viewer.may_identify(resident) else resident.masked_label(),
            "overdue": data_request.status == RequestStatus.OPEN and data_request.due_on < timezone.localdate(),
            "can_handle": DataSubjectRequestPolicy.can_handle(user, data_request),
            "can_export": ResidentPolicy.can_export(user, resident),
            "complete_form": CompleteForm(),
            "refuse_form": RefuseForm(),
            "is_deletion": data_request.kind == RequestKind.DELETION,
        },
    )


@login_required
@require_POST
def request_complete(request: HttpRequest, pk: int) -> HttpResponse:
    data_request = _scoped(DataSubjectRequest, request.user, pk)
    _require(DataSubjectRequestPolicy.can_handle(request.user, data_request))
    form = CompleteForm(request.POST)
    if form.is_valid():
        with _reported(request, gettext("The request was completed.")):
            actions.complete_data_request(data_request, actor=request.user, **form.cleaned_data)
    return redirect("residents:request_detail", pk=pk)


@login_required
@require_POST
def request_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    data_request = _scoped(DataSubjectRequest, request.user, pk)
    _require(DataSubjectRequestPolicy.can_handle(request.user, data_request))
    form = RefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("A refusal needs a reason."))
        return redirect("residents:request_detail", pk=pk)
    with _reported(request, gettext("The request was refused; the reason is on record.")):
        actions.refuse_data_request(data_request, actor=request.user, **form.cleaned_data)
    return redirect("residents:request_detail", pk=pk)


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """A resident's own page: download everything held (JSON, HTML, PDF) and ask for a
    correction or deletion."""
    resident = Resident.objects.filter(user=request.user).first()
    if resident is None:
        return render(request, "residents/my_data.html", {"resident": None})
    form = OwnRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with _reported(request, gettext("Your request was filed. We answer within 15 days.")):
            actions.submit_data_request(resident, actor=request.user, **form.cleaned_data)
            return redirect("residents:my_data")
    own = DataSubjectRequest.objects.filter(resident=resident).order_by("-created_at", "-id")[:20]
    return render(request, "residents/my_data.html", {"resident": resident, "form": form, "requests": own})


# --- sharing agreements ---------------------------------------------------------------------


class AgreementForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300)
    shared_fields = forms.MultipleChoiceField(
        label=_("Fields shared"), choices=ShareableField.choices, widget=forms.CheckboxSelectMultiple
    )
    areas = forms.ModelMultipleChoiceField(label=_("Areas"), queryset=Area.objects.none())
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["organisation"].queryset = Organisation.objects.order_by("name")
        paths = [g.area_path for g in grants_with_permission(user, "residents.add_sharingagreement")]
        areas = Area.objects.restrict(user, "view").order_by("path")
        fields["areas"].queryset = areas.filter(
            pk__in=[a.pk for a in areas if any(a.path.startswith(p) for p in paths)]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            self.add_error("valid_until", gettext("The agreement ends before it starts."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    qs = (
        SharingAgreement.objects.restrict(request.user, "view")
        .select_related("organisation")
        .order_by("-created_at", "-id")
    )
    page = _page(request, qs)
    return render(
        request,
        "residents/agreement_list.html",
        {
            "page": page,
            "can_add": _holds(request.user, "residents.add_sharingagreement"),
            "today": timezone.localdate(),
        },
    )


@login_required
def agreement_new(request: HttpRequest) -> HttpResponse:
    _require(_holds(request.user, "residents.add_sharingagreement"))
    form = AgreementForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["areas"] = list(data["areas"])
        data["fields"] = data.pop("shared_fields")
        _require(all(holds_at(request.user, "residents.add_sharingagreement", a.path) for a in data["areas"]))
        try:
            agreement = actions.create_agreement(actor=request.user, **data)
        except DomainError as err:
            _error(request, err)
        else:
            messages.success(request, gettext("The agreement was drafted; another official must approve it."))
            return redirect("residents:agreement_detail", pk=agreement.pk)
    return render(request, "residents/agreement_form.html", {"form": form})


@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    agreement = _scoped(SharingAgreement, user, pk)
    disclosures = (
        Disclosure.objects.filter(agreement=agreement).select_related("resident").order_by("-created_at", "-id")
        if holds_at(user, "residents.approve_sharingagreement", agreement.area_path)
        or SharingAgreementPolicy.can_use(user, agreement)
        else Disclosure.objects.none()
    )
    page = _page(request, disclosures)
    viewer = Viewer.of(user)
    log = [
        {"d": d, "who": d.resident.name if viewer.may_identify(d.resident) else d.resident.masked_label()} for d in page
    ]
    field_names = dict(ShareableField.choices)
    return render(
        request,
        "residents/agreement_detail.html",
        {
            "agreement": agreement,
            "fields": [field_names.get(f, f) for f in agreement.fields],
            "areas": agreement.areas.all(),
            "can_approve": SharingAgreementPolicy.can_approve(user, agreement) and agreement.created_by_id != user.pk,
            "can_revoke": SharingAgreementPolicy.can_revoke(user, agreement),
            "can_use": SharingAgreementPolicy.can_use(user, agreement),
            "is_valid": agreement.status == AgreementStatus.APPROVED
            and agreement.valid_from <= timezone.localdate() <= agreement.valid_until,
            "log": log,
            "page": page,
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def agreement_approve(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _scoped(SharingAgreement, request.user, pk)
    _require(SharingAgreementPolicy.can_approve(request.user, agreement) and agreement.created_by_id != request.user.pk)
    with _reported(request, gettext("The agreement was approved.")):
        actions.approve_agreement(agreement, actor=request.user)
    return redirect("residents:agreement_detail", pk=pk)


@login_required
@require_POST
def agreement_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _scoped(SharingAgreement, request.user, pk)
    _require(SharingAgreementPolicy.can_revoke(request.user, agreement))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Revoking needs a reason."))
        return redirect("residents:agreement_detail", pk=pk)
    with _reported(request, gettext("The agreement was revoked.")):
        actions.revoke_agreement(agreement, actor=request.user, **form.cleaned_data)
    return redirect("residents:agreement_detail", pk=pk)


# --- police requests --------------------------------------------------------------------------


class PoliceRequestForm(forms.Form):
    id_number = forms.CharField(label=_("ID number of the person"), max_length=24)
    document_number = forms.CharField(label=_("Document number"), max_length=64)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300)
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    requested_fields = forms.MultipleChoiceField(
        label=_("Fields requested"), choices=ShareableField.choices, widget=forms.CheckboxSelectMultiple
    )

    def clean_id_number(self) -> str:
        from gongzhi.privacy.validators import validate_id_number

        return validate_id_number(self.cleaned_data["id_number"])


@login_required
def police_list(request: HttpRequest) -> HttpResponse:
    qs = (
        PoliceRequest.objects.restrict(request.user, "view")
        .select_related("organisation")
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "residents/police_list.html",
        {"page": _page(request, qs), "can_add": _holds(request.user, "residents.add_policerequest")},
    )


@login_required
def police_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    grants = [g for g in grants_with_permission(user, "residents.add_policerequest") if g.organisation_id]
    _require(bool(grants))
    form = PoliceRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["fields"] = data.pop("requested_fields")
        grant = grants[0]
        paths = [g.area_path for g in grants if g.organisation_id == grant.organisation_id]
        resident = find_by_id_number(residents_for_sharing(paths), data.pop("id_number")).first()
        if resident is None:
            form.add_error("id_number", gettext("Nobody with this ID number lives in your station's area."))
        else:
            organisation = Organisation.objects.get(pk=grant.organisation_id)
            try:
                filed = actions.file_police_request(resident, organisation=organisation, actor=user, **data)
            except DomainError as err:
                _error(request, err)
            else:
                messages.success(request, gettext("The request was filed; it needs two approvals."))
                return redirect("residents:police_detail", pk=filed.pk)
    return render(request, "residents/police_form.html", {"form": form})


@login_required
def police_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    police_request = _scoped(PoliceRequest, user, pk)
    field_names = dict(ShareableField.choices)
    result = None
    can_use = PoliceRequestPolicy.can_use(user, police_request)
    if request.method == "POST":
        _require(can_use)
        try:
            result = actions.disclose_to_police(police_request, actor=user)
        except DomainError as err:
            _error(request, err)
    approvals = list(police_request.approvals.select_related("approver").order_by("approved_at"))
    return render(
        request,
        "residents/police_detail.html",
        {
            "pr": police_request,
            "fields": [field_names.get(f, f) for f in police_request.fields],
            "approvals": approvals,
            "can_approve": PoliceRequestPolicy.can_approve(user, police_request)
            and police_request.requested_by_id != user.pk
            and all(a.approver_id != user.pk for a in approvals),
            "can_use": can_use,
            "result": [(field_names.get(k, k), v) for k, v in result.items()] if isinstance(result, dict) else None,
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def police_approve(request: HttpRequest, pk: int) -> HttpResponse:
    police_request = _scoped(PoliceRequest, request.user, pk)
    _require(PoliceRequestPolicy.can_approve(request.user, police_request))
    with _reported(request, gettext("Your approval was recorded.")):
        actions.approve_police_request(police_request, actor=request.user)
    return redirect("residents:police_detail", pk=pk)


@login_required
@require_POST
def police_reject(request: HttpRequest, pk: int) -> HttpResponse:
    police_request = _scoped(PoliceRequest, request.user, pk)
    _require(PoliceRequestPolicy.can_approve(request.user, police_request))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Rejecting needs a reason."))
        return redirect("residents:police_detail", pk=pk)
    with _reported(request, gettext("The request was rejected.")):
        actions.reject_police_request(police_request, actor=request.user, **form.cleaned_data)
    return redirect("residents:police_detail", pk=pk)


# --- imports ------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (.csv or .xlsx)"),
        help_text=_("CSV saved as UTF-8, or an Excel .xlsx; at most %(mb)s MB. The import runs in the background."),
    )
    profile = forms.ModelChoiceField(label=_("Column mapping profile"), queryset=ImportProfile.objects.none())
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=Area.objects.none())
    dry_run = forms.BooleanField(label=_("Dry run: check only, write nothing"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["file"].help_text = fields["file"].help_text % {"mb": settings.GONGZHI_IMPORT_MAX_UPLOAD_MB}
        fields["profile"].queryset = ImportProfile.objects.restrict(user, "view").order_by("name")
        paths = [g.area_path for g in grants_with_permission(user, "residents.add_importbatch")]
        grids = Area.objects.restrict(user, "view").filter(level=AreaLevel.GRID).order_by("path")
        fields["grid"].queryset = grids.filter(pk__in=[a.pk for a in grids if any(a.path.startswith(p) for p in paths)])

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        uploads.check_upload(upload)  # type, size limit, content (a ValidationError for the field)
        return upload


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_add = _holds(user, "residents.add_importbatch")
    form = UploadForm(request.POST or None, request.FILES or None, user=user) if can_add else None
    if request.method == "POST":
        _require(can_add)
        assert form is not None
        if form.is_valid():
            data = form.cleaned_data
            _require(ImportBatchPolicy.can_add_at(user, data["grid"].path))
            try:
                batch = importer.submit_import(
                    data["profile"], data["file"], grid=data["grid"], actor=user, dry_run=data["dry_run"]
                )
            except DomainError as err:
                _error(request, err)
            else:
                # The file waits encrypted in private storage; a worker runs it (see tasks.run_import).
                return redirect("residents:import_detail", pk=batch.pk)
    qs = ImportBatch.objects.restrict(user, "view").select_related("profile", "grid").order_by("-created_at", "-id")
    pending = ImportReview.objects.restrict(user, "view").filter(status=ReviewStatus.PENDING).count()
    return render(request, "residents/import_list.html", {"page": _page(request, qs), "form": form, "pending": pending})


def _progress_context(user: Any, batch: ImportBatch) -> dict[str, Any]:
    return {
        "batch": batch,
        "progress": importer.progress_of(batch),
        "active": batch.is_active,
        "can_cancel": ImportBatchPolicy.can_cancel(user, batch),
        "poll_seconds": IMPORT_REFRESH_SECONDS,
    }


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    batch = _scoped(ImportBatch, user, pk)
    errors = batch.errors.order_by("row_number", "id")[:20]
    return render(
        request,
        "residents/import_detail.html",
        {
            **_progress_context(user, batch),
            "errors": errors,
            "can_rollback": ImportBatchPolicy.can_rollback(user, batch),
            "can_resume": ImportBatchPolicy.can_resume(user, batch),
            "is_dry_run": batch.dry_run,
            "running": batch.is_active,
            "refresh_seconds": IMPORT_REFRESH_SECONDS,
        },
    )


#: Seconds between two polls of an import page's progress while the import is queued or runs.
IMPORT_REFRESH_SECONDS = 2


@login_required
def import_progress_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel of an import page, polled by htmx while the set is queued or running.
    Once the set stops it answers ``HX-Refresh`` so the page reloads once (counts, error table
    and buttons of the finished set) and polling ends."""
    batch = _scoped(ImportBatch, request.user, pk)
    response = render(request, "residents/_import_progress.html", _progress_context(request.user, batch))
    if not batch.is_active and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
def import_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The running counts of one import set, for polling (same scope as the import page)."""
    batch = _scoped(ImportBatch, request.user, pk)
    return JsonResponse(
        {
            "id": batch.pk,
            "status": batch.status,
            "dry_run": batch.dry_run,
            "running": batch.is_active,
            "rows_done": batch.rows_done,
            "rows_created": batch.rows_created,
            "rows_updated": batch.rows_updated,
            "rows_review": batch.rows_review,
            "rows_error": batch.rows_error,
            "failure": batch.failure,
            **importer.progress_of(batch),
        }
    )


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    from gongzhi.residents.importer import write_error_report

    batch = _scoped(ImportBatch, request.user, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.csv"'
    response.write("\ufeff")
    write_error_report(batch, response)
    return response


@login_required
@require_POST
def import_rollback(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _scoped(ImportBatch, request.user, pk)
    _require(ImportBatchPolicy.can_rollback(request.user, batch))
    with _reported(request, gettext("The import set was rolled back.")):
        actions.rollback_import(batch, actor=request.user)
    return redirect("residents:import_detail", pk=pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _scoped(ImportBatch, request.user, pk)
    _require(ImportBatchPolicy.can_cancel(request.user, batch))
    with _reported(request, gettext("The import was cancelled. What it had already written stays until a rollback.")):
        actions.cancel_import(batch, actor=request.user)
    return redirect("residents:import_detail", pk=pk)


@login_required
@require_POST
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _scoped(ImportBatch, request.user, pk)
    _require(ImportBatchPolicy.can_resume(request.user, batch))
    with _reported(request, gettext("The import is queued again; it continues after the last row it wrote.")):
        actions.resume_import(batch, actor=request.user)
    return redirect("residents:import_detail", pk=pk)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    import json

    user = request.user
    qs: QuerySet[ImportReview] = (
        ImportReview.objects.restrict(user, "view")
        .filter(status=ReviewStatus.PENDING)
        .select_related("batch", "candidate")
        .prefetch_related(Prefetch("candidate__memberships"))
        .order_by("batch_id", "row_number")
    )
    page = _page(request, qs)
    viewer = Viewer.of(user)
    rows = []
    for review in page:
        incoming = json.loads(review.incoming or "{}")
        candidate = review.candidate
        rows.append(
            {
                "review": review,
                "incoming_name": incoming.get("name", ""),
                "incoming_born": incoming.get("date_of_birth", ""),
                "incoming_address": incoming.get("address", ""),
                "candidate": candidate.name if viewer.may_identify(candidate) else candidate.masked_label(),
                "can_resolve": ImportReviewPolicy.can_resolve(user, review),
            }
        )
    return render(request, "residents/review_queue.html", {"rows": rows, "page": page, "decisions": ReviewStatus})


@login_required
@require_POST
def review_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    review = _scoped(ImportReview, request.user, pk)
    _require(ImportReviewPolicy.can_resolve(request.user, review))
    decision = request.POST.get("decision", "")
    if decision not in (ReviewStatus.MERGED, ReviewStatus.CREATED, ReviewStatus.DISMISSED):
        messages.error(request, gettext("Choose merge, new person or dismiss."))
    else:
        with _reported(request, gettext("Decided.")):
            actions.resolve_review(review, actor=request.user, decision=decision)
    return redirect(reverse("residents:review_queue"))
