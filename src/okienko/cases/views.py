"""Back office: work queues, case detail with the actions the workflow allows, file download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from okienko.accounts import access as accounts_access
from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation, User
from okienko.accounts.roles import Perm
from okienko.cases import access, actions, geo_views, queue_map, replies
from okienko.cases.models import Case, CaseAttachment, CaseNote, CaseParty, Cover, Priority, SavedFilter
from okienko.cases.workflow import OPEN_STATUSES, Status, allowed_targets
from okienko.core import audit, clock, panels
from okienko.core.actors import Actor
from okienko.core.errors import DomainError, report
from okienko.core.panels import render_panels
from okienko.core.tree import path_prefixes

PAGE_SIZE = 25
COUNT_CAP = 1000


class CappedPaginator(Paginator[Any]):
    """Counts at most ``COUNT_CAP`` + 1 rows: a unit's queue can hold tens of thousands of open
    cases, and counting them all costs more than showing the page. Beyond the cap the page says
    "more than 1,000" and the last pages are reached by sorting the other way or filtering."""

    @cached_property
    def count(self) -> int:
        items: Any = self.object_list  # a queryset here (the case queues)
        return int(items[: COUNT_CAP + 1].count())

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


SORTS = {"due": ("resolve_due", "id"), "-due": ("-resolve_due", "-id"), "new": ("-created_at", "-id")}


def _my_units(user: Actor) -> list[Organisation]:
    return [m.organisation for m in accounts_access.memberships(user) if Perm.CASES_WORK in _perms(m.role)]


def _perms(role: str) -> frozenset[str]:
    from okienko.accounts.roles import permissions_of

    return permissions_of(role)


def _covered_users(user: Actor, today: dt.date) -> list[Any]:
    return list(
        User.objects.filter(
            covered_by__covering=user_of(user), covered_by__starts_on__lte=today, covered_by__ends_on__gte=today
        )
    )


def _queue(request: HttpRequest, scope: str) -> tuple[QuerySet[Case], dict[str, Any]]:
    user = request.user
    now = clock.now()
    params = request.GET
    if scope == "mine":
        people = [user, *_covered_users(user, clock.local_now().date())]
        cases = Case.objects.visible_to(user).filter(assigned_to__in=people)
    else:
        # Every case assigned to a unit where the user works on cases is visible to them
        # (see cases.access.visibility_q), so the unit filter alone is the scope check.
        unit_q = Q(pk__in=[])
        for unit in _my_units(user):
            unit_q |= Q(path__startswith=unit.path)
        unit_ids = list(Organisation.objects.filter(unit_q).values_list("pk", flat=True))
        cases = Case.objects.filter(assigned_unit_id__in=unit_ids)
    status = params.get("status", "open")
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        cases = cases.filter(status=status)
    overdue = params.get("overdue", "")
    if overdue == "1":
        cases = cases.overdue(now)
    elif overdue == "3":
        cases = cases.overdue_3x(now)
    if params.get("unassigned") == "1":
        cases = cases.filter(assigned_to__isnull=True)
    priority = params.get("priority", "")
    if priority in Priority.values:
        cases = cases.filter(priority=priority)
    else:
        priority = ""
    q = params.get("q", "").strip()
    if q:
        cases = cases.filter(Q(number__icontains=q) | Q(address__icontains=q))
    sort = params.get("sort", "due")
    cases = queue_map.by_priority(cases) if sort == "priority" else cases.order_by(*SORTS.get(sort, SORTS["due"]))
    cases = cases.select_related("service", "assigned_unit", "assigned_to")
    filters = {
        "status": status,
        "overdue": overdue,
        "q": q,
        "sort": sort,
        "unassigned": params.get("unassigned", ""),
        "priority": priority,
    }
    return cases, filters


def _saved_filters(user: Actor) -> QuerySet[SavedFilter]:
    units = [u.pk for u in _my_units(user)]
    return SavedFilter.objects.filter(Q(owner=user) | Q(shared_with__in=units)).select_related("owner")


@login_required
def queue_view(request: HttpRequest, scope: str = "mine") -> HttpResponse:
    if not accounts_access.has_perm_anywhere(request.user, Perm.CASES_WORK):
        raise PermissionDenied
    cases, filters = _queue(request, scope)
    view = "map" if request.GET.get("view") == "map" else "list"
    page = CappedPaginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    now = clock.now()
    rows = [(case, case.overdue_level_at(now), queue_map.age_days(case, now)) for case in page.object_list]
    keep = QueryDict(mutable=True)
    keep.update({k: v for k, v in filters.items() if v})
    supervisor = accounts_access.has_perm_anywhere(request.user, Perm.CASES_ASSIGN)
    context = {
        "scope": scope,
        "page": page,
        "rows": rows,
        "filters": filters,
        "query": keep.urlencode(),
        "statuses": Status.choices,
        "saved_filters": _saved_filters(request.user),
        "supervisor": supervisor,
        "units": _my_units(request.user),
        "team": _team(request.user) if supervisor else [],
        "covering": _covered_users(request.user, clock.local_now().date()) if scope == "mine" else [],
        "view": view,
        "priorities": Priority.choices,
        **(queue_map.map_points(cases, now) if view == "map" else {}),
    }
    if view == "map":  # the configured base map and the office's territory when no case has a place
        context["map"] = geo_views.map_settings(getattr(request, "organisation", None))
    return render(request, "cases/queue.html", context)


def _team(user: Actor) -> list[Any]:
    units = _my_units(user)
    q = Q(pk__in=[])
    for unit in units:
        q |= Q(memberships__organisation__path__startswith=unit.path)
    return list(
        accounts_access.people(User.objects.filter(q, is_active=True)).distinct().order_by("last_name", "first_name")
    )


@login_required
@require_POST
def save_filter_view(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip()[:100]
    query = request.POST.get("query", "")[:500]
    scope = request.POST.get("scope", "mine")
    units = _my_units(request.user) if request.POST.get("share") == "1" else []
    try:
        actions.save_filter(
            actor=request.user, name=name, query=query, scope=scope, shared_with=units[0] if units else None
        )
    except DomainError as exc:
        report(request, exc)
    else:
        messages.success(request, _("Filter saved."))
    target = "cases:team" if scope == "team" else "cases:mine"
    return HttpResponseRedirect(f"{reverse(target)}?{query}")


@login_required
@require_POST
def bulk_assign_view(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("case") if i.isdigit()]
    cases = list(Case.objects.visible_to(request.user).filter(pk__in=ids).select_related("organisation"))
    user_id = request.POST.get("user", "")
    assignee = User.objects.filter(pk=user_id).first() if user_id.isdigit() else None
    if not cases or assignee is None:
        messages.error(request, _("Choose cases and a person."))
    else:
        try:
            count = actions.bulk_assign(actor=request.user, cases=cases, unit=None, user=assignee)
        except DomainError as exc:
            report(request, exc)
        else:
            messages.success(
                request,
                ngettext("%(count)d case assigned to %(user)s.", "%(count)d cases assigned to %(user)s.", count)
                % {"count": count, "user": assignee},
            )
    return HttpResponseRedirect(reverse("cases:team"))


# -- detail ----------------------------------------------------------------------------------
def _detail_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    kinds = access.actor_kinds(request.user, case)
    targets = [
        (s, Status(s).label)
        for s in allowed_targets(case.status, kinds)
        if s not in (Status.SPLIT, Status.DUPLICATE, Status.WAITING_CLIENT, Status.RESOLVED, Status.REOPENED)
    ]
    return {
        "case": case,
        "kinds": kinds,
        "targets": targets,
        "can_ask": Status.WAITING_CLIENT in allowed_targets(case.status, kinds),
        "can_resolve": Status.RESOLVED in allowed_targets(case.status, kinds),
        "can_reopen": Status.REOPENED in allowed_targets(case.status, kinds),
        "can_split": Status.SPLIT in allowed_targets(case.status, kinds),
        "can_merge": Status.DUPLICATE in allowed_targets(case.status, kinds),
        "status_options": _status_options(case, kinds),
        "can_assign": access.may_assign(request.user, case),
        "can_work": access.may_work(request.user, case),
        "read_only": not kinds,
        "overdue": case.overdue_level_at(clock.now()),
        "timeline": case.events.select_related("actor").order_by("at", "id"),
        "notes": CaseNote.objects.visible_to(request.user)
        .filter(case=case)
        .select_related("author", "unit")
        .order_by("created_at", "id"),
        "note_unit": actions.note_unit_for(request.user, case),
        "attachments": case.attachments.all(),
        "parties": case.parties.all(),
        "party_roles": CaseParty.Role.choices,
        "answer_rows": _answer_rows(case),
        "children": case.children.select_related("assigned_unit"),
        "texts": replies.texts_for(case),
        "units": Organisation.objects.filter(path__startswith=case.organisation.path, active=True),
        "team": _team_of(case),
        "side_panels": render_panels(request, panels.CASE_SIDE, case),
    }


# Statuses the reply-and-status box offers: every allowed move except the ones with their own
# form (split, duplicate) and the step back to "registered" (a case leaves triage only forwards;
# handing it to another unit is an assignment).
NOT_IN_STATUS_BOX = frozenset({Status.SPLIT, Status.DUPLICATE, Status.REGISTERED, Status.NEW})


def _status_options(case: Case, kinds: set[str]) -> list[tuple[str, str]]:
    return [(s, str(Status(s).label)) for s in allowed_targets(case.status, kinds) if s not in NOT_IN_STATUS_BOX]


def _answer_rows(case: Case) -> list[tuple[str, str]]:
    """The extra-question answers as (question label, answer in words), in the form's order."""
    if not case.answers:
        return []
    questions = {q.code: q for q in case.service.questions.prefetch_related("choices")}
    rows = []
    for code, value in case.answers.items():
        question = questions.get(code)
        if question is None:
            rows.append((code, str(value)))
            continue
        names = {c.key: c.name for c in question.choices.all()}
        values = value if isinstance(value, list) else [value]
        rows.append((question.label, ", ".join(str(names.get(str(v), v)) for v in values)))
    return rows


