"""Kontraktor on the desk (issue 17): the office's monitoring and the agency's desk, one set of
pages for both sides of a contract.

Scope comes from ``contracting.access`` only: the contract by ``access_contract`` (anyone not a side
gets 404, audited), the office's participants by ``office_participants``, the agency's by
``agency_known_participants``, a participant by ``access_participant``; data of the other institution
only through ``read_registry_data`` / ``read_agency_records`` (each read and refusal logged in the
hash-chained access log). Every write goes through ``actions``, ``sharing`` or ``settlement``
(audited there); a refusal of the domain becomes a message on the page, never a 500.

Settlements, messages and exports are in ``contracting_money_views``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.accounts.access import has_perm_anywhere
from okienko.accounts.roles import Perm
from okienko.contracting import access, actions, sharing
from okienko.contracting.models import (
    ActivationEvent,
    Contract,
    DataSharingRequest,
    Direction,
    Participant,
    Placement,
    RetentionCheck,
    SharedField,
    SharingPurpose,
)
from okienko.contracting.registry import access as registry_access
from okienko.contracting.registry import validation as registry_validation
from okienko.contracting.states import (
    AGENCY,
    CONTRACT,
    OFFICE,
    PARTICIPANT,
    ContractStatus,
    ExitReason,
    ParticipantStatus,
    SharingStatus,
)
from okienko.core import clock, formatting
from okienko.core.errors import DomainError, InvalidInput, NotFound, report
from okienko.core.ids import parse_uuid

PER_PAGE = 50
MAX_TEXT = 2000
PS = ParticipantStatus


# --- Helpers --------------------------------------------------------------------------------------


def may_use(user: Any) -> bool:
    return has_perm_anywhere(user, Perm.CONTRACTING_OFFICE) or has_perm_anywhere(user, Perm.CONTRACTING_AGENCY)


def _require(request: HttpRequest) -> None:
    if not may_use(request.user):
        raise PermissionDenied(Perm.CONTRACTING_OFFICE)


def contract_for(request: HttpRequest, contract_uuid: Any) -> tuple[Contract, str]:
    """The contract (404 unless the user is a side of it, audited) and the user's side."""
    _require(request)
    contract = access.access_contract(request.user, contract_uuid)
    sides = access.sides_of(request.user, contract)
    return contract, OFFICE if OFFICE in sides else AGENCY


def attempt(request: HttpRequest, to: str, work: Callable[[], object], done: str) -> HttpResponse:
    """Run a write; a domain refusal becomes a message on ``to`` (missing objects stay 404)."""
    try:
        work()
    except NotFound:
        raise
    except DomainError as exc:
        report(request, exc)
        return redirect(to)
    if done:
        messages.success(request, done)
    return redirect(to)


def text(request: HttpRequest, name: str, limit: int = MAX_TEXT) -> str:
    return str(request.POST.get(name, ""))[:limit].strip()


def parse_date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError as exc:
        raise InvalidInput(field=field, message=_("Give a date as YYYY-MM-DD.")) from exc


def parse_when(value: str, field: str) -> dt.datetime:
    """A ``datetime-local`` value (Warsaw time) or a date (9:00)."""
    raw = value.strip()[:16]
    try:
        moment = (
            dt.datetime.fromisoformat(raw)
            if "T" in raw
            else dt.datetime.combine(dt.date.fromisoformat(raw), dt.time(9))
        )
    except ValueError as exc:
        raise InvalidInput(field=field, message=_("Give the date and time of the event.")) from exc
    return moment.replace(tzinfo=clock.WARSAW)


def local_time(value: str) -> str:
    """An ISO 8601 moment as Warsaw's date and time, as Poles write it (``07.12.2026, 14:02``)."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value[:16]
    if moment.tzinfo is not None:
        moment = moment.astimezone(clock.WARSAW)
    return formatting.when(moment)


def status_change(choices: type[ParticipantStatus] | type[SharingStatus], before: str, after: str) -> str:
    """``placed in work → employed 14 days`` in the reader's language, not the stored codes."""

    def label(code: str) -> str:
        return str(choices(code).label) if code in choices.values else code or "—"

    return f"{label(before)} → {label(after)}"


