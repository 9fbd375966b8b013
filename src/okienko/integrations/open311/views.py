"""GeoReport v2 endpoints. Plain Django views (no DRF): small, fast, and exactly the spec's shapes.

Every error is answered in the format of the request (XML unless ``.json``), never as HTML.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from okienko.accounts.models import Organisation
from okienko.accounts.tokens import ApiToken, Scope, TokenRejected, digest, token_from_secret
from okienko.catalogue.models import Service, ServiceQuestion, ServiceQuestionChoice
from okienko.core import clock
from okienko.core.errors import DomainError
from okienko.core.limits import TOO_LARGE, UNREADABLE, Message
from okienko.core.memo import Memo
from okienko.integrations.open311 import formats, queue, representation
from okienko.integrations.open311.errors import Description, Open311Error, described, from_domain, stored
from okienko.integrations.open311.intake import case_input_errors, check_input, parse_post
from okienko.integrations.open311.language import language_of
from okienko.integrations.open311.models import Open311Intake

log = logging.getLogger(__name__)

DEFAULT_JURISDICTION = "lodz"
WINDOW = dt.timedelta(days=90)
MAX_RESULTS = 1000
REQUEST_FIELDS = (
    "number",
    "status",
    "description",
    "service__public_name",
    "service__code",
    "assigned_unit__name",
    "created_at",
    "updated_at",
    "resolve_due",
    "address",
    "latitude",
    "longitude",
    "media_url",
    "open311_submission__address_id",
    "service__is_public",
    "publication",
    "approved_description",
    "status_notes",
)

View = Callable[..., HttpResponse]


def respond(data: Any, fmt: str, root: str, status: int = 200) -> HttpResponse:
    fmt = fmt if fmt in formats.FORMATS else formats.XML
    response = HttpResponse(formats.render(data, fmt, root), status=status, content_type=formats.CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error_response(request: HttpRequest, exc: Open311Error, fmt: str) -> HttpResponse:
    """The error document, worded in the client's language (``language_of``): descriptions are
    lazy and become text here, so only failed requests do any language work."""
    language = language_of(request)
    with translation.override(language):
        response = respond(exc.as_data(), fmt, "errors", exc.status)
    response["Content-Language"] = language
    patch_vary_headers(response, ["Accept-Language"])
    return response


def input_refused(request: HttpRequest, status: int, message: Message) -> HttpResponse:
    """``core.limits`` refusals under ``/open311/``, as an error document in the path's format."""
    fmt = formats.JSON if request.path.endswith(f".{formats.JSON}") else formats.XML
    return error_response(request, Open311Error(status, message), fmt)


