"""The desk's phone prompts (issue 16): supervisors of an office upload recorded prompts, have
texts spoken by the speech synthesiser and change announcements ("the office is closed today")
that the phone plays from the next call on; every prompt can be listened to at 8 and 16 kHz."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okienko.accounts import access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.core import uploads
from okienko.telephony import audio, prompts
from okienko.telephony.media_models import Prompt

MAX_LISTED = 200


def _require_supervisor(request: HttpRequest) -> None:
    if not access.has_perm_anywhere(request.user, Perm.QUEUES_SUPERVISE):
        raise PermissionDenied(Perm.QUEUES_SUPERVISE)


def _offices(request: HttpRequest) -> list[Organisation]:
    return list(access.organisations_with(request.user, Perm.QUEUES_SUPERVISE).order_by("name")[:500])


def _prompt(request: HttpRequest, prompt_id: int) -> Prompt:
    prompt = Prompt.objects.select_related("organisation").filter(pk=prompt_id).first()
    if prompt is None or not prompts.may_manage(request.user, prompt.organisation):
        raise Http404("prompt")
    return prompt


@login_required
@require_GET
def prompt_list_view(request: HttpRequest) -> HttpResponse:
    """Prompts of the offices the supervisor runs, announcements first."""
    _require_supervisor(request)
    offices = _offices(request)
    found = (
        Prompt.objects.filter(organisation__in=offices)
        .select_related("organisation", "updated_by")
        .prefetch_related("audio")
        .order_by("-is_announcement", "organisation__name", "code")
    )
    return render(
        request,
        "desk/phone/prompts.html",
        {
            "prompts": list(found[:MAX_LISTED]),
            "offices": offices,
            "max_text": audio.MAX_TEXT,
            "max_minutes": audio.MAX_SECONDS // 60,
            "voice": audio.default_voice(),
            "rate": audio.default_rate(),
        },
    )


def _office_from(request: HttpRequest) -> Organisation | None:
    code = request.POST.get("office", "")[:60]
    office = Organisation.objects.filter(code=code).first() if code else None
    if office is None or not prompts.may_manage(request.user, office):
        messages.error(request, _("Choose one of your offices."))
        return None
    return office


def _flag(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name, "") in ("1", "on", "true")


@login_required
@require_POST
def prompt_synthesise_view(request: HttpRequest) -> HttpResponse:
    _require_supervisor(request)
    office = _office_from(request)
    if office is None:
        return redirect("desk:phone_prompts")
    rate_text = request.POST.get("rate", "").strip()
    if rate_text and not rate_text.isdigit():
        messages.error(request, _("The speed must be from 80 to 450 words per minute."))
        return redirect("desk:phone_prompts")
    try:
        prompt = prompts.synthesise_prompt(
            actor=request.user,
            organisation=office,
            code=request.POST.get("code", "")[:100],
            name=request.POST.get("name", "")[:300],
            text=request.POST.get("text", "")[: audio.MAX_TEXT + 1],
            rate=int(rate_text[:4]) if rate_text else None,
            is_announcement=_flag(request, "is_announcement"),
            active=not _flag(request, "is_announcement") or _flag(request, "active"),
        )
    except prompts.PromptError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The prompt “%(name)s” is ready.") % {"name": prompt.name})
    return redirect("desk:phone_prompts")


@login_required
@require_POST
def prompt_upload_view(request: HttpRequest) -> HttpResponse:
    _require_supervisor(request)
    office = _office_from(request)
    if office is None:
        return redirect("desk:phone_prompts")
    sent = request.FILES.get("file")
    if sent is None:
        messages.error(request, _("Choose a sound file."))
        return redirect("desk:phone_prompts")
    if sent.size is not None and sent.size > audio.MAX_UPLOAD_BYTES:
        messages.error(request, uploads.too_large_message(audio.MAX_UPLOAD_BYTES))
        return redirect("desk:phone_prompts")
    try:
        prompt = prompts.upload_prompt(
            actor=request.user,
            organisation=office,
            code=request.POST.get("code", "")[:100],
            name=request.POST.get("name", "")[:300],
            data=sent.read(audio.MAX_UPLOAD_BYTES + 1),
            transcript=request.POST.get("text", "")[: audio.MAX_TEXT + 1],
            is_announcement=_flag(request, "is_announcement"),
        )
    except prompts.PromptError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The recording “%(name)s” is ready.") % {"name": prompt.name})
    return redirect("desk:phone_prompts")


@login_required
@require_POST
def prompt_change_view(request: HttpRequest, prompt_id: int) -> HttpResponse:
    """A new text (spoken again) and/or switched on or off."""
    _require_supervisor(request)
    prompt = _prompt(request, prompt_id)
    text = request.POST.get("text")
    try:
        prompts.change_prompt(
            actor=request.user,
            prompt=prompt,
            text=text[: audio.MAX_TEXT + 1] if text is not None and prompt.kind == Prompt.Kind.SYNTHESISED else None,
            active=_flag(request, "active") if "active_sent" in request.POST else None,
        )
    except prompts.PromptError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The prompt “%(name)s” is saved; callers hear it from now on.") % {"name": prompt.name}
        )
    return redirect("desk:phone_prompts")


@login_required
@require_http_methods(["GET", "HEAD"])
def prompt_audio_view(request: HttpRequest, prompt_id: int, rate: int) -> FileResponse:
    _require_supervisor(request)
    prompt = _prompt(request, prompt_id)
    stored = prompt.audio.filter(sample_rate=rate).first()
    if stored is None:
        raise Http404("audio")
    return stored.download()
