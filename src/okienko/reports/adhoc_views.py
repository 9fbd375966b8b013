"""The desk's ad hoc report builder (issue 20, item 5; ADR 0069) under ``/desk/reports/builder/``.

Every page asks ``reports.view`` somewhere and runs a definition in the reader's own scope
(``_scope``), whatever report it came from. A definition arrives in the query string (the builder's
GET form), is checked by ``adhoc.parse`` and answers 400 with every reason when it is outside the
whitelist. Saved reports are the owner's or shared with the owner's organisation; exports are
streamed (any size) or, for large sets, prepared in the background for the person who asked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.accounts import access
from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Perm
from okienko.core import audit, clock
from okienko.core.choices import Channel
from okienko.reports import adhoc, adhoc_exports
from okienko.reports.adhoc_models import ExportJob, SavedReport

PAGE = 50
NAME_MAX = 200


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _scope(request: HttpRequest) -> list[int]:
    scope = list(access.organisations_with(request.user, Perm.REPORTS_VIEW).values_list("pk", flat=True))
    if not scope:
        raise PermissionDenied
    return scope


def _visible(request: HttpRequest, scope: list[int]) -> QuerySet[SavedReport]:
    """The reader's own reports and those shared with an organisation in their scope."""
    return SavedReport.objects.filter(
        Q(owner=_user(request)) | Q(shared=SavedReport.Sharing.ORGANISATION, organisation_id__in=scope)
    ).select_related("owner", "organisation")


MAX_ID = 2**62  # a larger id cannot exist (and would overflow the database's integer)


def _report(request: HttpRequest, scope: list[int], pk: int, *, own: bool = False) -> SavedReport:
    if not 0 < pk < MAX_ID:
        raise Http404("report")
    found = _visible(request, scope).filter(pk=pk)
    if own:
        found = found.filter(owner=_user(request))
    report = found.first()
    if report is None:
        raise Http404("report")
    return report


def definition_data(query: QueryDict) -> dict[str, Any]:
    """A definition's JSON from the builder's form fields (GET or POST)."""
    source = query.get("source", "") or "cases"
    data: dict[str, Any] = {
        "source": source,
        "since": query.get("since", ""),
        "until": query.get("until", ""),
        "filters": {key: query.get(key, "") for key in adhoc.FILTER_LABELS if query.get(key)},
        "fields": [v for v in query.getlist("fields") if v],
        "group_by": [v for v in query.getlist("group") if v],
        "measures": [v for v in query.getlist("measures") if v],
    }
    shown = query.get("shown", "")
    if shown and shown != source:
        # The source was switched: what was chosen belonged to the other source.
        data.update(fields=[], group_by=[], measures=[])
        spec = adhoc.SOURCES.get(source)
        data["filters"] = {k: v for k, v in data["filters"].items() if spec is None or k in spec.filters}
    return data


def hidden_fields(definition: adhoc.Definition) -> list[tuple[str, str]]:
    """The definition as form fields (the save and background-export forms repeat it)."""
    pairs: list[tuple[str, str]] = [
        ("source", definition.source),
        ("since", definition.since.isoformat()),
        ("until", definition.until.isoformat()),
    ]
    pairs += list(definition.filters.items())
    pairs += [("fields", f) for f in definition.fields]
    pairs += [("group", g) for g in definition.group_by]
    pairs += [("measures", m) for m in definition.measures]
    return pairs


def query_of(definition: adhoc.Definition) -> str:
    return urlencode(hidden_fields(definition))


def _month() -> tuple[dt.date, dt.date]:
    today = clock.now().astimezone(clock.WARSAW).date()
    return today.replace(day=1), today


