"""The desk's call recordings and voicemail (issue 16).

Recordings: supervisors (``QUEUES_SUPERVISE``) of the recording's office list them by day and
queue and play them; every fetch of the sound is audited (``telephony.recording_played``) and
sent as a download a browser will not render. Voicemail: the staff of the box's office (those
who record contacts) listen to the messages (logged) and call back through the console's
callback, which marks the message handled."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.core import audit
from okienko.telephony import recordings, voicemail
from okienko.telephony.media_models import CallRecording, VoicemailMessage
from okienko.telephony.models import PhoneQueue

MAX_LISTED = 200
MAX_DAYS = 92


def _require(request: HttpRequest, perm: str) -> None:
    if not access.has_perm_anywhere(request.user, perm):
        raise PermissionDenied(perm)


# The calendar the lists accept: beyond it a day's bounds overflow (``date.max + 1 day``).
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def recording_list_view(request: HttpRequest) -> HttpResponse:
    """Recordings of the supervised offices, newest first, filtered by day range and queue."""
    _require(request, Perm.QUEUES_SUPERVISE)
    today = timezone.localdate()
    start = _day(request.GET.get("from", "")) or today - dt.timedelta(days=7)
    end = _day(request.GET.get("to", "")) or today
    problems = []
    if not (FIRST_DAY <= start <= LAST_DAY and FIRST_DAY <= end <= LAST_DAY):
        problems.append(_("Choose dates between 2000 and 2100."))
        start, end = today - dt.timedelta(days=7), today
    if end < start:
        problems.append(_("The end date is before the start date."))
        end = start
    if (end - start).days > MAX_DAYS:
        problems.append(_("Choose at most %(days)d days.") % {"days": MAX_DAYS})
        end = start + dt.timedelta(days=MAX_DAYS)
    zone = timezone.get_current_timezone()
    found = recordings.visible_to(request.user).filter(
        started_at__gte=dt.datetime.combine(start, dt.time.min, zone),
        started_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, zone),
    )
    offices = access.organisations_with(request.user, Perm.QUEUES_SUPERVISE)
    queues = list(PhoneQueue.objects.filter(organisation__in=offices).order_by("name").values_list("code", "name"))
    queue = request.GET.get("queue", "")[:60]
    if queue and queue in dict(queues):
        found = found.filter(queue=queue)
    else:
        queue = ""
    rows = list(found.select_related("organisation").order_by("-started_at")[: MAX_LISTED + 1])
    names = dict(queues)
    for row in rows:
        row.queue_name = names.get(row.queue, row.queue)  # type: ignore[attr-defined]
    return render(
        request,
        "desk/phone/recordings.html",
        {
            "recordings": rows[:MAX_LISTED],
            "more": len(rows) > MAX_LISTED,
            "start": start,
            "end": end,
            "queue": queue,
            "queues": queues,
            "problems": problems,
        },
    )


def _recording(request: HttpRequest, recording_uuid: str, purpose: str) -> CallRecording:
    """The recording if the viewer supervises its office; any refusal is audited (answered 404)."""
    found = CallRecording.objects.select_related("organisation", "interaction").filter(uuid=recording_uuid).first()
    if found is None:
        raise Http404("recording")
    if not recordings.may_play(request.user, found):
        audit.record_denied(request.user, found, organisation_id=found.organisation_id, purpose=purpose)
        raise Http404("recording")
    return found


@login_required
@require_GET
def recording_detail_view(request: HttpRequest, recording_uuid: str) -> HttpResponse:
    recording = _recording(request, recording_uuid, "recording page")
    queue = PhoneQueue.objects.filter(code=recording.queue).first()
    return render(request, "desk/phone/recording.html", {"recording": recording, "queue": queue})


@login_required
@require_http_methods(["GET", "HEAD"])
def recording_audio_view(request: HttpRequest, recording_uuid: str) -> FileResponse:
    """The recording's sound; every fetch is audited (the log shows who listened to which call)."""
    recording = _recording(request, recording_uuid, "recording playback")
    recordings.record_played(request.user, recording, purpose=request.GET.get("purpose", "")[:200])
    return recording.download()


# -- voicemail ---------------------------------------------------------------------------------


@login_required
@require_GET
def voicemail_list_view(request: HttpRequest) -> HttpResponse:
    """Messages in the boxes of the viewer's offices; not yet handled first."""
    _require(request, Perm.INTERACTIONS_RECORD)
    show = request.GET.get("show", "open")
    show = show if show in ("open", "all") else "open"
    found = voicemail.visible_to(request.user).select_related("box__organisation", "client", "callback")
    if show == "open":
        found = found.filter(handled_at__isnull=True)
    rows = list(found.order_by("handled_at", "-received_at")[: MAX_LISTED + 1])
    return render(
        request,
        "desk/phone/voicemail.html",
        {"voicemail": rows[:MAX_LISTED], "more": len(rows) > MAX_LISTED, "show": show},
    )


def _message(request: HttpRequest, message_uuid: str, purpose: str) -> VoicemailMessage:
    """The message if the viewer records contacts in its office; any refusal is audited (404)."""
    found = VoicemailMessage.objects.select_related("box__organisation", "callback").filter(uuid=message_uuid).first()
    if found is None:
        raise Http404("voicemail")
    if not voicemail.may_listen(request.user, found):
        audit.record_denied(request.user, found, organisation_id=found.box.organisation_id, purpose=purpose)
        raise Http404("voicemail")
    return found


@login_required
@require_http_methods(["GET", "HEAD"])
def voicemail_audio_view(request: HttpRequest, message_uuid: str) -> FileResponse:
    message = _message(request, message_uuid, "voicemail playback")
    voicemail.record_listened(request.user, message)
    return message.download()


@login_required
@require_POST
def voicemail_call_back_view(request: HttpRequest, message_uuid: str) -> HttpResponse:
    """Take the message on: marked handled, and on to the console where its callback is dialled
    (preview call) and its outcome recorded."""
    message = _message(request, message_uuid, "voicemail call back")
    voicemail.mark_handled(request.user, message)
    if message.callback is None or message.callback.status != message.callback.Status.CREATED:
        messages.info(request, _("The message is marked as handled."))
        return redirect("desk:phone_voicemail")
    messages.info(request, _("Call the client back from the list of callbacks and record the outcome."))
    return redirect(reverse("phone:console") + f"#cb-{message.callback.uuid}")
