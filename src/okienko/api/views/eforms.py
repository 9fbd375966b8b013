"""``POST /api/v1/eforms/submissions/``: a system (an ePUAP gateway, an e-services platform)
delivers one e-form submission as the request body (``application/xml``) with its API token
(scope ``eforms:submit``); it may deliver forms of offices within its token's organisation.

Answers (ADR 0056): ``201`` with the signed receipt for an accepted submission, ``200`` with the
first receipt for one delivered before, ``202`` with the receipt for one kept for a person to
look at (quarantined), and ``422`` problem details with the reasons and the receipt for a
rejected one. The receipt names the submission; a rejection also names it in ``submission``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from okienko.accounts.tokens import Scope
from okienko.api.authentication import ApiTokenAuthentication
from okienko.api.permissions import TokenScopes, token_of
from okienko.api.problems import MEDIA_TYPE, ProblemError, problem
from okienko.api.throttling import TokenRateThrottle
from okienko.channels.eforms import intake
from okienko.channels.eforms.models import EFormSubmission
from okienko.core import context

XML_TYPES = ("application/xml", "text/xml")
S = EFormSubmission.Status


class EFormSubmissionView(APIView):
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, TokenScopes]
    throttle_classes = [TokenRateThrottle]
    read_scope = None
    write_scope = Scope.EFORMS_SUBMIT

    @extend_schema(
        operation_id="eforms_submit",
        request={"application/xml": {"type": "string", "format": "binary"}},
        responses={
            (201, "application/xml"): OpenApiResponse(description="Accepted: the signed receipt."),
            (200, "application/xml"): OpenApiResponse(description="Delivered before: the first receipt."),
            (202, "application/xml"): OpenApiResponse(description="Kept for a person to look at: the receipt."),
            (422, MEDIA_TYPE): OpenApiResponse(description="Rejected: the reasons and the receipt."),
        },
        tags=["eforms"],
    )
    def post(self, request: Request) -> Any:
        token = token_of(request)
        if token is None:
            raise ProblemError(403, _("Submissions are delivered by systems with an API token."))
        content_type = (request.content_type or "").split(";", 1)[0].strip().lower()
        if content_type not in XML_TYPES:
            raise ProblemError(415, _("Send the submission as application/xml."))
        raw = request.body
        with context.channel("eform"):
            submission, new = intake.receive(raw, transport="http", system=token.name, sender_office=token.organisation)
        if submission.status == S.REJECTED and new:
            body = problem(
                422,
                _("The submission was rejected."),
                instance=request.path,
                slug="eform-rejected",
                submission=str(submission.uuid),
                reasons=[str(r) for r in submission.reasons],
                receipt=submission.receipt,
            )
            return Response(body, status=422, content_type=MEDIA_TYPE)
        code = 202 if submission.status == S.QUARANTINED else 201
        response = HttpResponse(submission.receipt.encode("utf-8"), status=code if new else 200)
        response["Content-Type"] = "application/xml; charset=utf-8"
        return response