def _form_context(data: dict[str, Any], offices: list[tuple[str, str]]) -> dict[str, Any]:
    spec = adhoc.SOURCES.get(data.get("source", ""), adhoc.CASES)
    since, until = _month()
    filters = data.get("filters") or {}
    return {
        "sources": [(s.name, s.label) for s in adhoc.SOURCES.values()],
        "spec": spec,
        "chosen": {
            "source": spec.name,
            "since": data.get("since") or since.isoformat(),
            "until": data.get("until") or until.isoformat(),
            "fields": data.get("fields") or list(spec.default_fields),
            "group": [*(data.get("group_by") or []), "", ""][:2],
            "measures": data.get("measures") or [next(iter(spec.measures))],
        },
        "field_choices": [(name, label) for name, (label, _expr) in spec.fields.items()],
        "dimension_choices": [(name, label) for name, (label, _expr) in spec.dimensions.items()],
        "measure_choices": [(name, m.label) for name, m in spec.measures.items()],
        "filter_inputs": [
            (name, adhoc.FILTER_LABELS[name], str(filters.get(name, "")))
            for name in spec.filters
            if name not in ("status", "channel", "organisation", "unit")
        ],
        "office_filters": [
            (name, adhoc.FILTER_LABELS[name], str(filters.get(name, "")))
            for name in spec.filters
            if name in ("organisation", "unit")
        ],
        "offices": offices,
        "status_filter": "status" in spec.filters,
        "channel_filter": "channel" in spec.filters,
        "status_value": filters.get("status", ""),
        "channel_value": filters.get("channel", ""),
        "status_choices": adhoc.status_choices(),
        "channel_choices": Channel.choices,
    }


def _offices(scope: list[int]) -> list[tuple[str, str]]:
    """The offices and units in the reader's scope, for the office filters (by code)."""
    rows = Organisation.objects.filter(pk__in=scope).order_by("path").values_list("code", "name")
    return [(code, name) for code, name in rows[:500]]


def _results(definition: adhoc.Definition, scope: list[int], page_number: str) -> dict[str, Any]:
    count = adhoc.count(definition, scope)
    result: dict[str, Any] = {"count": count}
    if not count:
        return result
    totals = adhoc.totals(definition, scope)
    result["total_list"] = [(definition.spec.measures[m].label, totals[m]) for m in definition.measures]
    if definition.group_by:
        paginator = Paginator(adhoc.grouped(definition, scope), PAGE)
        page = paginator.get_page(page_number)
        rows = adhoc.finish(definition, scope, list(page.object_list))
        labels = [" · ".join(adhoc.dimension_text(n, r[f"g_{n}"]) for n in definition.group_by) for r in rows]
        result.update(
            page=page,
            header=adhoc.group_header(definition),
            dims=len(definition.group_by),
            lines=[adhoc.group_cells(definition, r) for r in rows],
            chart={
                "labels": labels,
                "datasets": [
                    {"label": str(definition.spec.measures[m].label), "data": [r[m] for r in rows]}
                    for m in definition.measures
                ],
            },
        )
    else:
        paginator = Paginator(adhoc.detail_query(definition, scope), PAGE)
        page = paginator.get_page(page_number)
        result.update(
            page=page,
            header=adhoc.detail_header(definition),
            dims=0,
            lines=[[adhoc.cell_text(v) for v in adhoc.detail_cells(definition, r)] for r in page.object_list],
        )
    return result


