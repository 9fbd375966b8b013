"""The desk's phone: the consultant's console with the screen pop, the wrap-up, the supervisor's
wallboard, the call reports and the staffing calculator, and the softphone that places test calls
into the engine (issue 15). The live parts talk to the engine over ``/ws/telephony/…``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okienko.accounts import access
from okienko.accounts.models import User
from okienko.accounts.roles import Perm
from okienko.clients.access import access_client
from okienko.core import audit, clock, panels
from okienko.core.ids import parse_uuid
from okienko.core.panels import render_panels
from okienko.interactions import actions as interaction_actions
from okienko.interactions.models import Callback, Interaction
from okienko.telephony import directory, sip_accounts
from okienko.telephony.models import CallEventRecord, PauseReason, PhoneQueue

INTERVALS = {"900": _("15 minutes"), "1800": _("30 minutes"), "3600": _("hour"), "86400": _("day")}
GROUPS = ("queue", "office", "agent")
MAX_REPORT_DAYS = 92


def _staff(request: HttpRequest, perm: str) -> User:
    if not access.has_perm_anywhere(request.user, perm):
        raise PermissionDenied(perm)
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_GET
def console_view(request: HttpRequest) -> HttpResponse:
    """The consultant's phone: state (ready, pause with a reason, log out), the ringing call with
    the caller's context before answering, the call in progress, and the wrap-up."""
    user = _staff(request, Perm.INTERACTIONS_RECORD)
    queues = directory.agent_queues(user)
    names = dict(PhoneQueue.objects.filter(code__in=queues).values_list("code", "name"))
    callbacks = Callback.objects.for_target(user).open().select_related("client", "target_unit").order_by("due_at")[:20]
    browser_phone = sip_accounts.account_for(user) is not None
    response = render(
        request,
        "desk/phone/console.html",
        {
            "callbacks": list(callbacks),
            "queues": [(names.get(code, code), penalty) for code, penalty in sorted(queues.items())],
            "pause_reasons": [(v, label) for v, label in PauseReason.choices if v != PauseReason.NO_ANSWER],
            "outcomes": Interaction.Outcome.choices,
            # The browser phone panel (its credentials come from phone:browser_phone, never the page).
            "browser_phone": browser_phone,
        },
    )
    if browser_phone:  # this page alone may use the microphone (the site's policy forbids it)
        response["Permissions-Policy"] = sip_accounts.permissions_policy(settings.PERMISSIONS_POLICY)
    return response


@login_required
@require_GET
def pop_view(request: HttpRequest) -> HttpResponse:
    """The caller's context for the screen pop: the client-card panels (open cases, callbacks,
    last contacts) of the identified client; reading it is logged like opening the card."""
    _staff(request, Perm.INTERACTIONS_RECORD)
    key = request.GET.get("client", "")[:40]
    if not key.isdigit():
        raise Http404("client")
    client = access_client(request.user, int(key), purpose="phone screen pop")
    return render(
        request,
        "desk/phone/_pop.html",
        {"client": client, "panels": render_panels(request, panels.CLIENT_CARD, client)},
    )


@login_required
@require_POST
def wrap_up_view(request: HttpRequest) -> HttpResponse:
    user = _staff(request, Perm.INTERACTIONS_RECORD)
    outcome = request.POST.get("outcome", "")
    done = directory.record_wrap_up(
        user, request.POST.get("interaction", "")[:40], outcome, request.POST.get("notes", "")[:2000]
    )
    if done is None:
        messages.error(request, _("The call's contact was not found or the wrap-up code is unknown."))
    else:
        messages.success(request, _("The wrap-up is saved on the contact."))
    return redirect("phone:console")