def endpoint(view: View) -> View:
    """Check the format suffix and turn every failure into a GeoReport error document."""

    def wrapped(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            if fmt not in formats.FORMATS:
                raise Open311Error(
                    404, described(_("Format .%(format)s is not supported; use .xml or .json."), format=fmt[:10])
                )
            return view(request, fmt, **kwargs)
        except Open311Error as exc:
            return error_response(request, exc, fmt)
        except DomainError as exc:
            return error_response(request, from_domain(exc), fmt)
        except RequestDataTooBig:
            return input_refused(request, 413, TOO_LARGE)
        except (BadRequest, SuspiciousOperation, MultiPartParserError):
            # Django could not read the request (``core.limits`` refuses these before the view).
            return input_refused(request, 400, UNREADABLE)
        except Exception:
            log.exception("open311 request failed")
            return error_response(request, Open311Error(500, _("Internal error; it was logged.")), fmt)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return csrf_exempt(wrapped)


def _params(request: HttpRequest) -> QueryDict:
    """Query string overlaid with the form body (some clients send api_key in the URL)."""
    merged = request.GET.copy()
    for key in request.POST:
        merged.setlist(key, request.POST.getlist(key))
    return merged


# Hot lookups of the intake, kept per process for a few seconds (ADR 0040); saves of these rows in
# this process clear them at once (``integrations.apps``), other processes see changes within the TTL.
_jurisdictions: Memo[Organisation | None] = Memo(ttl=30)
_services: Memo[tuple[Service, list[ServiceQuestion]] | None] = Memo(ttl=30)
_tokens: Memo[ApiToken] = Memo(ttl=5)


def jurisdiction_of(params: QueryDict) -> Organisation:
    code = params.get("jurisdiction_id", "").strip() or getattr(
        settings, "OPEN311_DEFAULT_JURISDICTION", DEFAULT_JURISDICTION
    )
    organisation = _jurisdictions.get(
        code, lambda: Organisation.objects.filter(code=code, active=True, open311_public=True).first()
    )
    if organisation is None:  # unknown and not public answer alike: nothing tells them apart
        raise Open311Error(404, described(_("jurisdiction_id %(code)s is not served here."), code=repr(code[:60])))
    return organisation


_METHOD_HINTS = {
    ("GET", "HEAD"): _("Use GET or HEAD here."),
    ("GET", "HEAD", "POST"): _("Use GET or HEAD or POST here."),
}


def _methods(request: HttpRequest, *allowed: str) -> None:
    if request.method not in allowed:
        raise Open311Error(405, _METHOD_HINTS[allowed])


def _public_services(jurisdiction: Organisation) -> QuerySet[Service]:
    """The services Open311 offers: public and published (``cases.publication``, ADR 0042)."""
    return Service.objects.published().filter(organisation=jurisdiction)


@endpoint
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    _methods(request, "GET", "HEAD")
    base = request.build_absolute_uri("/open311/v2/")
    data = {
        "changeset": "2026-01-01T00:00:00+01:00",
        "contact": "Okienko Open311 GeoReport v2; see the README for keys.",
        "key_service": "Ask the jurisdiction's contact centre for an api_key.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-01-01T00:00:00+01:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(data, fmt, "discovery")


@endpoint
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    _methods(request, "GET", "HEAD")
    jurisdiction = jurisdiction_of(request.GET)
    rows = (
        _public_services(jurisdiction)
        .select_related("category")
        .annotate(has_questions=Exists(ServiceQuestion.objects.filter(service=OuterRef("pk"))))
    )
    data = [representation.service_data(s, has_questions=s.has_questions) for s in rows]
    return respond(data, fmt, "services")


@endpoint
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    _methods(request, "GET", "HEAD")
    jurisdiction = jurisdiction_of(request.GET)
    service = _public_services(jurisdiction).filter(code=service_code).first()
    if service is None:
        raise Open311Error(404, _unknown_service(service_code[:80]))
    questions = service.questions.prefetch_related(
        Prefetch("choices", queryset=ServiceQuestionChoice.objects.order_by("order", "id"))
    ).order_by("order", "id")
    return respond(representation.definition_data(service, questions), fmt, "service_definition")


def _unknown_service(code: str) -> Description:
    return described(_("service_code %(code)s does not exist in this jurisdiction."), code=repr(code))


def _invalid_key(reason: object) -> Description:
    return described(_("Invalid api_key: %(reason)s"), reason=reason)


def _api_token(request: HttpRequest, params: QueryDict, jurisdiction: Organisation) -> ApiToken:
    key = params.get("api_key", "").strip()
    if not key:
        raise Open311Error(403, _("api_key is required to submit a service request."))
    try:
        token = _tokens.get(digest(key), lambda: token_from_secret(key))
    except TokenRejected as exc:
        raise Open311Error(403, _invalid_key(exc.message)) from None  # lazy: worded in the client's language
    if token.expires_at is not None and token.expires_at <= clock.now():
        _tokens.clear()
        raise Open311Error(403, _invalid_key(_("The API token has expired.")))
    if not token.has_scope(Scope.OPEN311):
        raise Open311Error(403, _("This api_key may not submit Open311 service requests."))
    if not (jurisdiction.is_within(token.organisation) or token.organisation.is_within(jurisdiction)):
        raise Open311Error(403, _("This api_key belongs to another jurisdiction."))
    return token


def _service(jurisdiction: Organisation, code: str) -> tuple[Service, list[ServiceQuestion]] | None:
    def load() -> tuple[Service, list[ServiceQuestion]] | None:
        service = _public_services(jurisdiction).filter(code=code).first()
        if service is None:
            return None
        return service, list(service.questions.prefetch_related("choices").order_by("order", "id"))

    return _services.get((jurisdiction.pk, code), load)


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    from okienko.cases.intake import CaseInputError
    from okienko.integrations.open311.actions import submit_service_request

    params = _params(request)
    jurisdiction = jurisdiction_of(params)
    token = _api_token(request, params, jurisdiction)
    data = parse_post(params)
    found = _service(jurisdiction, data.service_code)
    if found is None:
        raise Open311Error(400, _unknown_service(data.service_code))
    service, questions = found
    try:
        if queue.should_queue(service):
            check_input(service, data, questions)
            intake = queue.accept(api_token=token, jurisdiction=jurisdiction, service=service, data=data)
            item: dict[str, Any] = {"token": str(intake.token)}
        else:
            with queue.immediate_slot():
                case = submit_service_request(
                    api_token=token, jurisdiction=jurisdiction, service=service, data=data, questions=questions
                )
            item = (
                {"service_request_id": representation.public_id(case.number)}
                if representation.service_type(service) == "realtime"
                else {"token": str(case.external_token)}
            )
    except CaseInputError as exc:
        problems = case_input_errors(exc, language_of(request))
        raise Open311Error(400, *(f"{name}: {message}" for name, message in problems.items())) from None
    except PermissionDenied as exc:
        raise Open311Error(403, str(exc) or _("This api_key may not submit requests here.")) from None
    item["service_notice"] = ""
    item["account_id"] = data.extra.get("account_id", "")
    return respond([item], fmt, "service_requests", 201)


EARLIEST = dt.datetime(1000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)


def _date(params: QueryDict, name: str) -> dt.datetime | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(
            400, described(_("%(name)s must be a W3C date and time, e.g. 2026-03-02T00:00:00Z."), name=name)
        )
    if value.tzinfo is None:
        value = value.replace(tzinfo=clock.WARSAW)
    # Before the year 1000 or after 9000 the same cases match as at that bound, and the database
    # could not convert the moment given (0001-01-01T00:00:00+05:00 is before the first UTC day).
    return min(max(value, EARLIEST), LATEST)


def _cases(jurisdiction: Organisation) -> QuerySet[Any]:
    from okienko.cases import publication
    from okienko.cases.models import Case, CaseNote

    latest_public = (
        CaseNote.objects.filter(case=OuterRef("pk"), visibility=CaseNote.Visibility.PUBLIC)
        .order_by("-created_at", "-id")
        .values("body")[:1]
    )
    cases = publication.listed(Case.objects.filter(organisation=jurisdiction))
    return publication.with_descriptions(cases).annotate(status_notes=Subquery(latest_public))


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    jurisdiction = jurisdiction_of(params)
    cases = _cases(jurisdiction)
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        if len(ids) > MAX_RESULTS:
            raise Open311Error(
                400, described(_("Ask for at most %(n)d service_request_id values at once."), n=MAX_RESULTS)
            )
        cases = cases.filter(number__in=[representation.number_of(i) for i in ids])
    else:
        codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
        if codes:
            cases = cases.filter(service__code__in=codes)
        wanted = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
        if wanted - {"open", "closed"}:
            raise Open311Error(400, _("status may be open, closed or both (comma separated)."))
        if len(wanted) == 1:
            cases = cases.filter(status__in=representation.statuses_for(wanted.pop()))
        start, end = _date(params, "start_date"), _date(params, "end_date")
        if start and end and end < start:
            raise Open311Error(400, _("end_date is before start_date."))
        if start and end and end - start > WINDOW:
            raise Open311Error(400, _("start_date and end_date may be at most 90 days apart."))
        end = end or ((start + WINDOW) if start else clock.now())
        start = start or (end - WINDOW)
        cases = cases.filter(created_at__gte=start, created_at__lte=end)
    rows = cases.order_by("-created_at", "-id").values(*REQUEST_FIELDS)[:MAX_RESULTS]
    return respond([representation.request_data(r) for r in rows], fmt, "service_requests")


@endpoint
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    _methods(request, "GET", "HEAD", "POST")
    if request.method == "POST":
        return _post_request(request, fmt)
    return _list_requests(request, fmt)


@endpoint
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    _methods(request, "GET", "HEAD")
    jurisdiction = jurisdiction_of(request.GET)
    number = representation.number_of(service_request_id)
    rows = list(_cases(jurisdiction).filter(number=number).values(*REQUEST_FIELDS)[:1])
    if not rows:
        raise Open311Error(
            404, described(_("service_request_id %(id)s was not found."), id=repr(service_request_id[:60]))
        )
    return respond([representation.request_data(rows[0])], fmt, "service_requests")


def _unknown_token(token: str) -> Description:
    return described(_("token %(token)s was not found."), token=repr(token[:60]))


def _rejection(problems: dict[str, str]) -> list[Description]:
    """A rejected receipt's reasons (kept in English by ``queue.process``), in the client's language."""
    if not problems:
        return [_("The request with this token was rejected.")]
    return [
        described(
            _("The request with this token was rejected: %(reason)s"),
            reason=described("%(field)s: %(message)s", field=field, message=stored(message))
            if field
            else stored(message),
        )
        for field, message in problems.items()
    ]


@endpoint
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    _methods(request, "GET", "HEAD")
    jurisdiction = jurisdiction_of(request.GET)
    try:
        value = uuid.UUID(token)
    except ValueError:
        raise Open311Error(404, _unknown_token(token)) from None
    queued = queue.state_of(value, jurisdiction)
    if queued is not None and queued["state"] == Open311Intake.State.QUEUED:
        return respond([{"token": str(value)}], fmt, "service_requests")
    if queued is not None and queued["state"] == Open311Intake.State.REJECTED:
        raise Open311Error(400, *_rejection(queued["errors"]))
    row = _cases(jurisdiction).filter(external_token=value).values("number").first()
    if row is None:
        raise Open311Error(404, _unknown_token(token))
    return respond(
        [{"service_request_id": representation.public_id(row["number"]), "token": str(value)}], fmt, "service_requests"
    )


@endpoint
def not_found(request: HttpRequest, fmt: str, rest: str = "") -> HttpResponse:
    raise Open311Error(404, _("There is no GeoReport v2 resource at this address."))
