"""The labour office's registry of registered unemployed on the desk (Kontraktor, issue 17): the
office's contract managers upload Syriusz exports (stored and imported in the background by the
work queue, ``registry.queue``), follow an import's progress and read the result with its rejected
rows (also as a formula-safe CSV), and search the registered people. Reading a person is logged."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from okienko.accounts.models import Organisation
from okienko.contracting.registry import access, importer, mappers, retention, validation
from okienko.contracting.registry.models import ImportBatch, RegisteredPerson, Status
from okienko.core import audit, uploads
from okienko.core.csvstream import Echo
from okienko.core.models import AuditRecord

PER_PAGE = 50
REJECTIONS_SHOWN = 500
MAX_QUERY = 100


def upload_max_bytes() -> int:
    """The largest export the desk accepts (bigger ones: ``okienko import_registry``)."""
    return int(getattr(settings, "CONTRACTING_REGISTRY_UPLOAD_MAX_BYTES", 64 * 1024 * 1024))


def _require(request: HttpRequest) -> list[Organisation]:
    if not access.may_use(request.user):
        raise PermissionDenied(access.PERM)
    labour_offices = [Organisation.Kind.COUNTY_OFFICE, Organisation.Kind.REGION_OFFICE]
    return list(access.offices(request.user).filter(kind__in=labour_offices).order_by("name")[:200])


def _search(people: QuerySet[RegisteredPerson], query: str) -> QuerySet[RegisteredPerson]:
    """A PESEL (11 digits), a Syriusz id, or words of a name (each word starts a first or last name)."""
    if query.isdigit() and len(query) == 11:
        return people.filter(pesel=query)
    by_id = Q(registry_id__iexact=query)
    words = query.split()[:4]
    by_name = Q()
    for word in words:
        by_name &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
    return people.filter(by_id | by_name) if words else people.filter(by_id)


@login_required
@require_GET
def people_view(request: HttpRequest) -> HttpResponse:
    offices = _require(request)
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY]
    office_code = request.GET.get("office", "")[:60]
    people = access.people(request.user).select_related("office")
    chosen = next((o for o in offices if o.code == office_code), None)
    if chosen is not None:
        people = people.filter(office=chosen)
    if query:
        people = _search(people, query)
        audit.record(
            "contracting_registry.searched",
            actor=request.user,
            obj=chosen,
            organisation_id=chosen.pk if chosen else None,
            data={"query": query},
            kind=AuditRecord.Kind.ACCESS,
        )
    page = Paginator(people.order_by("last_name", "first_name", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "desk/registry/people.html",
        {"page": page, "query": query, "offices": offices, "chosen": chosen, "params": params.urlencode()},
    )


@login_required
@require_GET
def person_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A person of the user's offices (the read is logged); anyone else's is answered as missing
    and the attempt logged as a security event."""
    person = access.person(request.user, pk)
    if person is None:
        raise Http404("person")
    occupations = [
        {**item, "name": validation.occupation_name(str(item.get("code", "")), str(item.get("edition", "")))}
        for item in person.occupations
    ]
    return render(
        request,
        "desk/registry/person.html",
        {"person": person, "occupations": occupations, "status_label": Status(person.status).label},
    )


@login_required
@require_http_methods(["GET", "POST"])
def imports_view(request: HttpRequest) -> HttpResponse:
    offices = _require(request)
    if request.method == "POST":
        return _upload(request, offices)
    batches = access.batches(request.user).select_related("office", "created_by")[:100]
    return render(
        request,
        "desk/registry/imports.html",
        {"batches": batches, "offices": offices, "mappers": mappers.choices(), "max_bytes": upload_max_bytes()},
    )


def _upload(request: HttpRequest, offices: list[Organisation]) -> HttpResponse:
    office = next((o for o in offices if o.code == request.POST.get("office", "")[:60]), None)
    mapper = request.POST.get("mapper", "")[:40]
    sent = request.FILES.get("file")
    problem = ""
    if office is None or not access.may_import(request.user, office):
        problem = _("Choose one of your offices.")
    elif mappers.get(mapper) is None:
        problem = _("Choose the format of the export.")
    elif sent is None:
        problem = _("Choose the export file.")
    elif sent.size is not None and sent.size > upload_max_bytes():
        problem = uploads.too_large_message(upload_max_bytes())
    if problem or office is None or sent is None:
        messages.error(request, problem)
        return redirect("desk:registry_imports")
    try:
        batch = importer.enqueue(
            office=office,
            upload=sent,
            name=sent.name or "export",
            mapper_name=mapper,
            actor=request.user,
            max_bytes=upload_max_bytes(),
            language=getattr(request, "LANGUAGE_CODE", "") or "",
        )
    except importer.ImportRefused as refused:
        messages.error(request, refused.message)
        return redirect("desk:registry_imports")
    messages.success(request, _("The export is queued for import; this page shows how far it got."))
    return redirect("desk:registry_import", pk=batch.pk)


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    batch = access.batches(request.user).select_related("office", "created_by").filter(pk=pk).first()
    if batch is None:
        raise Http404("import")
    return batch


@login_required
@require_GET
def import_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch's report; while it is queued or running, its progress, which the page polls (htmx
    asks for the progress alone and is told to reload the page once the import has ended)."""
    _require(request)
    batch = _batch(request, pk)
    if request.headers.get("HX-Request") and request.GET.get("part") == "progress":
        if batch.finished:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "desk/registry/_progress.html", {"batch": batch})
    rejections = list(batch.rejections.order_by("row", "pk")[: REJECTIONS_SHOWN + 1]) if batch.finished else []
    return render(
        request,
        "desk/registry/import.html",
        {
            "batch": batch,
            "rejections": rejections[:REJECTIONS_SHOWN],
            "more": len(rejections) > REJECTIONS_SHOWN,
            "shown": REJECTIONS_SHOWN,
            "retention_days": retention.retention_days(),
        },
    )


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting with = + - @, a tab or CR gets a leading
    apostrophe (OWASP's advice against CSV injection)."""
    return "'" + value if value[:1] in validation.FORMULA_STARTS else value


def _csv_lines(batch: ImportBatch) -> Iterator[str]:
    writer: Any = csv.writer(Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff"
    yield writer.writerow([_("row"), _("Syriusz id"), _("field"), _("value"), _("reason")])
    for rejection in importer.rejected_rows(batch):
        yield writer.writerow(
            [
                rejection.row,
                spreadsheet_safe(rejection.registry_id),
                spreadsheet_safe(rejection.field),
                spreadsheet_safe(rejection.value),
                spreadsheet_safe(rejection.reason),
            ]
        )


@login_required
@require_GET
def rejections_csv_view(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    _require(request)
    batch = _batch(request, pk)
    audit.record(
        "contracting_registry.rejections_downloaded",
        actor=request.user,
        obj=batch,
        organisation_id=batch.office_id,
        kind=AuditRecord.Kind.ACCESS,
    )
    response = StreamingHttpResponse(_csv_lines(batch), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="odrzucone-{batch.pk}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