@login_required
@require_POST
def callback_outcome_view(request: HttpRequest) -> HttpResponse:
    """The outcome of a callback worked as a preview call: done or failed closes it (onto the
    client's history), "later" moves it by the chosen hours."""
    user = _staff(request, Perm.INTERACTIONS_RECORD)
    key = parse_uuid(request.POST.get("callback", ""))
    callback = Callback.objects.filter(uuid=key).first() if key else None
    if callback is None or not interaction_actions.may_close(user, callback):
        if callback is not None:
            audit.record_denied(user, callback, organisation_id=callback.organisation_id, purpose="callback outcome")
        raise Http404("callback")
    outcome, result = request.POST.get("outcome", ""), request.POST.get("result", "")[:2000]
    try:
        if outcome in (Callback.Status.DONE, Callback.Status.FAILED):
            interaction_actions.close_callback(actor=user, callback=callback, status=outcome, result=result)
            messages.success(request, _("The callback was closed."))
        elif outcome == "later":
            hours = int(request.POST.get("hours", "2")) if request.POST.get("hours", "2").isdigit() else 0
            if not 1 <= hours <= 72 or callback.status != Callback.Status.CREATED:
                raise interaction_actions.InteractionError(_("Choose from 1 to 72 hours."), field="hours")
            before = audit.snapshot(callback, ["due_at"])
            callback.due_at = clock.now() + dt.timedelta(hours=hours)
            callback.save(update_fields=["due_at"])
            audit.record(
                "telephony.callback_rescheduled",
                actor=user,
                obj=callback,
                organisation_id=callback.organisation_id,
                changes=audit.diff(before, audit.snapshot(callback, ["due_at"])),
            )
            messages.success(request, _("The callback is moved to later."))
        else:
            messages.error(request, _("Choose the outcome of the call."))
    except interaction_actions.InteractionError as exc:
        messages.error(request, exc.message)
    return redirect("phone:console")


@login_required
@require_GET
def wallboard_view(request: HttpRequest) -> HttpResponse:
    _staff(request, Perm.QUEUES_SUPERVISE)
    scope = directory.supervised_offices(request.user)  # type: ignore[arg-type]
    queues = PhoneQueue.objects.filter(active=True, organisation__code__in=scope).order_by("name")
    return render(request, "desk/phone/wallboard.html", {"queues": list(queues)})


