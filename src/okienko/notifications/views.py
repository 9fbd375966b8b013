"""Desk pages of the notification service: the message templates (with a live preview) and the
satisfaction survey's results per service and unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from okienko.accounts import access as accounts_access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.clients.access import access_client
from okienko.core import audit, clock
from okienko.notifications import defaults, rendering
from okienko.notifications.models import Channel, Event, Language, NotificationTemplate, Preference, SurveyResponse

SURVEY_DAYS = 90


def _organisation(request: HttpRequest, perm: str) -> Organisation:
    active: Organisation | None = getattr(request, "organisation", None)
    if active is not None and accounts_access.has_perm_in(request.user, perm, active):
        return active
    found = accounts_access.organisations_with(request.user, perm).order_by("path").first()
    if found is None:
        raise PermissionDenied(perm)
    return found


class TemplateForm(forms.Form):
    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("E-mail only; variables may be used, e.g. {{ case_number }}."),
    )
    body = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=rendering.BODY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "true"}),
        error_messages={"required": gettext_lazy("Write the text of the message.")},
    )
    active = forms.BooleanField(label=gettext_lazy("In use"), required=False, initial=True)

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        self.language = language
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "body" in data:
            try:
                sample = rendering.sample_context(self.language)
                self.rendered = rendering.render(data.get("subject", ""), data["body"], sample, language=self.language)
            except rendering.TemplateError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data


class PreferenceForm(forms.ModelForm[Preference]):
    class Meta:
        model = Preference
        fields = ["channel", "language", "quiet_from", "quiet_until"]
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("quiet_from")) != bool(data.get("quiet_until")):
            raise forms.ValidationError(_("Give both ends of the quiet hours, or neither."))
        return data


@login_required
@require_POST
def preference_view(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """Set how a client wants to be told (audited; staff who may edit the client)."""
    client = access_client(request.user, client_uuid, purpose="notification preference")
    accounts_access.require_perm_in(request.user, Perm.CLIENTS_EDIT, client.home_office)
    current = Preference.objects.filter(client=client).first()
    form = PreferenceForm(request.POST, instance=current)
    if not form.is_valid():
        for error in [*form.non_field_errors(), *[e for errors in form.errors.values() for e in errors]][:1]:
            messages.error(request, error)
        return redirect("clients:card", client_uuid=client.uuid)
    with transaction.atomic():
        before = audit.snapshot(current, PREFERENCE_FIELDS) if current else {}
        preference = form.save(commit=False)
        preference.client = client
        preference.updated_at = clock.now()
        preference.save()
        audit.record(
            "notification.preference_set",
            actor=request.user,
            obj=client,
            organisation_id=client.home_office_id,
            changes=audit.diff(before, audit.snapshot(preference, PREFERENCE_FIELDS)),
        )
    messages.success(request, _("The client's notification preference is saved."))
    return redirect("clients:card", client_uuid=client.uuid)


PREFERENCE_FIELDS = ["channel", "language", "quiet_from", "quiet_until"]


def _key(event: str, channel: str, language: str) -> tuple[str, str, str]:
    if event not in Event.values or channel not in Channel.values or language not in Language.values:
        raise Http404
    return event, channel, language


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request, Perm.CONFIGURE)
    own = {
        (t.event, t.channel, t.language): t
        for t in NotificationTemplate.objects.filter(organisation=organisation).select_related("updated_by")
    }
    rows = []
    for event in Event:
        for channel in Channel:
            for language in Language:
                table = defaults.EMAIL if channel == Channel.EMAIL else defaults.SMS
                key = (event.value, channel.value, language.value)
                if (event.value, language.value) not in table and key not in own:
                    continue
                rows.append(
                    {
                        "event": event,
                        "channel": channel,
                        "language": language,
                        "own": own.get(key),
                    }
                )
    return render(request, "notifications/templates_list.html", {"rows": rows, "organisation": organisation})


@login_required
def template_edit(request: HttpRequest, event: str, channel: str, language: str) -> HttpResponse:
    event, channel, language = _key(event, channel, language)
    organisation = _organisation(request, Perm.CONFIGURE)
    own = NotificationTemplate.objects.filter(
        organisation=organisation, event=event, channel=channel, language=language
    ).first()
    current = rendering.wording(organisation, event, channel, language)
    initial = {"subject": current.subject, "body": current.body, "active": True} if current else {}
    if own is not None:
        initial = {"subject": own.subject, "body": own.body, "active": own.active}
    form = TemplateForm(request.POST or None, initial=initial, language=language)
    preview: rendering.Rendered | None = None
    if request.method == "POST":
        if "restore" in request.POST:
            if own is not None:
                with transaction.atomic():
                    audit.record(
                        "notification.template_restored",
                        actor=request.user,
                        obj=own,
                        organisation_id=organisation.pk,
                        data={"event": event, "channel": channel, "language": language},
                    )
                    own.delete()
                messages.success(request, _("The shipped wording is used again."))
            return redirect("notifications:template_edit", event=event, channel=channel, language=language)
        if form.is_valid():
            if "preview" in request.POST:
                preview = form.rendered
            else:
                _save(request, organisation, own, event, channel, language, form.cleaned_data)
                messages.success(request, _("The template was saved."))
                return redirect("notifications:templates")
    elif current is not None:
        try:
            preview = rendering.render(
                current.subject, current.body, rendering.sample_context(language), language=language
            )
        except rendering.TemplateError:
            preview = None
    context = {
        "form": form,
        "event": Event(event),
        "channel": Channel(channel),
        "language": Language(language),
        "own": own,
        "organisation": organisation,
        "preview": preview,
        "variables": defaults.VARIABLES.items(),
    }
    return render(request, "notifications/template_edit.html", context)


def _save(
    request: HttpRequest,
    organisation: Organisation,
    own: NotificationTemplate | None,
    event: str,
    channel: str,
    language: str,
    data: dict[str, Any],
) -> None:
    with transaction.atomic():
        template = own or NotificationTemplate(
            organisation=organisation, event=event, channel=channel, language=language
        )
        before = audit.snapshot(template, ["subject", "body", "active"]) if own else {}
        template.subject = data.get("subject", "").strip()
        template.body = data["body"]
        template.active = bool(data.get("active"))
        template.updated_at = clock.now()
        template.updated_by = request.user if request.user.is_authenticated else None
        template.save()
        audit.record(
            "notification.template_saved",
            actor=request.user,
            obj=template,
            organisation_id=organisation.pk,
            changes=audit.diff(before, audit.snapshot(template, ["subject", "body", "active"])),
        )


@login_required
@require_POST
def template_preview(request: HttpRequest, event: str, channel: str, language: str) -> HttpResponse:
    """The live preview beside the editor (an HTML fragment)."""
    event, channel, language = _key(event, channel, language)
    _organisation(request, Perm.CONFIGURE)
    form = TemplateForm(request.POST, language=language)
    preview = form.rendered if form.is_valid() else None
    return render(
        request,
        "notifications/_preview.html",
        {"preview": preview, "errors": form.non_field_errors() or form.errors.get("body"), "channel": channel},
    )


@login_required
@require_POST
def sms_plan(request: HttpRequest) -> HttpResponse:
    """How many SMS a text takes and in which encoding (the reply box's live count)."""
    from django.http import JsonResponse

    from okienko.channels.sms import encoding

    if not accounts_access.has_perm_anywhere(request.user, Perm.CASES_WORK):
        raise PermissionDenied(Perm.CASES_WORK)
    text = request.POST.get("text", "")[:5000]
    planned = encoding.plan(text, transliterate_polish=request.POST.get("transliterate") == "1")
    price = float(getattr(settings, "OKIENKO_SMS_SEGMENT_PRICE", 0.16))
    summary = ngettext(
        "%(chars)d characters: %(count)d SMS (%(encoding)s), about %(cost)s PLN",
        "%(chars)d characters: %(count)d SMS (%(encoding)s), about %(cost)s PLN",
        planned.segments,
    ) % {
        "chars": len(text),
        "count": planned.segments,
        "encoding": "GSM-7" if planned.encoding == "gsm7" else _("UCS-2, because of Polish letters or emoji"),
        "cost": f"{planned.segments * price:.2f}".replace(".", ","),
    }
    return JsonResponse(
        {"segments": planned.segments, "encoding": planned.encoding, "too_long": planned.too_long, "summary": summary}
    )


@login_required
def survey_results(request: HttpRequest) -> HttpResponse:
    """Satisfaction per service and per unit over the last 90 days, in the viewer's scope, with
    the latest unhappy answers to act on."""
    allowed = accounts_access.organisations_with(request.user, Perm.CASES_WORK) | accounts_access.organisations_with(
        request.user, Perm.REPORTS_VIEW
    )
    if not allowed.exists():
        raise PermissionDenied(Perm.CASES_WORK)
    since = clock.now() - dt.timedelta(days=SURVEY_DAYS)
    answers = SurveyResponse.objects.filter(
        Q(organisation__in=allowed) | Q(unit__in=allowed), submitted_at__gte=since
    ).distinct()
    summary = {"unhappy": Count("id", filter=Q(rating__lte=2)), "n": Count("id"), "average": Avg("rating")}
    by_service = answers.values("service__public_name").annotate(**summary).order_by("-n", "service__public_name")[:50]
    by_unit = answers.values("unit__name").annotate(**summary).order_by("-n", "unit__name")[:50]
    unhappy = answers.filter(rating__lte=2).select_related("case", "service", "unit").order_by("-submitted_at")[:20]
    total = answers.aggregate(**summary)
    return render(
        request,
        "notifications/surveys.html",
        {"by_service": by_service, "by_unit": by_unit, "unhappy": unhappy, "total": total, "days": SURVEY_DAYS},
    )