@login_required
@require_GET
def builder_view(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    user = _user(request)
    loaded: SavedReport | None = None
    data: dict[str, Any] = {}
    reasons: list[str] = []
    definition: adhoc.Definition | None = None
    if request.GET.get("report"):
        try:
            loaded = _report(request, scope, int(request.GET["report"]))
        except ValueError:
            raise Http404("report") from None
        data = loaded.definition if isinstance(loaded.definition, dict) else {}
    elif request.GET.get("since") or request.GET.get("until") or request.GET.get("run"):
        data = definition_data(request.GET)
    if data:
        try:
            definition = adhoc.parse(data)  # a saved definition is checked again on load
        except adhoc.DefinitionError as refused:
            reasons = refused.reasons
    context: dict[str, Any] = {
        **_form_context(data, _offices(scope)),
        "reasons": reasons,
        "definition": definition,
        "loaded": loaded,
        "own": loaded is not None and loaded.owner_id == user.pk,
        "saved": list(_visible(request, scope)[:50]),
        "jobs": list(ExportJob.objects.filter(requested_by=user).order_by("-id")[:5]),
        "threshold": adhoc_exports.threshold(),
        "sharing": SavedReport.Sharing.choices,
        "here": "builder",
    }
    if definition is not None:
        context["query"] = query_of(definition)
        context["hidden"] = hidden_fields(definition)
        context["result"] = _results(definition, scope, request.GET.get("page", "1"))
    return render(request, "reports/builder.html", context, status=400 if reasons else 200)


def _refused(request: HttpRequest, reasons: list[str]) -> HttpResponse:
    return render(request, "reports/builder_refused.html", {"reasons": reasons, "here": "builder"}, status=400)


@login_required
@require_GET
def export_view(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The detail rows (``rows=detail``, the default) or the grouped result streamed at once —
    CSV of any size in flat memory, XLSX in constant memory (a sheet's limit)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("format")
    scope = _scope(request)
    try:
        definition = adhoc.parse(definition_data(request.GET))
    except adhoc.DefinitionError as refused:
        return _refused(request, refused.reasons)
    detail = request.GET.get("rows", "detail") != "groups" or not definition.group_by
    audit.record(
        "reports.adhoc_exported",
        actor=request.user,
        data={"format": fmt, "detail": detail, "definition": definition.as_json(), "background": False},
        kind="security",
    )
    header, rows = adhoc_exports.header_and_rows(definition, scope, detail=detail)
    name = f"raport-{definition.source}-{definition.since.isoformat()}-{definition.until.isoformat()}"
    if fmt == "csv":
        streamed = StreamingHttpResponse(adhoc.csv_lines(header, rows), content_type="text/csv; charset=utf-8")
        streamed["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return streamed
    return FileResponse(
        adhoc.xlsx_file(header, rows), as_attachment=True, filename=f"{name}.xlsx", content_type=adhoc.XLSX_TYPE
    )


# -- background exports -------------------------------------------------------------------------


@login_required
@require_POST
def start_export_view(request: HttpRequest) -> HttpResponseBase:
    scope = _scope(request)
    fmt = request.POST.get("fmt", "csv")
    if fmt not in ("csv", "xlsx"):
        return _refused(request, [_("Choose CSV or XLSX.")])
    try:
        definition = adhoc.parse(definition_data(request.POST))
    except adhoc.DefinitionError as refused:
        return _refused(request, refused.reasons)
    detail = request.POST.get("rows", "detail") != "groups" or not definition.group_by
    estimate = adhoc.count(definition, scope)
    job = adhoc_exports.start(user=_user(request), definition=definition, detail=detail, fmt=fmt, estimate=estimate)
    return redirect("reports_builder:job", job=job.uuid)


def _job(request: HttpRequest, job: Any) -> ExportJob:
    _scope(request)
    found = get_object_or_404(ExportJob, uuid=job, requested_by=_user(request))  # the requester only
    adhoc_exports.expire(found)
    return found


@login_required
@require_GET
def job_view(request: HttpRequest, job: Any) -> HttpResponse:
    return render(request, "reports/builder_job.html", {"job": _job(request, job), "here": "builder"})


@login_required
@require_GET
def job_progress_view(request: HttpRequest, job: Any) -> HttpResponse:
    return render(request, "reports/_builder_progress.html", {"job": _job(request, job)})


@login_required
@require_POST
def job_cancel_view(request: HttpRequest, job: Any) -> HttpResponse:
    found = _job(request, job)
    if adhoc_exports.cancel(found, user=_user(request)):
        messages.success(request, _("The export is being cancelled; its partial file is deleted."))
    return redirect("reports_builder:job", job=found.uuid)


@login_required
@require_GET
def job_download_view(request: HttpRequest, job: Any) -> HttpResponseBase:
    found = _job(request, job)
    if found.status != ExportJob.State.DONE or not found.file.name:
        raise Http404("not ready")
    audit.record(
        "reports.adhoc_export_downloaded",
        actor=request.user,
        obj=found,
        data={"rows": found.rows_done, "format": found.fmt},
        kind="security",
    )
    return found.download()


# -- saved reports ------------------------------------------------------------------------------


def _organisation(request: HttpRequest, scope: list[int]) -> Organisation:
    active = getattr(request, "organisation", None)
    if isinstance(active, Organisation) and active.pk in scope:
        return active
    return Organisation.objects.get(pk=scope[0])


def _name_and_sharing(request: HttpRequest) -> tuple[str, str, list[str]]:
    name = "".join(ch for ch in request.POST.get("name") or "" if ch >= " ").strip()[:NAME_MAX]
    shared = request.POST.get("shared") or SavedReport.Sharing.PRIVATE
    problems = []
    if not name:
        problems.append(_("Give the report a name."))
    if shared not in SavedReport.Sharing.values:
        problems.append(_("Choose who may see the report."))
    return name, shared, problems


@login_required
@require_http_methods(["GET", "POST"])
def saved_list_view(request: HttpRequest) -> HttpResponseBase:
    scope = _scope(request)
    if request.method == "POST":  # save the builder's definition as a new report
        name, shared, problems = _name_and_sharing(request)
        try:
            definition = adhoc.parse(definition_data(request.POST))  # checked on save
        except adhoc.DefinitionError as refused:
            problems += refused.reasons
        if problems:
            return _refused(request, problems)
        now = clock.now()
        report = SavedReport.objects.create(
            owner=_user(request),
            organisation=_organisation(request, scope),
            name=name,
            definition=definition.as_json(),
            shared=shared,
            created_at=now,
            updated_at=now,
        )
        audit.record(
            "reports.adhoc_saved",
            actor=request.user,
            obj=report,
            organisation_id=report.organisation_id,
            data={"name": name, "shared": shared, "definition": report.definition},
        )
        messages.success(request, _("The report is saved."))
        return redirect(f"{reverse('reports_builder:builder')}?report={report.pk}")
    reports = _visible(request, scope)
    return render(request, "reports/builder_saved.html", {"reports": reports, "here": "builder"})


@login_required
@require_http_methods(["GET", "POST"])
def saved_edit_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    scope = _scope(request)
    report = _report(request, scope, pk, own=True)
    problems: list[str] = []
    if request.method == "POST":
        name, shared, problems = _name_and_sharing(request)
        definition = report.definition
        if request.POST.get("since"):  # the builder's current definition replaces the saved one
            try:
                definition = adhoc.parse(definition_data(request.POST)).as_json()
            except adhoc.DefinitionError as refused:
                problems += refused.reasons
        if not problems:
            before = {"name": report.name, "shared": report.shared, "definition": report.definition}
            report.name, report.shared, report.definition = name, shared, definition
            report.updated_at = clock.now()
            report.save()
            audit.record(
                "reports.adhoc_changed",
                actor=request.user,
                obj=report,
                organisation_id=report.organisation_id,
                changes={k: [v, getattr(report, k)] for k, v in before.items() if v != getattr(report, k)},
            )
            messages.success(request, _("The report is saved."))
            return redirect("reports_builder:saved")
    context = {"report": report, "problems": problems, "sharing": SavedReport.Sharing.choices, "here": "builder"}
    return render(request, "reports/builder_edit.html", context, status=400 if problems else 200)


@login_required
@require_POST
def saved_delete_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    report = _report(request, _scope(request), pk, own=True)
    audit.record(
        "reports.adhoc_deleted",
        actor=request.user,
        obj=report,
        organisation_id=report.organisation_id,
        data={"name": report.name},
    )
    report.delete()
    messages.success(request, _("The report is deleted."))
    return redirect("reports_builder:saved")


@login_required
@require_POST
def saved_duplicate_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    scope = _scope(request)
    original = _report(request, scope, pk)
    try:
        definition = adhoc.parse(original.definition)
    except adhoc.DefinitionError as refused:
        return _refused(request, refused.reasons)
    now = clock.now()
    copy = SavedReport.objects.create(
        owner=_user(request),
        organisation=_organisation(request, scope),
        name=(_("Copy of %(name)s") % {"name": original.name})[:NAME_MAX],
        definition=definition.as_json(),
        shared=SavedReport.Sharing.PRIVATE,
        created_at=now,
        updated_at=now,
    )
    audit.record(
        "reports.adhoc_saved",
        actor=request.user,
        obj=copy,
        organisation_id=copy.organisation_id,
        data={"name": copy.name, "copy_of": original.pk, "shared": copy.shared},
    )
    messages.success(request, _("A private copy of the report is saved."))
    return redirect("reports_builder:edit", pk=copy.pk)