# The calendar the reports accept: beyond it a day's bounds overflow (``date.max + 1 day``).
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _day(value: str, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
@require_GET
def reports_view(request: HttpRequest) -> HttpResponse:
    """Calls per interval and queue, office or consultant, from the engine's event log; CSV with
    ``?format=csv``. Only the queues of offices the viewer may report on."""
    from okienko.telephony.engine import reports

    user = _staff(request, Perm.REPORTS_VIEW)
    today = timezone.localdate()
    start = _day(request.GET.get("from", ""), today)
    end = _day(request.GET.get("to", ""), start)
    problems = []
    if not (FIRST_DAY <= start <= LAST_DAY and FIRST_DAY <= end <= LAST_DAY):
        problems.append(_("Choose dates between 2000 and 2100."))
        start = end = today
    if end < start:
        problems.append(_("The end date is before the start date."))
        end = start
    if (end - start).days > MAX_REPORT_DAYS:
        problems.append(_("Choose at most %(days)d days.") % {"days": MAX_REPORT_DAYS})
        end = start + dt.timedelta(days=MAX_REPORT_DAYS)
    interval = request.GET.get("interval", "3600")
    interval = interval if interval in INTERVALS else "3600"
    by = request.GET.get("by", "queue")
    by = by if by in GROUPS else "queue"
    scope = list(access.organisations_with(user, Perm.REPORTS_VIEW).values_list("code", flat=True))
    queues = {q.code: q for q in PhoneQueue.objects.filter(organisation__code__in=scope).select_related("organisation")}
    zone = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, zone)
    in_period = CallEventRecord.objects.filter(at__gte=since, at__lt=until).order_by("id")
    events = [r.as_event() for r in in_period.filter(queue__in=queues).iterator(chunk_size=5000)]
    # An agent's own events (login, pause, wrap-up) carry no queue: only those of the consultants
    # who worked these queues in the period, so other offices' staff stay out of the report.
    agents = {e.agent for e in events if e.agent}
    events += [r.as_event() for r in in_period.filter(queue="", agent__in=agents).iterator(chunk_size=5000)]
    threshold = float(next(iter(queues.values())).service_level_seconds) if queues else 15.0
    rows = reports.interval_report(
        events,
        interval=int(interval),
        by=by,
        target_seconds=threshold,
        offices={code: q.organisation.code for code, q in queues.items()},
        utc_offset=(since.utcoffset() or dt.timedelta()).total_seconds(),
    )
    if by == "queue":
        rows = [r for r in rows if r.key in queues]
    labels = _labels(by, queues, agents)
    if request.GET.get("format") == "csv":
        response = HttpResponse(reports.to_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="calls-{start}-{end}-{by}.csv"'
        return response
    return render(
        request,
        "desk/phone/reports.html",
        {
            "rows": [_row(r, labels, zone) for r in rows],
            "totals": reports.totals(rows).as_dict() if rows else None,
            "start": start,
            "end": end,
            "interval": interval,
            "by": by,
            "intervals": INTERVALS.items(),
            "problems": problems,
            "query": request.GET.urlencode(),
        },
    )


def _labels(by: str, queues: dict[str, PhoneQueue], agents: set[str]) -> dict[str, str]:
    if by == "queue":
        return {code: q.name for code, q in queues.items()}
    if by == "office":
        return {q.organisation.code: q.organisation.name for q in queues.values()}
    ids = [int(agent) for agent in agents if agent.isdigit()]
    return {str(u.pk): u.get_full_name() or u.get_username() for u in User.objects.filter(pk__in=ids)}


def _row(row: Any, labels: dict[str, str], zone: Any) -> dict[str, Any]:
    data: dict[str, Any] = dict(row.as_dict())
    data["label"] = labels.get(row.key, row.key)
    data["starts"] = dt.datetime.fromtimestamp(row.start, zone)
    data["sl_percent"] = round(100 * row.service_level) if row.service_level is not None else None
    return data


@login_required
def staffing_view(request: HttpRequest) -> HttpResponse:
    """Erlang C / Erlang A: consultants needed for a service-level target."""
    from okienko.telephony.engine import erlang

    _staff(request, Perm.QUEUES_SUPERVISE)
    values = {
        "calls_per_hour": request.GET.get("calls_per_hour", "120"),
        "aht": request.GET.get("aht", "180"),
        "target_sl": request.GET.get("target_sl", "0.9"),
        "target_seconds": request.GET.get("target_seconds", "15"),
        "shrinkage": request.GET.get("shrinkage", "0.3"),
        "patience": request.GET.get("patience", ""),
    }
    result, problem = None, ""
    try:
        calls = float(values["calls_per_hour"])
        aht = float(values["aht"])
        target_sl = float(values["target_sl"])
        seconds = float(values["target_seconds"])
        shrinkage = float(values["shrinkage"])
        patience = float(values["patience"]) if values["patience"] else None
        if not (0 < calls <= 100_000 and 0 < aht <= 7200 and 0 < target_sl < 1 and 0 < seconds <= 3600):
            raise ValueError
        if not 0 <= shrinkage < 1 or (patience is not None and patience <= 0):
            raise ValueError
        result = erlang.agents_for(calls, aht, target_sl, seconds, shrinkage=shrinkage, patience=patience)
    except (ValueError, ArithmeticError, OverflowError):
        problem = _("Give positive numbers: calls per hour, handling time and answer time; a target between 0 and 1.")
    return render(request, "desk/phone/staffing.html", {"values": values, "result": result, "problem": problem})


@require_GET
def softphone_view(request: HttpRequest) -> HttpResponse:
    """The simulator's telephone: dial an entry number, read the prompts, press digits."""
    staff = request.user.is_authenticated and access.has_perm_anywhere(request.user, Perm.INTERACTIONS_RECORD)
    if not staff and not getattr(settings, "TELEPHONY_PUBLIC_SOFTPHONE", False):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(Perm.INTERACTIONS_RECORD)
    from okienko.telephony.ivr.models import EntryNumber

    numbers = list(EntryNumber.objects.filter(active=True).order_by("number"))
    template = "desk/phone/softphone.html" if staff else "desk/phone/softphone_public.html"
    return render(request, template, {"numbers": numbers, "demo_callers": _demo_callers()})


def _demo_callers() -> list[Any]:
    """On the demo only: a few demo clients who have the demo PIN, so a visitor can try the
    identification (their numbers are made up; nothing else about them is shown)."""
    if not getattr(settings, "TELEPHONY_PUBLIC_SOFTPHONE", False):
        return []
    from okienko.clients.models import Client

    offices = PhoneQueue.objects.values_list("organisation_id", flat=True)
    return list(
        Client.objects.exclude(pin_hash="")
        .filter(home_office_id__in=offices)
        .select_related("home_office")
        .order_by("number")[:3]
    )


@require_GET
def prompt_audio_view(request: HttpRequest, token: str) -> FileResponse:
    """A prompt's sound for the softphone and Asterisk's media cache: only files the engine named
    (signed), only prompts (the speech cache or a stored prompt), never anything personal."""
    from okienko.telephony.lines import prompt_path

    path = prompt_path(token[:2000])
    if path is None:
        raise Http404("prompt")
    response = FileResponse(path.open("rb"), content_type="audio/wav")
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
