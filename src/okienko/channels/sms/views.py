"""The URLs an SMS operator calls: delivery reports and messages from phones (SMSAPI.pl).

Each URL holds a secret (``OKIENKO_SMSAPI_CALLBACK_SECRET``); a wrong one is answered like an
unknown address. A report or message that cannot be used is answered ``OK`` too (the operator
would only send it again) and logged; nothing the operator sends can cause an error page."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from okienko.channels.sms import inbound, smsapi
from okienko.channels.sms.gateways import InvalidNumber
from okienko.core import audit, context

log = logging.getLogger(__name__)


def _params(request: HttpRequest) -> dict[str, str]:
    source = request.POST if request.method == "POST" else request.GET
    return {key: source.get(key, "")[:4000] for key in source}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def smsapi_report_view(request: HttpRequest, secret: str) -> HttpResponse:
    if not smsapi.secret_matches(secret):
        raise Http404
    with context.channel("sms"):
        for report in smsapi.reports_from(_params(request)):
            inbound.report(report)
    return HttpResponse("OK", content_type="text/plain")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def smsapi_inbound_view(request: HttpRequest, secret: str) -> HttpResponse:
    if not smsapi.secret_matches(secret):
        raise Http404
    params = _params(request)
    try:
        message = smsapi.incoming_from(params)
    except (InvalidNumber, ValueError) as exc:
        log.warning("SMSAPI inbound message refused: %s", exc)
        audit.record("sms.rejected", actor=None, data={"from": params.get("sms_from", "")[:40], "reason": str(exc)})
        return HttpResponse("OK", content_type="text/plain")
    with context.channel("sms"):
        inbound.handle(message)
    return HttpResponse("OK", content_type="text/plain")
