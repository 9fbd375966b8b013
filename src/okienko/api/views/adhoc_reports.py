"""A saved ad hoc report run through the API (issue 20, items 5 and 9; ADR 0069):
``GET /api/v1/reports/adhoc/?report=<id>[&page=N]``.

The report must be the caller's own or shared with an organisation in their reports scope; it is
checked against the whitelist again and run in the *caller's* scope (for a token, within its
organisation's subtree, with the scope ``reports:read``) — never the owner's. A grouped report
answers its groups, any other one its rows, 500 a page.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Q
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
from okienko.reports import adhoc
from okienko.reports.adhoc_models import SavedReport

PAGE = 500


class AdhocReportView(APIView):
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, TokenScopes]
    throttle_classes = [TokenRateThrottle]
    read_scope = Scope.REPORTS_READ
    write_scope = None

    @extend_schema(
        operation_id="reports_adhoc",
        summary="Run a saved ad hoc report in the caller's own scope",
        tags=["reports"],
        parameters=[
            OpenApiParameter("report", OpenApiTypes.INT, required=True, description="A saved report's id."),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page of 500 rows or groups (from 1)."),
        ],
        responses={
            200: inline_serializer(
                "AdhocReport",
                {
                    "report": inline_serializer(
                        "AdhocReportRef", {"id": serializers.IntegerField(), "name": serializers.CharField()}
                    ),
                    "definition": serializers.JSONField(),
                    "count": serializers.IntegerField(
                        help_text="Groups (of a grouped report) or matching records, in the caller's scope."
                    ),
                    "columns": serializers.ListField(child=serializers.CharField()),
                    "results": serializers.ListField(child=serializers.ListField(child=serializers.JSONField())),
                    "page": serializers.IntegerField(),
                    "pages": serializers.IntegerField(),
                },
            ),
            (400, MEDIA_TYPE): OpenApiResponse(description="No report id, a bad page, or a definition refused."),
            (403, MEDIA_TYPE): OpenApiResponse(description="No reports scope (role) or token scope reports:read."),
            (404, MEDIA_TYPE): OpenApiResponse(description="No such report visible to the caller."),
        },
    )
    def get(self, request: Request) -> Response:
        scope = list(organisations_for(request, Perm.REPORTS_VIEW).values_list("pk", flat=True))
        if not scope:
            raise ProblemError(403, _("You may not see reports of any organisation."))
        try:
            pk = int(request.query_params.get("report", ""))
            number = int(request.query_params.get("page", "1"))
        except ValueError:
            raise ProblemError(
                400, _("The request has invalid fields."), errors={"report": [_("Give a saved report's id.")]}
            ) from None
        if not 0 < pk < 2**62:
            raise ProblemError(404, _("No such report."))
        report = (
            SavedReport.objects.filter(pk=pk)
            .filter(Q(owner=request.user) | Q(shared=SavedReport.Sharing.ORGANISATION, organisation_id__in=scope))
            .first()
        )
        if report is None:
            raise ProblemError(404, _("No such report."))
        try:
            definition = adhoc.parse(report.definition)
        except adhoc.DefinitionError as refused:
            raise ProblemError(400, _("The report cannot be made."), errors={"definition": refused.reasons}) from None
        columns: list[str]
        rows: list[list[Any]]
        if definition.group_by:
            columns = [*definition.group_by, *definition.measures]
            paginator = Paginator(adhoc.grouped(definition, scope), PAGE)
            page = _page(paginator, number)
            finished = adhoc.finish(definition, scope, list(page.object_list))
            rows = [[adhoc.cell_text(v) for v in adhoc.group_cells(definition, r)] for r in finished]
        else:
            columns = list(definition.fields)
            paginator = Paginator(adhoc.detail_query(definition, scope), PAGE)
            page = _page(paginator, number)
            rows = [[adhoc.cell_text(v) for v in adhoc.detail_cells(definition, r)] for r in page.object_list]
        return Response(
            {
                "report": {"id": report.pk, "name": report.name},
                "definition": definition.as_json(),
                "count": paginator.count,
                "columns": columns,
                "results": rows,
                "page": page.number,
                "pages": paginator.num_pages,
            }
        )


def _page(paginator: Paginator[Any], number: int) -> Any:
    try:
        return paginator.page(number)
    except EmptyPage:
        raise ProblemError(400, _("The request has invalid fields."), errors={"page": [_("No such page.")]}) from None
