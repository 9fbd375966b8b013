"""schema.org ``JobPosting`` of a published offer (for the portal's offer page)."""

from __future__ import annotations

import json
from typing import Any

from okienko.jobs import content, search
from okienko.jobs.models import JobOffer
from okienko.jobs.states import ContractType, PayPeriod

EMPLOYMENT_TYPE: dict[str, str] = {
    ContractType.EMPLOYMENT_INDEFINITE: "FULL_TIME",
    ContractType.EMPLOYMENT_FIXED: "TEMPORARY",
    ContractType.EMPLOYMENT_TRIAL: "TEMPORARY",
    ContractType.EMPLOYMENT_REPLACEMENT: "TEMPORARY",
    ContractType.MANDATE: "CONTRACTOR",
    ContractType.SPECIFIC_WORK: "CONTRACTOR",
    ContractType.AGENCY: "CONTRACTOR",
    ContractType.APPOINTMENT: "FULL_TIME",
    ContractType.APPRENTICESHIP: "INTERN",
    ContractType.VOLUNTEERING: "VOLUNTEER",
}


def job_posting(offer: JobOffer, url: str) -> dict[str, Any]:
    types = [EMPLOYMENT_TYPE.get(offer.contract_type, "OTHER")]
    if offer.working_time < 1:
        types.append("PART_TIME")
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "identifier": {"@type": "PropertyValue", "name": offer.office.name, "value": str(offer.uuid)},
        "title": offer.title,
        "description": content.display_html(offer.description, approved=True) or offer.title,
        "datePosted": offer.published_at.date().isoformat() if offer.published_at else offer.valid_from.isoformat(),
        "validThrough": offer.valid_until.isoformat() + "T23:59:59+01:00",
        "employmentType": types,
        "totalJobOpenings": offer.posts,
        "hiringOrganization": {"@type": "Organization", "name": offer.employer.name},
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": offer.place_locality,
                "addressCountry": "PL",
                **({"streetAddress": offer.place_street} if offer.place_street else {}),
            },
            **(
                {"geo": {"@type": "GeoCoordinates", "latitude": offer.latitude, "longitude": offer.longitude}}
                if offer.latitude is not None and offer.longitude is not None
                else {}
            ),
        },
        "url": url,
    }
    if offer.occupation_code:
        data["occupationalCategory"] = (
            f"KZiS {offer.occupation_code} {search.occupation_names().get(offer.occupation_code, '')}".strip()
        )
    if offer.work_mode == "remote":
        data["jobLocationType"] = "TELECOMMUTE"
    if offer.pay_min is not None:
        value: dict[str, Any] = {
            "@type": "QuantitativeValue",
            "unitText": "HOUR" if offer.pay_period == PayPeriod.HOUR else "MONTH",
        }
        if offer.pay_max is not None and offer.pay_max != offer.pay_min:
            value.update(minValue=float(offer.pay_min), maxValue=float(offer.pay_max))
        else:
            value["value"] = float(offer.pay_min)
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": offer.pay_currency, "value": value}
    return data


def script_json(data: dict[str, Any]) -> str:
    """JSON safe inside ``<script type="application/ld+json">`` (no ``</script>`` breakout)."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
