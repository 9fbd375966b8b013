"""Report data (issue 20, item 9): ``GET /api/v1/reports/cases/`` and ``/api/v1/reports/contacts/``.

The same figures as the desk's dashboard (``reports.dashboard``), scoped the same way: the
organisations where the caller holds ``reports.view`` — for a token, within its organisation's
subtree, and only with the scope ``reports:read``. ``since``/``until`` (YYYY-MM-DD, at most two
years; this month so far by default), ``group_by`` from a fixed list and ``organisation`` (a code
in scope, to narrow to its subtree). Figures per member of staff count only the offices where the
caller also supervises queues. The lines are not paginated: a grouping is bounded by the period
(at most 732 days) or by the organisation's own lists, and cut at :data:`MAX_LINES` with
``truncated``. A bad parameter answers 400 problem details with the reason; no scope at all 403.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from okienko.accounts.roles import Perm
from okienko.accounts.tokens import Scope
from okienko.api.authentication import ApiTokenAuthentication
from okienko.api.permissions import TokenScopes, organisations_for
from okienko.api.problems import MEDIA_TYPE, ProblemError
from okienko.api.throttling import TokenRateThrottle
from okienko.core import clock
from okienko.reports import dashboard
from okienko.reports.rollups import local_day

MAX_LINES = 5000

_PERIOD = [
    OpenApiParameter("since", OpenApiTypes.DATE, description="First local day; default: the 1st of this month."),
    OpenApiParameter("until", OpenApiTypes.DATE, description="Last local day (inclusive); at most two years."),
    OpenApiParameter("organisation", OpenApiTypes.STR, description="An organisation code in scope."),
]
_PROBLEMS = {
    (400, MEDIA_TYPE): OpenApiResponse(description="A bad period, grouping or organisation, with the reason."),
    (403, MEDIA_TYPE): OpenApiResponse(description="No reports scope (role) or token scope reports:read."),
}


def _period_schema(name: str) -> Any:
    return inline_serializer(f"{name}Period", {"since": serializers.DateField(), "until": serializers.DateField()})


class _ReportView(APIView):
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, TokenScopes]
    throttle_classes = [TokenRateThrottle]
    read_scope = Scope.REPORTS_READ
    write_scope = None
    groups: tuple[str, ...] = ()

    def scope_and_period(self, request: Request) -> tuple[dashboard.Scope, dashboard.Period, str | None]:
        offices = organisations_for(request, Perm.REPORTS_VIEW)
        ids = list(offices.values_list("pk", flat=True))
        if not ids:
            raise ProblemError(403, _("You may not see reports of any organisation."))
        supervise = organisations_for(request, Perm.QUEUES_SUPERVISE).values_list("pk", flat=True)
        scope = dashboard.scope_of(ids, supervise)
        errors: dict[str, list[str]] = {}
        group = request.query_params.get("group_by") or None
        if group is not None and group not in self.groups:
            errors["group_by"] = [_("Choose one of: %(groups)s.") % {"groups": ", ".join(self.groups)}]
        code = request.query_params.get("organisation", "").strip()
        if code:
            office = offices.filter(code=code[:50]).first()
            if office is None:
                errors["organisation"] = [_("Choose an office or unit from the list.")]
            else:
                scope = scope.narrowed(office)
        try:
            period = dashboard.parse_period(
                request.query_params.get("since"), request.query_params.get("until"), local_day(clock.now())
            )
        except dashboard.PeriodError as exc:
            errors["period"] = [exc.message]
        if errors:
            raise ProblemError(400, _("The request has invalid fields."), errors=errors)
        return scope, period, group

    def answer(self, period: dashboard.Period, group: str | None, lines: list[Any], total: Any) -> Response:
        return Response(
            {
                "period": {"since": period.since, "until": period.until},
                "group_by": group,
                "total": total.as_dict(),
                "results": [line.as_dict() for line in lines[:MAX_LINES]],
                "truncated": len(lines) > MAX_LINES,
            }
        )


_CASE_LINE = {
    "key": serializers.JSONField(help_text="The group's value: an id, a code, an hour, a date or a month."),
    "label": serializers.CharField(),
    "opened": serializers.IntegerField(),
    "resolved": serializers.IntegerField(),
    "resolved_in_time": serializers.IntegerField(),
    "in_time_percent": serializers.IntegerField(allow_null=True),
    "mean_resolution_days": serializers.FloatField(allow_null=True),
}
_CONTACT_LINE = {
    "key": serializers.JSONField(help_text="The group's value: an id, a code, an hour, a weekday (1 = Monday)."),
    "label": serializers.CharField(),
    "contacts": serializers.IntegerField(),
    "answered_at_first_contact": serializers.IntegerField(),
    "first_contact_percent": serializers.IntegerField(allow_null=True),
    "mean_handling_minutes": serializers.FloatField(allow_null=True),
}


def _report(name: str, line: dict[str, Any]) -> Any:
    return inline_serializer(
        name,
        {
            "period": _period_schema(name),
            "group_by": serializers.CharField(allow_null=True),
            "total": inline_serializer(f"{name}Line", line),
            "results": inline_serializer(f"{name}Lines", line, many=True),
            "truncated": serializers.BooleanField(),
        },
    )


class CaseReportView(_ReportView):
    groups = dashboard.CASE_GROUPS

    @extend_schema(
        operation_id="reports_cases",
        summary="Case figures of a period: registered, resolved, in time, mean resolution",
        tags=["reports"],
        parameters=[
            *_PERIOD,
            OpenApiParameter("group_by", OpenApiTypes.STR, enum=list(dashboard.CASE_GROUPS), description="Grouping."),
        ],
        responses={200: _report("CaseReport", _CASE_LINE), **_PROBLEMS},
    )
    def get(self, request: Request) -> Response:
        scope, period, group = self.scope_and_period(request)
        total = dashboard.cases(scope, period)[0]
        lines = dashboard.cases(scope, period, group) if group else []
        return self.answer(period, group, lines, total)


class ContactReportView(_ReportView):
    groups = dashboard.CONTACT_GROUPS

    @extend_schema(
        operation_id="reports_contacts",
        summary="Contact figures of a period: contacts, first-contact resolution, handling time",
        tags=["reports"],
        parameters=[
            *_PERIOD,
            OpenApiParameter(
                "group_by", OpenApiTypes.STR, enum=list(dashboard.CONTACT_GROUPS), description="Grouping."
            ),
        ],
        responses={200: _report("ContactReport", _CONTACT_LINE), **_PROBLEMS},
    )
    def get(self, request: Request) -> Response:
        scope, period, group = self.scope_and_period(request)
        total = dashboard.contacts(scope, period)[0]
        lines = dashboard.contacts(scope, period, group) if group else []
        return self.answer(period, group, lines, total)