def _team_of(case: Case) -> list[Any]:
    if case.assigned_unit is None:
        return []
    return list(
        accounts_access.people(
            User.objects.filter(
                memberships__organisation__path__in=path_prefixes(case.assigned_unit.path), is_active=True
            )
        )
        .distinct()
        .order_by("last_name")
    )


@login_required
def detail_view(request: HttpRequest, case_uuid: str) -> HttpResponse:
    case = access.access_case(request.user, str(case_uuid))
    if case.client_id or case.reporter_name or case.reporter_email or case.reporter_phone:
        purpose = "case detail (read-only)" if access.read_only(request.user, case) else "case detail"
        audit.record_access(request.user, case, organisation_id=case.organisation_id, purpose=purpose)
    return render(request, "cases/detail.html", _detail_context(request, case))


def _back(case: Case) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("cases:detail", args=[case.uuid]))


def _expected(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _run(request: HttpRequest, case: Case, fn: Any, success: str, **kwargs: Any) -> HttpResponse:
    try:
        fn(actor=request.user, case=case, **kwargs)
    except actions.StaleCase as exc:
        report(request, exc)
        # Show the case as it is now, with the refusal, instead of redirecting away from it.
        return render(request, "cases/detail.html", _detail_context(request, case), status=409)
    except DomainError as exc:
        report(request, exc)
    except PermissionDenied as exc:  # Django's own refusals (not domain errors)
        messages.error(request, str(exc) or _("You may not do this."))
    else:
        messages.success(request, success)
    return _back(case)


@login_required
@require_POST
def transition_view(request: HttpRequest, case_uuid: str) -> HttpResponse:
    case = access.access_case(request.user, str(case_uuid))
    action = request.POST.get("action", "status")
    message = request.POST.get("message", "")
    version = _expected(request)
    if action == "update":
        return _update(request, case, message, version)
    steps = {"ask": Status.WAITING_CLIENT, "resolve": Status.RESOLVED, "reopen": Status.REOPENED}
    if action in steps:
        return _status_step(request, case, steps[action], message, version)
    return _run(
        request,
        case,
        actions.transition_case,
        _("Status changed."),
        to_status=request.POST.get("to_status", ""),
        note=message or None,
        expected_version=version,
    )


def _status_step(
    request: HttpRequest, case: Case, to_status: str, message: str, version: int | None, *, note: str | None = None
) -> HttpResponse:
    """Move the case to ``to_status`` through the action that step needs: asking the client,
    resolving and reopening carry the message; any other status is a plain transition with ``note``."""
    if to_status == Status.WAITING_CLIENT:
        return _run(
            request,
            case,
            actions.ask_client,
            _("The client was asked; the deadline is paused."),
            message=message,
            expected_version=version,
        )
    if to_status == Status.RESOLVED:
        return _run(
            request, case, actions.resolve_case, _("The case is resolved."), message=message, expected_version=version
        )
    if to_status == Status.REOPENED:
        return _run(
            request,
            case,
            actions.reopen_case,
            _("The case is reopened."),
            reason=message,
            on_client_request=request.POST.get("client_request") == "1",
            expected_version=version,
        )
    return _run(
        request,
        case,
        actions.transition_case,
        _("Status changed."),
        to_status=to_status,
        note=note,
        expected_version=version,
    )


def _update(request: HttpRequest, case: Case, message: str, version: int | None) -> HttpResponse:
    """The one reply-and-status box: a public message, a new status, or both. Asking the client,
    resolving and reopening need the message (it is what the client reads); the step back to
    "registered" is not offered and refused if posted."""
    to_status = request.POST.get("to_status", "")
    if to_status and to_status not in dict(_status_options(case, access.actor_kinds(request.user, case))):
        messages.error(request, _("This status cannot be chosen here."))
        return _back(case)
    if to_status:
        return _status_step(request, case, to_status, message, version, note=message.strip() or None)
    if not message.strip():
        messages.error(request, _("Write a message to the client or choose a new status."))
        return _back(case)
    return _run(
        request,
        case,
        actions.add_note,
        _("The message was added to the case; the client sees it."),
        body=message,
        public=True,
        unit_only=False,
        expected_version=version,
    )


@login_required
@require_POST
def split_view(request: HttpRequest, case_uuid: str) -> HttpResponse:
    case = access.access_case(request.user, str(case_uuid))
    parts = []
    for unit_id, text in zip(request.POST.getlist("unit"), request.POST.getlist("description"), strict=False):
        unit = Organisation.objects.filter(pk=unit_id).first() if unit_id.isdigit() else None
        if unit is not None and text.strip():
            parts.append({"unit": unit, "description": text.strip()})
    return _run(
        request,
        case,
        actions.split_case,
        _("The case is split into sub-cases."),
        parts=parts,
        expected_version=_expected(request),
    )


@login_required
@require_POST
def merge_view(request: HttpRequest, case_uuid: str) -> HttpResponse:
    case = access.access_case(request.user, str(case_uuid))
    number = request.POST.get("into", "").strip()
    into = Case.objects.visible_to(request.user).filter(organisation=case.organisation, number__iexact=number).first()
    if into is None:
        messages.error(request, _("No case with this number."))
        return _back(case)
    return _run(
        request,
        case,
        actions.merge_cases,
        _("Marked as a duplicate; the reporter is informed."),
        into=into,
        message=request.POST.get("message", ""),
        expected_version=_expected(request),
    )


@login_required
@require_POST
def note_view(request: HttpRequest, case_uuid: str) -> HttpResponse:
    case = access.access_case(request.user, str(case_uuid))
    visibility = request.POST.get("visibility")
    return _run(
        request,
        case,
        actions.add_note,
        _("Note added."),
        body=request.POST.get("body", ""),
        public=visibility == CaseNote.Visibility.PUBLIC,
        unit_only=visibility == CaseNote.Visibility.UNIT,
        expected_version=_expected(request),
    )


@login_required
@require_POST
def party_view(request: HttpRequest, case_uuid: str) -> HttpResponse:
    """Add another person involved in the case (affected person, representative, witness...)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    case = access.access_case(request.user, str(case_uuid))
    name = request.POST.get("name", "").strip()[:200]
    email = request.POST.get("email", "").strip()[:254]
    phone = request.POST.get("phone", "").strip()[:40]
    if not (name or email or phone):
        messages.error(request, _("Give at least a name, an e-mail or a phone number."))
        return _back(case)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            messages.error(request, _("Enter a valid e-mail address."))
            return _back(case)
    return _run(
        request,
        case,
        actions.add_party,
        _("Party added."),
        role=request.POST.get("role", ""),
        name=name,
        email=email,
        phone=phone,
    )


@login_required
@require_POST
def assign_view(request: HttpRequest, case_uuid: str) -> HttpResponse:
    case = access.access_case(request.user, str(case_uuid))
    unit_id, user_id = request.POST.get("unit", ""), request.POST.get("user", "")
    unit = Organisation.objects.filter(pk=unit_id).first() if unit_id.isdigit() else None
    person = User.objects.filter(pk=user_id).first() if user_id.isdigit() else None
    if request.POST.get("take") == "1":
        assert isinstance(request.user, User)  # login_required
        unit, person = None, request.user
    return _run(
        request,
        case,
        actions.assign_case,
        _("Assignment saved."),
        unit=unit,
        user=person,
        expected_version=_expected(request),
    )


@login_required
@require_POST
def attach_view(request: HttpRequest, case_uuid: str) -> HttpResponse:
    case = access.access_case(request.user, str(case_uuid))
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return _back(case)
    from okienko.cases import files

    if upload.size is not None and upload.size > files.max_bytes():
        messages.error(request, _("The file is too large."))
        return _back(case)
    return _run(
        request,
        case,
        actions.add_attachment,
        _("File added."),
        name=upload.name or "file",
        data=upload.read(),
        public=request.POST.get("public") == "1",
    )


@login_required
def reply_preview_view(request: HttpRequest, case_uuid: str) -> HttpResponse:
    case = access.access_case(request.user, str(case_uuid))
    text_id = request.GET.get("text", "")
    body = replies.render_text(case, int(text_id)) if text_id.isdigit() else ""
    return render(request, "cases/_reply_preview.html", {"body": body, "case": case})


@login_required
def download_view(request: HttpRequest, file_uuid: str) -> FileResponse:
    attachment = get_object_or_404(CaseAttachment.objects.select_related("case"), uuid=file_uuid)
    case = access.access_case(request.user, attachment.case_id)
    audit.record(
        "case.attachment_downloaded",
        actor=request.user,
        obj=case,
        organisation_id=case.organisation_id,
        data={"attachment": str(attachment.uuid)},
        kind="access",
    )
    return attachment.download()


@login_required
def saved_filter_view(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(_saved_filters(request.user), pk=pk)
    scope, _sep, query = saved.query.partition("?")
    target = "cases:team" if scope == "team" else "cases:mine"
    return HttpResponseRedirect(f"{reverse(target)}?{query}")


def cover_list(user: Actor) -> QuerySet[Cover]:
    return Cover.objects.filter(Q(absent=user) | Q(covering=user))


@login_required
def scope_view(request: HttpRequest) -> HttpResponse:
    """Every case the user may see, newest first, read-only: for consultants answering "what
    happened to my report?" and for analysts until reports exist."""
    if not (
        accounts_access.has_perm_anywhere(request.user, Perm.CASES_VIEW)
        or accounts_access.has_perm_anywhere(request.user, Perm.CASES_WORK)
    ):
        raise PermissionDenied(Perm.CASES_VIEW)
    cases = Case.objects.visible_to(request.user).select_related("service", "assigned_unit", "organisation")
    status = request.GET.get("status", "open")
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        cases = cases.filter(status=status)
    else:
        status = "all"
    page = CappedPaginator(cases.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    now = clock.now()
    rows = [(case, case.overdue_level_at(now)) for case in page.object_list]
    context = {"page": page, "rows": rows, "status": status, "statuses": Status.choices}
    return render(request, "cases/scope.html", context)