def contract_url(contract: Contract) -> str:
    return reverse("desk:contracting_contract", args=[contract.uuid])


def participant_url(contract: Contract, ref: str) -> str:
    return reverse("desk:contracting_participant", args=[contract.uuid, ref])


def moves(machine: Any, status: str, side: str) -> list[tuple[str, str]]:
    """The statuses ``side`` may move to from ``status`` (value, label)."""
    labels = dict(machine_choices(machine))
    return [
        (to, labels.get(to, to)) for (frm, to), sides in machine.transitions.items() if frm == status and side in sides
    ]


def machine_choices(machine: Any) -> list[tuple[str, str]]:
    enum = {CONTRACT.name: ContractStatus, PARTICIPANT.name: ParticipantStatus}.get(machine.name, SharingStatus)
    return [(str(value), str(label)) for value, label in enum.choices]


# --- Contracts ------------------------------------------------------------------------------------


@login_required
@require_GET
def contracts_view(request: HttpRequest) -> HttpResponse:
    _require(request)
    contracts = access.visible_contracts(request.user).select_related("office", "agency", "region_office")
    status = request.GET.get("status", "")[:20]
    if status in ContractStatus.values:
        contracts = contracts.filter(status=status)
    page = Paginator(contracts.order_by("-start_date", "number", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "desk/contracting/contracts.html",
        {"page": page, "status": status, "statuses": ContractStatus.choices},
    )


def _due_checks(contract: Contract) -> QuerySet[RetentionCheck]:
    today = clock.local_now().date()
    return (
        RetentionCheck.objects.filter(
            placement__participant__contract=contract,
            due_on__lte=today,
            done_at__isnull=True,
            placement__ended_early=False,
        )
        .select_related("placement__participant")
        .order_by("due_on", "pk")
    )


@login_required
@require_GET
def contract_view(request: HttpRequest, contract_uuid: Any) -> HttpResponse:
    contract, side = contract_for(request, contract_uuid)
    if side == OFFICE:
        participants: QuerySet[Participant] = access.office_participants(request.user, contract).order_by(
            "nominated_at", "pk"
        )
    else:
        participants = access.agency_known_participants(request.user, contract)
    page = Paginator(participants, PER_PAGE).get_page(request.GET.get("page"))
    progress = actions.indicator_progress(contract)
    requests = contract.sharing_requests.select_related("purpose", "requester", "approver").order_by("-created_at")
    return render(
        request,
        "desk/contracting/contract.html",
        {
            "contract": contract,
            "side": side,
            "office_side": side == OFFICE,
            "page": page,
            "progress": [
                {"name": name, "label": INDICATOR_LABELS[name], **values} for name, values in progress.items()
            ],
            "due_checks": list(_due_checks(contract)[:100]),
            "requests": list(requests[:50]),
            "moves": moves(CONTRACT, contract.status, OFFICE) if side == OFFICE else [],
            "unread": actions.unread_count(actor=request.user, contract=contract),
            "today": clock.local_now().date(),
            "closing": _closing(contract, side),
        },
    )


def _closing(contract: Contract, side: str) -> dict[str, Any]:
    from okienko.desk.contracting_closing_views import closing_context

    return closing_context(contract, side)


INDICATOR_LABELS = {
    "referred": _("referred"),
    "admitted": _("admitted"),
    "placed": _("placed in work"),
    "retained": _("employment retained"),
}


@login_required
@require_POST
def contract_status_view(request: HttpRequest, contract_uuid: Any) -> HttpResponse:
    contract, _side = contract_for(request, contract_uuid)
    to = text(request, "to", 20)
    return attempt(
        request,
        contract_url(contract),
        lambda: actions.change_contract_status(
            actor=request.user, contract=contract, to=to, note=text(request, "note")
        ),
        _("The contract's status is changed."),
    )


# --- Nominations ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def nominate_view(request: HttpRequest, contract_uuid: Any) -> HttpResponse:
    contract, side = contract_for(request, contract_uuid)
    if side != OFFICE:
        raise PermissionDenied(Perm.CONTRACTING_OFFICE)
    people = registry_access.people(request.user).filter(office=contract.office)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("person")[:500] if v.isdigit() and len(v) < 12]
        chosen = list(people.filter(pk__in=ids))
        if not chosen:
            messages.error(request, _("Choose at least one person."))
            return redirect("desk:contracting_nominate", contract_uuid=contract.uuid)

        def work() -> None:
            created = actions.nominate(actor=request.user, contract=contract, persons=chosen)
            messages.success(
                request,
                _("Nominated: %(new)d; already on the contract: %(old)d.")
                % {"new": len(created), "old": len(chosen) - len(created)},
            )

        return attempt(request, contract_url(contract), work, "")
    query = " ".join(request.GET.get("q", "").split())[:100]
    if query:
        from okienko.desk.registry_views import _search

        people = _search(people, query)
    already = set(contract.participants.values_list("person_id", flat=True))
    page = Paginator(people.order_by("last_name", "first_name", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "desk/contracting/nominate.html",
        {"contract": contract, "page": page, "query": query, "already": already},
    )


# --- Participants ---------------------------------------------------------------------------------


def participant_for(request: HttpRequest, contract_uuid: Any, ref: str) -> tuple[Contract, str, Participant]:
    contract, side = contract_for(request, contract_uuid)
    participant = access.access_participant(request.user, contract, ref[:18])
    participant.contract = contract
    return contract, side, participant


@login_required
@require_GET
def participant_view(request: HttpRequest, contract_uuid: Any, ref: str) -> HttpResponse:
    contract, side, participant = participant_for(request, contract_uuid, ref)
    context: dict[str, Any] = {
        "contract": contract,
        "side": side,
        "office_side": side == OFFICE,
        "participant": participant,
        "history": list(participant.transitions.order_by("at", "pk")),
        "moves": moves(PARTICIPANT, participant.status, side),
        "exit_reasons": [c for c in ExitReason.choices if c[0]],
        "own_events": list(
            access.own_events(request.user, participant).prefetch_related("evidence").order_by("occurred_at", "pk")
        ),
        "timeline": [
            {
                **vars(item),
                "when": local_time(item.at),
                "text": status_change(ParticipantStatus, *item.text.split(" → ", 1))
                if item.kind == "status" and " → " in item.text
                else item.text,
                "details": display({k: v for k, v in item.details.items() if k not in HIDDEN_DETAILS}),
            }
            for item in access.participant_timeline(request.user, contract, participant.ref)
        ],
    }
    if side == OFFICE:
        context["person"] = participant.person
        if request.GET.get("show") == "records":
            try:
                context["agency_records"] = agency_rows(
                    access.read_agency_records(request.user, contract, participant.ref)
                )
            except access.AccessRefused as refused:
                context["refusal"] = refused.message
    else:
        try:
            context["shared"] = shared_rows(access.read_registry_data(request.user, contract, participant.ref))
        except access.AccessRefused as refused:
            context["refusal"] = refused.message
        placements = participant.placements.filter(institution=contract.agency).order_by("start_date", "pk")
        context["placements"] = list(placements.prefetch_related("retention_checks"))
        context["event_types"] = [c for c in ActivationEvent.Type.choices if c[0] not in NOT_BY_HAND]
        context["contract_types"] = Placement.ContractType.choices
        context["verifications"] = Placement.Verification.choices
        context["now"] = clock.local_now().strftime("%Y-%m-%dT%H:%M")
        context["today"] = clock.local_now().date()
    return render(request, "desk/contracting/participant.html", context)


# Internal links and sides, not for people.
HIDDEN_DETAILS = {"placement", "side"}
# Recorded by their own forms (a placement, an employment check), never as a bare event.
NOT_BY_HAND = {ActivationEvent.Type.PLACEMENT, ActivationEvent.Type.RETENTION_CHECK}


def display(value: Any) -> str:
    """A shared value as one line of text (lists joined by semicolons, records by commas)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return pgettext("a yes/no value", "yes") if value else pgettext("a yes/no value", "no")
    if isinstance(value, dict):
        return ", ".join(display(v) for v in value.values() if v not in (None, "", [], {}))
    if isinstance(value, list):
        return "; ".join(display(v) for v in value) or "—"
    return str(value)


def shared_value(code: str, value: Any) -> Any:
    """A registry code among the shared values by its name ("zasadnicze_zawodowe" → "zasadnicze zawodowe")."""
    if code == "education_level" and isinstance(value, str) and value:
        return registry_validation.education_label(value)
    return value


def shared_rows(view: access.SharedView) -> dict[str, Any]:
    """The shared fields with their catalogue labels, in the catalogue's order, as text."""
    catalogue = list(SharedField.objects.filter(code__in=list(view.fields)).order_by("order", "code"))
    known = [(f.label, f.code, display(shared_value(f.code, view.fields[f.code]))) for f in catalogue]
    rest = [
        (code, code, display(shared_value(code, view.fields[code])))
        for code in sorted(set(view.fields) - {f.code for f in catalogue})
    ]
    return {"view": view, "rows": known + rest}


def agency_rows(view: access.SharedView) -> dict[str, Any]:
    """The agency's records as the office reads them (events, placements, documents)."""
    types = dict(ActivationEvent.Type.choices)
    events = [
        {
            "type": types.get(str(e.get("type", "")), str(e.get("type", ""))),
            "when": str(e.get("occurred_at", ""))[:16].replace("T", " "),
            "details": display({k: v for k, v in (e.get("details") or {}).items() if k != "placement"}),
        }
        for e in view.fields.get("events", []) or []
    ]
    placements = [
        {**p, "occupation": display(p.get("occupation")), "end_date": p.get("end_date") or "—"}
        for p in view.fields.get("placements", []) or []
    ]
    return {
        "view": view,
        "events": events,
        "placements": placements,
        "documents": view.fields.get("documents", []) or [],
        "has": {code: code in view.fields for code in ("events", "placements", "documents")},
    }


@login_required
@require_POST
def participant_status_view(request: HttpRequest, contract_uuid: Any, ref: str) -> HttpResponse:
    contract, _side, participant = participant_for(request, contract_uuid, ref)
    to = text(request, "to", 20)

    def work() -> None:
        if to == PS.REFERRED:
            actions.refer(actor=request.user, participant=participant)
        else:
            actions.change_participant_status(
                actor=request.user,
                participant=participant,
                to=to,
                note=text(request, "note"),
                exit_reason=text(request, "exit_reason", 24)
                if text(request, "exit_reason", 24) in ExitReason.values
                else "",
            )

    return attempt(request, participant_url(contract, participant.ref), work, _("The participant's status is changed."))


@login_required
@require_POST
def event_view(request: HttpRequest, contract_uuid: Any, ref: str) -> HttpResponse:
    contract, _side, participant = participant_for(request, contract_uuid, ref)
    kind = text(request, "type", 20)
    sent = request.FILES.get("evidence")

    def work() -> None:
        if kind in NOT_BY_HAND:
            raise InvalidInput(field="type", message=_("Record placements and employment checks with their own forms."))
        details: dict[str, Any] = {}
        note = text(request, "note")
        if note:
            details["note"] = note
        if kind == ActivationEvent.Type.TRAINING:
            details["hours_planned"] = text(request, "hours_planned", 10) or "0"
            details["hours_attended"] = text(request, "hours_attended", 10) or "0"
            details["title"] = text(request, "title", 200)
        event = actions.record_event(
            actor=request.user,
            participant=participant,
            type=kind,
            occurred_at=parse_when(text(request, "occurred_at", 20), "occurred_at"),
            details=details,
        )
        if sent is not None:
            store_evidence(request, event, sent)

    return attempt(request, participant_url(contract, participant.ref), work, _("The event is recorded."))


def store_evidence(request: HttpRequest, event: ActivationEvent, sent: Any) -> None:
    limit = 20 * 1024 * 1024
    if sent.size is not None and sent.size > limit:
        from okienko.core import uploads

        raise InvalidInput(field="evidence", message=uploads.too_large_message(limit))
    actions.attach_evidence(actor=request.user, event=event, data=sent.read(limit + 1), name=sent.name or "dowod")


@login_required
@require_POST
def evidence_view(request: HttpRequest, contract_uuid: Any, ref: str, event_uuid: Any) -> HttpResponse:
    contract, _side, participant = participant_for(request, contract_uuid, ref)
    event = access.own_events(request.user, participant).filter(uuid=event_uuid).first()
    if event is None:
        raise NotFound
    sent = request.FILES.get("evidence")

    def work() -> None:
        if sent is None:
            raise InvalidInput(field="evidence", message=_("Choose the file."))
        store_evidence(request, event, sent)

    return attempt(request, participant_url(contract, participant.ref), work, _("The evidence is attached."))


def parse_fraction(value: str) -> Decimal:
    raw = value.strip().replace(",", ".")[:10]
    try:
        if "/" in raw:
            top, bottom = raw.split("/", 1)
            number = (Decimal(top) / Decimal(bottom)).quantize(Decimal("0.001"))
        else:
            number = Decimal(raw)
        if not number.is_finite():
            raise InvalidOperation(raw)
        return number
    except (InvalidOperation, ArithmeticError, ValueError) as exc:
        raise InvalidInput(
            field="working_time", message=_("Working time is a fraction of full time, e.g. 1, 0.5 or 3/4.")
        ) from exc


@login_required
@require_POST
def placement_view(request: HttpRequest, contract_uuid: Any, ref: str) -> HttpResponse:
    contract, _side, participant = participant_for(request, contract_uuid, ref)

    def work() -> None:
        end = text(request, "end_date", 10)
        actions.record_placement(
            actor=request.user,
            participant=participant,
            employer_nip=text(request, "employer_nip", 20),
            employer_name=text(request, "employer_name", 200),
            position=text(request, "position", 200),
            occupation_code=text(request, "occupation_code", 10),
            contract_type=text(request, "contract_type", 20),
            working_time=parse_fraction(text(request, "working_time", 10)),
            start_date=parse_date(text(request, "start_date", 10), "start_date"),
            end_date=parse_date(end, "end_date") if end else None,
            verified_by=text(request, "verified_by", 20),
        )

    return attempt(request, participant_url(contract, participant.ref), work, _("The placement is recorded."))


@login_required
@require_POST
def check_view(request: HttpRequest, contract_uuid: Any, ref: str, check_id: int) -> HttpResponse:
    contract, _side, participant = participant_for(request, contract_uuid, ref)
    check = (
        RetentionCheck.objects.filter(pk=check_id, placement__participant=participant)
        .select_related("placement__participant__contract")
        .first()
    )
    if check is None:
        raise NotFound
    employed = text(request, "employed", 5)

    def work() -> None:
        if employed not in {"yes", "no"}:
            raise InvalidInput(field="employed", message=_("Say whether the participant is still employed."))
        actions.record_retention_check(
            actor=request.user, check=check, employed=employed == "yes", details={"note": text(request, "note")}
        )

    return attempt(request, participant_url(contract, participant.ref), work, _("The employment check is recorded."))


# The report exports log the contract's own columns and purposes (contracting_money_views).
EXPORTED_FIELDS: dict[str, Any] = {
    "ref": gettext_lazy("participant"),
    "status": gettext_lazy("status"),
    "referral_date": gettext_lazy("referred on"),
    "placements": gettext_lazy("placements"),
    "tranche_amount": gettext_lazy("tranche amount"),
    "tranche": gettext_lazy("tranche"),
    "eligible_on": gettext_lazy("eligible from"),
    "amount": gettext_lazy("amount"),
}
EXPORT_PURPOSES: dict[str, Any] = {
    "progress_report": pgettext_lazy("export purpose", "progress report"),
    "settlement_report": pgettext_lazy("export purpose", "settlement report"),
}


@login_required
@require_GET
def access_log_view(request: HttpRequest, contract_uuid: Any, ref: str) -> HttpResponse:
    contract, side, participant = participant_for(request, contract_uuid, ref)
    entries = access.participant_access_log(request.user, contract, participant.ref).order_by("-id")
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    # Fields, refusal reasons and purposes are stored as codes: shown by their names.
    fields = EXPORTED_FIELDS | dict(SharedField.objects.values_list("code", "label"))
    purposes = EXPORT_PURPOSES | dict(SharingPurpose.objects.values_list("code", "name"))
    rows = [
        (
            entry,
            ", ".join(str(fields.get(code, code)) for code in entry.fields or []),
            str(access.REFUSALS.get(entry.reason, entry.reason)) if entry.reason else "",
            str(purposes.get(entry.purpose, entry.purpose)) if entry.purpose else "",
        )
        for entry in page
    ]
    return render(
        request,
        "desk/contracting/access_log.html",
        {"contract": contract, "participant": participant, "page": page, "rows": rows, "side": side},
    )


# --- Data-sharing requests ------------------------------------------------------------------------


def _directions(side: str) -> list[tuple[str, str]]:
    """The office offers its data or asks for the agency's; the agency asks for more registry data."""
    if side == OFFICE:
        return [(str(v), str(label)) for v, label in Direction.choices]
    return [(Direction.OFFICE_TO_AGENCY.value, str(Direction.OFFICE_TO_AGENCY.label))]


@login_required
@require_http_methods(["GET", "POST"])
def new_request_view(request: HttpRequest, contract_uuid: Any) -> HttpResponse:
    contract, side = contract_for(request, contract_uuid)
    directions = [d for d, _label in _directions(side)]
    purposes = SharingPurpose.objects.filter(active=True, direction__in=directions).order_by("direction", "name")
    source = request.POST if request.method == "POST" else request.GET
    purpose = purposes.filter(code=str(source.get("purpose", ""))[:60]).first()
    if side == OFFICE:
        participants = access.office_participants(request.user, contract).order_by("nominated_at", "pk")
    else:
        participants = access.agency_participants(request.user, contract)
    if request.method == "POST" and purpose is not None:
        refs = set(request.POST.getlist("participant")[:2000])
        chosen = [p for p in participants if p.ref in refs]
        fields = [str(f)[:40] for f in request.POST.getlist("field")[:100]]
        try:
            created = sharing.create_request(
                actor=request.user,
                contract=contract,
                direction=purpose.direction,
                purpose=purpose,
                fields=fields,
                participants=chosen,
                valid_from=parse_date(text(request, "valid_from", 10), "valid_from"),
                valid_until=parse_date(text(request, "valid_until", 10), "valid_until"),
                legal_basis=text(request, "legal_basis", 300),
                submit=request.POST.get("submit") != "draft",
            )
        except NotFound:
            raise
        except DomainError as exc:
            report(request, exc)
            return redirect(reverse("desk:contracting_new_request", args=[contract.uuid]) + f"?purpose={purpose.code}")
        messages.success(request, _("The request is saved."))
        return redirect("desk:contracting_request", contract_uuid=contract.uuid, request_uuid=created.uuid)
    if request.method == "POST":
        messages.error(request, _("Choose the purpose of the request."))
    today = clock.local_now().date()
    return render(
        request,
        "desk/contracting/new_request.html",
        {
            "contract": contract,
            "side": side,
            "purposes": purposes,
            "purpose": purpose,
            "fields": list(purpose.fields.order_by("order", "code")) if purpose else [],
            "participants": list(participants[:500]),
            "valid_from": today.isoformat(),
            "valid_until": min(contract.end_date, today + dt.timedelta(days=365)).isoformat(),
        },
    )


def request_for(
    request: HttpRequest, contract_uuid: Any, request_uuid: Any
) -> tuple[Contract, str, DataSharingRequest]:
    contract, side = contract_for(request, contract_uuid)
    key = parse_uuid(request_uuid)
    found = (
        contract.sharing_requests.select_related("purpose", "requester", "approver", "contract")
        .filter(uuid=key)
        .first()
        if key
        else None
    )
    if found is None:
        raise NotFound
    return contract, side, found


@login_required
@require_GET
def request_view(request: HttpRequest, contract_uuid: Any, request_uuid: Any) -> HttpResponse:
    contract, side, found = request_for(request, contract_uuid, request_uuid)
    labels = dict(SharedField.objects.values_list("code", "label"))
    participants = list(found.participants.select_related("person").order_by("pk")[:500])
    if side == AGENCY:
        visible = set(access.agency_known_participants(request.user, contract).values_list("pk", flat=True))
    else:
        visible = {p.pk for p in participants}
    return render(
        request,
        "desk/contracting/request.html",
        {
            "contract": contract,
            "side": side,
            "office_side": side == OFFICE,
            "req": found,
            "requested": [(code, labels.get(code, code)) for code in found.requested_fields],
            "approved": [(code, labels.get(code, code)) for code in found.approved_fields],
            "participants": participants,
            "visible": visible,
            "history": [
                (h, status_change(SharingStatus, h.from_status, h.to_status))
                for h in found.transitions.order_by("at", "pk")
            ],
            "may_submit": sharing.may(request.user, found, SharingStatus.SUBMITTED),
            "may_withdraw": sharing.may(request.user, found, SharingStatus.WITHDRAWN),
            "may_decide": sharing.may(request.user, found, SharingStatus.APPROVED),
            "may_revoke": sharing.may(request.user, found, SharingStatus.REVOKED),
            "may_sync": found.status in {SharingStatus.APPROVED, SharingStatus.PARTIALLY_APPROVED, SharingStatus.ACTIVE}
            and sharing.may(request.user, found, SharingStatus.REVOKED),
        },
    )


@login_required
@require_POST
def request_action_view(request: HttpRequest, contract_uuid: Any, request_uuid: Any) -> HttpResponse:
    contract, _side, found = request_for(request, contract_uuid, request_uuid)
    action = text(request, "action", 20)
    note = text(request, "note")
    user = request.user
    steps: dict[str, tuple[Callable[[], object], str]] = {
        "submit": (lambda: sharing.submit_request(actor=user, request=found), _("The request is sent.")),
        "withdraw": (
            lambda: sharing.withdraw_request(actor=user, request=found, note=note),
            _("The request is withdrawn."),
        ),
        "approve": (
            lambda: sharing.decide_request(
                actor=user,
                request=found,
                approved_fields=[str(f)[:40] for f in request.POST.getlist("field")[:100]],
                note=note,
            ),
            _("The decision is recorded."),
        ),
        "reject": (lambda: reject(user, found, note), _("The request is rejected.")),
        "revoke": (lambda: sharing.revoke_request(actor=user, request=found, note=note), _("The sharing is revoked.")),
        "sync": (lambda: sharing.sync_request(actor=user, request=found), _("The data is sent again.")),
    }
    to = reverse("desk:contracting_request", args=[contract.uuid, found.uuid])
    if action not in steps:
        messages.error(request, _("Unknown action."))
        return redirect(to)
    if action == "sync" and not sharing.may(user, found, SharingStatus.REVOKED):
        messages.error(request, _("Only the owner of the data sends it."))
        return redirect(to)
    work, done = steps[action]
    return attempt(request, to, work, done)


def reject(user: Any, found: DataSharingRequest, note: str) -> None:
    if not note:
        raise InvalidInput(field="note", message=_("Say why the request is rejected."))
    sharing.reject_request(actor=user, request=found, note=note)
