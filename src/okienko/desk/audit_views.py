"""The audit log for administrators: filter, page through, verify the hash chain."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.core import audit
from okienko.core.models import AuditRecord


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action contains"), required=False, max_length=80)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=80)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("any")), *AuditRecord.Kind.choices])
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@require_http_methods(["GET", "POST"])
def audit_log_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated or not access.has_perm_anywhere(request.user, Perm.AUDIT_VIEW):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    entries = AuditRecord.objects.order_by("-id")
    if not request.user.is_superuser:
        # an auditor reads the entries of the organisations where they hold audit.view; entries of
        # no organisation (system-wide) and of other controllers only the installation's superuser
        scope = list(access.organisations_with(request.user, Perm.AUDIT_VIEW).values_list("pk", flat=True))
        entries = entries.filter(organisation_id__in=scope)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            entries = entries.filter(action__icontains=data["action"])
        if data["actor"]:
            entries = entries.filter(actor_repr=data["actor"])
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"])
        if data["object_id"]:
            entries = entries.filter(object_id=data["object_id"])
        if data["kind"]:
            entries = entries.filter(kind=data["kind"])
        if data["since"]:
            entries = entries.filter(at__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(at__date__lte=data["until"])
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    report = audit.verify_chain() if request.method == "POST" else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "desk/audit_log.html",
        {"form": form, "page": page, "report": report, "query": query.urlencode()},
    )
