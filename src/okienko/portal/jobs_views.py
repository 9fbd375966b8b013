"""Public job-offer search and offer pages (issue 19, item 5): ``/oferty/`` with the filters
form (GET, works without JavaScript) and ``/oferty/<uuid>/`` with the schema.org ``JobPosting``
as JSON-LD (a data block, not a script: the CSP's script-src does not apply to it). Only
published offers are shown; anything else is answered as missing."""

from __future__ import annotations

from typing import cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe

from okienko.jobs import actions, content, jsonld, search
from okienko.jobs.forms import OfferSearchForm
from okienko.jobs.models import JobOffer

PER_PAGE = 20
MAX_PAGES = search.COUNT_CAP // PER_PAGE


class CappedPaginator(Paginator):  # type: ignore[type-arg]
    """Counts the matches only up to ``search.COUNT_CAP``."""

    @cached_property
    def count(self) -> int:
        return min(search.capped_count(cast("QuerySet[JobOffer]", self.object_list)), search.COUNT_CAP)


def offers_view(request: HttpRequest) -> HttpResponse:
    form = OfferSearchForm(request.GET or None)
    page = None
    unknown_place = False
    if not request.GET or form.is_valid():
        filters = form.filters() if request.GET else search.Filters()
        offers, found_place = search.filtered(filters)
        unknown_place = not found_place
        number = request.GET.get("page", "1")
        page = CappedPaginator(offers, PER_PAGE).get_page(
            number if number.isdigit() and int(number) <= MAX_PAGES else 1
        )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "portal/jobs/list.html",
        {
            "form": form,
            "page": page,
            "unknown_place": unknown_place,
            "params": params.urlencode(),
            "names": search.occupation_names(),
            "cap": search.COUNT_CAP,
        },
    )


def offer_view(request: HttpRequest, uuid: str) -> HttpResponse:
    offer = JobOffer.objects.published().select_related("employer", "office").filter(uuid=uuid).first()
    if offer is None:
        raise Http404("offer")
    url = request.build_absolute_uri()
    return render(
        request,
        "portal/jobs/detail.html",
        {
            "offer": offer,
            "description": mark_safe(content.display_html(offer.description, approved=True)),  # nh3-sanitised
            "pay": actions.pay_text(offer),
            "occupation_name": search.occupation_names().get(offer.occupation_code, ""),
            "json_ld": mark_safe(jsonld.script_json(jsonld.job_posting(offer, url))),  # escaped for <script>
        },
    )
