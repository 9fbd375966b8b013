"""The desk page where an organisation imports its area boundaries for the map (ADR 0071).

For staff with ``admin.configure`` (the organisation's administrator: the permission that already
sets up its organisation, units and services) in the organisation chosen; 403 for anyone else. The
outcome and the rejected features are shown on the page and can be downloaded as CSV.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from okienko.accounts import access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.reports import areas
from okienko.reports.adhoc import csv_lines
from okienko.reports.area_models import Area, AreaImport, AreaKind

UPLOAD_MAX_BYTES = 10 * 1024 * 1024  # the desk's request limit (REQUEST_MAX_BYTES); larger files: the command


class AreaForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind of areas"), choices=AreaKind.choices)
    file = forms.FileField(label=gettext_lazy("GeoJSON file"))
    name_property = forms.CharField(
        label=gettext_lazy("Property with the names (optional)"), required=False, max_length=60
    )
    code_property = forms.CharField(
        label=gettext_lazy("Property with the codes (optional)"), required=False, max_length=60
    )
    replace = forms.BooleanField(
        label=gettext_lazy("Remove the areas of this kind that are not in the file"), required=False
    )
    dry_run = forms.BooleanField(label=gettext_lazy("Only check the file, save nothing"), required=False)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        self.fields["file"].widget.attrs.update(
            {"accept": ".geojson,.json,application/geo+json,application/json", "aria-describedby": "areas-file-help"}
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB; import it with the reports_import_areas command.")
                % {"size": UPLOAD_MAX_BYTES // (1024 * 1024)}
            )
        return upload


def _organisations(request: HttpRequest) -> Any:
    organisations = access.organisations_with(request.user, Perm.CONFIGURE).order_by("name", "pk")
    if not organisations.exists():
        raise PermissionDenied(Perm.CONFIGURE)
    return organisations


@login_required
@require_http_methods(["GET", "POST"])
def areas_view(request: HttpRequest) -> HttpResponse:
    organisations = _organisations(request)
    outcome: areas.Outcome | None = None
    refusal = ""
    status = 200
    if request.method == "POST":
        form = AreaForm(request.POST, request.FILES, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                outcome = areas.import_areas(
                    upload.read(),
                    organisation=data["organisation"],
                    kind=data["kind"],
                    actor=request.user,
                    source_name=str(upload.name or ""),
                    name_property=data["name_property"],
                    code_property=data["code_property"],
                    replace=data["replace"],
                    dry_run=data["dry_run"],
                )
            except areas.AreaImportRefused as refused:
                refusal, status = refused.message, 400
        else:
            status = 400
    else:
        form = AreaForm(organisations=organisations)
    ids = list(organisations.values_list("pk", flat=True))
    context: dict[str, Any] = {
        "here": "map",
        "form": form,
        "outcome": outcome,
        "counts": outcome.counts() if outcome else None,
        "refusal": refusal,
        "areas": Area.objects.filter(organisation_id__in=ids)
        .select_related("organisation")
        .only("name", "code", "kind", "source_name", "imported_at", "organisation__name")
        .order_by("organisation__name", "kind", "name", "pk")[:2000],
        "imports": AreaImport.objects.filter(organisation_id__in=ids).select_related("organisation")[:10],
        "max_mb": UPLOAD_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "reports/areas.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def rejections_csv_view(request: HttpRequest) -> HttpResponseBase:
    """The rejected features of one import (``?import=<id>``) of an organisation the reader configures."""
    organisations = _organisations(request)
    raw = (request.GET.get("import") or "").strip()[:12]
    record = None
    if raw.isdigit():
        record = AreaImport.objects.filter(pk=int(raw), organisation__in=organisations).first()
    if record is None:
        return HttpResponse(_("There is no such import."), status=404, content_type="text/plain; charset=utf-8")
    header = [_("Feature"), _("Field"), _("Reason")]
    rows = ([r.get("index", ""), r.get("field", ""), r.get("reason", "")] for r in record.rejections)
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="odrzucone-{record.pk}.csv"'
    return response
