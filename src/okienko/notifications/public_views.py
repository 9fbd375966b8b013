"""The pages a message's signed links open, without signing in: the satisfaction survey and the
answer to the office's question (with files)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from okienko.cases import actions as case_actions
from okienko.cases.intake import CaseInputError
from okienko.cases.models import Case, CaseNote
from okienko.cases.workflow import FINISHED_STATUSES, Status
from okienko.core import audit, clock, context
from okienko.core.choices import Channel
from okienko.notifications import links
from okienko.notifications.models import SurveyResponse

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
RATINGS = [
    (5, gettext_lazy("5 – very good")),
    (4, gettext_lazy("4 – good")),
    (3, gettext_lazy("3 – so-so")),
    (2, gettext_lazy("2 – poor")),
    (1, gettext_lazy("1 – very poor")),
]


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How satisfied are you with how your matter was handled?"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose from 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything to add? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    may_contact = forms.BooleanField(label=gettext_lazy("You may contact me about my answer"), required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise ValidationError(_("Attach at most %(count)d files.") % {"count": MAX_FILES})
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in files]
        for item in cleaned:
            if item.size > MAX_FILE_BYTES:
                raise ValidationError(_("The file %(name)s is larger than 10 MB.") % {"name": item.name})
        return cleaned


class AnswerForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Your answer"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": gettext_lazy("Write your answer.")},
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Files (optional)"),
        required=False,
        help_text=gettext_lazy("Up to 5 files, each up to 10 MB: PDF, images, office documents."),
    )


def _case(token: str, *, salt: str, max_age: Any) -> Case | None:
    uuid = links.case_uuid(token, salt=salt, max_age=max_age)
    if uuid is None:
        return None
    return Case.objects.select_related("service", "organisation", "assigned_unit").filter(uuid=uuid).first()


@never_cache
def survey_view(request: HttpRequest, token: str) -> HttpResponse:
    case = _case(token, salt=links.SURVEY_SALT, max_age=links.SURVEY_VALID)
    if case is None:
        return render(request, "notifications/public/link_invalid.html", status=404)
    if SurveyResponse.objects.filter(case=case).exists():
        return render(request, "notifications/public/survey_done.html", {"case": case, "again": True})
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _record_survey(case, form.cleaned_data)
        if response is None:
            return render(request, "notifications/public/survey_done.html", {"case": case, "again": True})
        return render(request, "notifications/public/survey_done.html", {"case": case, "response": response})
    return render(request, "notifications/public/survey.html", {"case": case, "form": form})


def _record_survey(case: Case, data: dict[str, Any]) -> SurveyResponse | None:
    """Store the answer (once per case); an unhappy answer to a finished case reopens it on the
    client's request, so the unit sees it in its queue with the client's words."""
    with context.channel("web"), transaction.atomic():
        try:
            response = SurveyResponse.objects.create(
                case=case,
                organisation=case.organisation,
                unit=case.assigned_unit,
                service=case.service,
                rating=data["rating"],
                comment=data.get("comment", "").strip(),
                may_contact=bool(data.get("may_contact")),
                submitted_at=clock.now(),
            )
        except IntegrityError:
            return None
        audit.record(
            "notification.survey_answered",
            actor=None,
            obj=case,
            organisation_id=case.organisation_id,
            data={"rating": response.rating, "may_contact": response.may_contact},
        )
        if response.unhappy and case.status in (Status.RESOLVED, Status.CLOSED):
            reason = _("The client is not satisfied (%(rating)d of 5).") % {"rating": response.rating}
            if response.comment:
                reason += " " + response.comment
            case_actions.reopen_case(actor=None, case=case, reason=reason, on_client_request=True)
            response.reopen_requested = True
            response.save(update_fields=["reopen_requested"])
    return response


@never_cache
def answer_view(request: HttpRequest, token: str) -> HttpResponse:
    case = _case(token, salt=links.ANSWER_SALT, max_age=links.ANSWER_VALID)
    if case is None:
        return render(request, "notifications/public/link_invalid.html", status=404)
    if case.status in FINISHED_STATUSES:
        return render(request, "notifications/public/answer_closed.html", {"case": case})
    question = case.notes.filter(visibility=CaseNote.Visibility.PUBLIC).order_by("-created_at", "-id").first()
    form = AnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            _record_answer(case, form.cleaned_data)
        except CaseInputError as exc:
            for field, message in exc.errors.items():
                form.add_error("attachments" if field == "file" else None, message)
        else:
            return redirect("notifications_public:answer_sent", token=token)
    return render(request, "notifications/public/answer.html", {"case": case, "form": form, "question": question})


def _record_answer(case: Case, data: dict[str, Any]) -> None:
    with context.channel("web"), transaction.atomic():
        for upload in data.get("attachments") or []:
            case_actions.add_attachment(
                actor=None, case=case, name=upload.name, data=upload.read(), public=False, as_client=True
            )
        case_actions.add_client_message(case=case, body=data["message"], channel=Channel.WEB)


@never_cache
def answer_sent_view(request: HttpRequest, token: str) -> HttpResponse:
    case = _case(token, salt=links.ANSWER_SALT, max_age=links.ANSWER_VALID)
    if case is None:
        return render(request, "notifications/public/link_invalid.html", status=404)
    return render(request, "notifications/public/answer_sent.html", {"case": case})
