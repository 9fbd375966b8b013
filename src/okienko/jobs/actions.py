"""Actions on employers and job offers (issue 19). Each runs in one transaction, audits the
change (``jobs.*``) and emits an outbox event carrying ids only.

Offer lifecycle: draft → submitted → published (approved) | rejected (reason) | returned (for
correction) → submitted again; published → expired (by the validity date, ``expire_offers``)
→ archived; withdrawn by the employer or the office at any open stage. An offer registered at the
office (origin ``office``) is published and verified at once; an employer's offer is verified
when its employer is. Submitting attaches the top three KZiS suggestions of the classifier
(when its model is installed) and the moderator hints (``content.flags``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from okienko.accounts.models import Organisation, User
from okienko.core import audit, clock, events
from okienko.core.actors import SCHEDULER, Actor
from okienko.core.errors import Conflict, InvalidInput, TransitionNotAllowed
from okienko.jobs import content, search
from okienko.jobs.models import Employer, EmployerMembership, JobOffer
from okienko.jobs.states import EmployerStatus, OfferOrigin, OfferStatus, may_move

log = logging.getLogger(__name__)

# Fields an offer form or the API may set (everything else belongs to the workflow).
OFFER_FIELDS = (
    "title",
    "occupation_code",
    "occupation_edition",
    "place_teryt",
    "place_locality",
    "place_street",
    "latitude",
    "longitude",
    "work_mode",
    "posts",
    "contract_type",
    "working_time",
    "shifts",
    "hours_note",
    "pay_min",
    "pay_max",
    "pay_currency",
    "pay_period",
    "pay_note",
    "education",
    "experience_years",
    "skills",
    "languages",
    "driving_licences",
    "requirements_text",
    "description",
    "valid_from",
    "valid_until",
    "contact_preference",
    "contact_name",
    "contact_phone",
    "contact_email",
)
SUGGESTIONS = 3


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _event(topic: str, offer: JobOffer, **extra: Any) -> None:
    events.emit(
        topic,
        obj=offer,
        payload={"offer_id": offer.pk, "offer_uuid": str(offer.uuid), "employer_id": offer.employer_id, **extra},
        organisation_id=offer.office_id,
    )


# --- Employers ---------------------------------------------------------------------------------


def register_employer(
    *, actor: Actor, office: Organisation, name: str, nip: str, locality: str, teryt_code: str, **fields: Any
) -> Employer:
    """A new employer awaiting verification by ``office`` (a NIP already known: Conflict)."""
    try:
        clean_nip = content_nip(nip)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="nip") from exc
    if Employer.objects.filter(nip=clean_nip).exists():
        raise Conflict(_("An employer with this NIP is already registered."), field="nip")
    employer = Employer(
        office=office, name=name.strip(), nip=clean_nip, locality=locality, teryt_code=teryt_code, **fields
    )
    try:
        employer.full_clean()
    except ValidationError as exc:
        raise InvalidInput(errors={k: " ".join(v) for k, v in exc.message_dict.items()}) from exc
    with transaction.atomic():
        employer.save()
        audit.record("jobs.employer_registered", actor=actor, obj=employer, organisation_id=office.pk)
        events.emit(
            "jobs.employer_registered", obj=employer, payload={"employer_id": employer.pk}, organisation_id=office.pk
        )
    return employer


def content_nip(value: str) -> str:
    from okienko.clients.identifiers import validate_nip

    return validate_nip(value)


def add_member(
    *, actor: Actor, employer: Employer, user: User, role: str = EmployerMembership.Role.RECRUITER
) -> EmployerMembership:
    with transaction.atomic():
        membership, _created = EmployerMembership.objects.update_or_create(
            employer=employer, user=user, defaults={"role": role, "active": True}
        )
        audit.record(
            "jobs.employer_member_added",
            actor=actor,
            obj=employer,
            organisation_id=employer.office_id,
            data={"user_id": user.pk, "role": role},
        )
    return membership


def set_employer_status(*, actor: Actor, employer: Employer, status: str, reason: str = "") -> Employer:
    """Verify or suspend an employer (its published offers' ``verified`` follow)."""
    if status not in EmployerStatus.values:
        raise InvalidInput(_("Unknown status."), field="status")
    if status == EmployerStatus.SUSPENDED and not reason.strip():
        raise InvalidInput(_("Say why the employer is suspended."), field="reason")
    before = employer.status
    with transaction.atomic():
        employer.status = status
        employer.status_reason = reason.strip()[:500]
        if status == EmployerStatus.VERIFIED:
            employer.verified_at = clock.now()
            employer.verified_by = _user(actor)
        employer.save()
        verified = status == EmployerStatus.VERIFIED
        JobOffer.objects.filter(employer=employer, origin=OfferOrigin.EMPLOYER).update(verified=verified)
        audit.record(
            "jobs.employer_status_changed",
            actor=actor,
            obj=employer,
            organisation_id=employer.office_id,
            changes={"status": [before, status]},
            data={"reason": employer.status_reason} if employer.status_reason else None,
        )
        events.emit(
            "jobs.employer_status_changed",
            obj=employer,
            payload={"employer_id": employer.pk, "status": status},
            organisation_id=employer.office_id,
        )
    return employer


# --- Offers ------------------------------------------------------------------------------------


def _clean_values(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(OFFER_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    cleaned = dict(values)
    if "description" in cleaned:
        cleaned["description"] = content.sanitise(str(cleaned["description"] or ""))
    for name in ("education", "skills", "driving_licences"):
        if name in cleaned:
            cleaned[name] = [str(v).strip()[:100] for v in (cleaned[name] or []) if str(v).strip()][:30]
    if "languages" in cleaned:
        cleaned["languages"] = [
            {"language": str(v.get("language", ""))[:40], "level": str(v.get("level", ""))[:20]}
            if isinstance(v, Mapping)
            else {"language": str(v)[:40], "level": ""}
            for v in (cleaned["languages"] or [])
        ][:10]
    return cleaned


def _validate(offer: JobOffer) -> None:
    try:
        offer.full_clean(exclude=["employer", "office", "created_by", "moderated_by"])
    except ValidationError as exc:
        raise InvalidInput(errors={k: " ".join(v) for k, v in exc.message_dict.items()}) from exc
    if offer.pay_min is not None and offer.pay_min <= 0:
        raise InvalidInput(_("The pay must be above zero."), field="pay_min")


def check_pay(offer: JobOffer, *, on: dt.date) -> None:
    """The pay-transparency rule: an offer published from 24 December 2025 states its pay
    (an amount or a range, art. 18³ᶜᵃ of the Labour Code; ADR 0065)."""
    if offer.historical or not content.pay_required(on):
        return
    if offer.pay_min is None:
        raise InvalidInput(
            _("State the pay (an amount or a range): offers published from 24 December 2025 must give it."),
            field="pay_min",
        )
    if offer.pay_max is not None and offer.pay_max < offer.pay_min:
        raise InvalidInput(_("The upper end of the pay range is below the lower end."), field="pay_max")


def refresh_flags(offer: JobOffer) -> None:
    offer.flags = [
        f.as_dict()
        for f in content.flags(
            title=offer.title,
            description=offer.description,
            requirements_text=offer.requirements_text,
            pay_min=offer.pay_min,
            pay_max=offer.pay_max,
        )
    ]


def suggestions(title: str, description: str) -> list[dict[str, Any]]:
    """The classifier's top three occupations, or [] when it is not installed (the moderator
    then picks the code by hand)."""
    try:
        from okienko.jobs.classifier import ModelUnavailable, suggest
    except ImportError:
        return []
    try:
        found = suggest(title, content.plain_text(description), SUGGESTIONS)
    except ModelUnavailable:
        return []
    except Exception:  # the suggestion is a help: it never stops an offer
        log.exception("KZiS suggestion failed")
        return []
    return [{"code": s.code, "name": s.name, "score": float(s.score)} for s in found]


def create_offer(
    *,
    actor: Actor,
    employer: Employer,
    office: Organisation | None = None,
    origin: str = OfferOrigin.EMPLOYER,
    values: Mapping[str, Any],
    historical: bool = False,
) -> JobOffer:
    """A draft offer of ``employer`` moderated by ``office`` (default: the employer's office)."""
    offer = JobOffer(
        employer=employer,
        office=office or employer.office,
        origin=origin,
        created_by=_user(actor),
        historical=historical,
        **_clean_values(values),
    )
    _validate(offer)
    refresh_flags(offer)
    with transaction.atomic():
        offer.save()
        audit.record("jobs.offer_created", actor=actor, obj=offer, organisation_id=offer.office_id)
        _event("jobs.offer_created", offer)
    return offer


def update_offer(*, actor: Actor, offer: JobOffer, values: Mapping[str, Any]) -> JobOffer:
    """Change an offer that is a draft or returned for correction (published ones: withdraw and add anew)."""
    if offer.status not in (OfferStatus.DRAFT, OfferStatus.RETURNED):
        raise Conflict(_("Only a draft or an offer returned for correction can be changed."))
    cleaned = _clean_values(values)
    changes = {k: [str(getattr(offer, k)), str(v)] for k, v in cleaned.items() if getattr(offer, k) != v}
    for name, value in cleaned.items():
        setattr(offer, name, value)
    _validate(offer)
    refresh_flags(offer)
    with transaction.atomic():
        offer.save()
        audit.record("jobs.offer_updated", actor=actor, obj=offer, organisation_id=offer.office_id, changes=changes)
        _event("jobs.offer_updated", offer)
    return offer


def _move(offer: JobOffer, to: str, *, actor: Actor, reason: str = "", **extra: Any) -> None:
    before = offer.status
    if not may_move(before, to):
        raise TransitionNotAllowed(from_status=before, to_status=to, reason="offer workflow")
    offer.status = to
    offer.status_reason = reason
    offer.save()
    audit.record(
        f"jobs.offer_{to}",
        actor=actor,
        obj=offer,
        organisation_id=offer.office_id,
        changes={"status": [before, to]},
        data={"reason": reason, **extra} if reason or extra else None,
    )
    _event(f"jobs.offer_{to}", offer, status=to)


def submit_offer(*, actor: Actor, offer: JobOffer) -> JobOffer:
    """Send an employer's offer to the moderation queue, with the KZiS suggestions and hints."""
    check_pay(offer, on=clock.local_now().date())
    offer.occupation_suggestions = suggestions(offer.title, offer.description)
    refresh_flags(offer)
    with transaction.atomic():
        offer.submitted_at = clock.now()
        _move(offer, OfferStatus.SUBMITTED, actor=actor)
    return offer


def _publish(offer: JobOffer, *, actor: Actor, occupation_code: str, note: str = "") -> None:
    today = clock.local_now().date()
    check_pay(offer, on=today)
    if occupation_code:
        if occupation_code not in search.occupation_names():
            raise InvalidInput(_("No such occupation in the KZiS 2023."), field="occupation_code")
        offer.occupation_code = occupation_code
    if not offer.occupation_code:
        raise InvalidInput(_("Choose the occupation (KZiS code) before publishing."), field="occupation_code")
    if offer.valid_until < today:
        raise InvalidInput(_("The offer's validity has already ended."), field="valid_until")
    offer.verified = offer.origin == OfferOrigin.OFFICE or offer.employer.is_verified
    offer.published_at = clock.now()
    offer.moderated_at = clock.now()
    offer.moderated_by = _user(actor)
    _move(offer, OfferStatus.PUBLISHED, actor=actor, reason=note, occupation_code=offer.occupation_code)
    search.index_offer(offer)


def _record_correction(offer: JobOffer) -> None:
    suggested = [str(s.get("code", "")) for s in offer.occupation_suggestions if isinstance(s, dict)]
    if not suggested:
        return
    try:
        from okienko.jobs.classifier import record_correction
    except ImportError:
        return
    try:
        record_correction(offer.title, content.plain_text(offer.description), suggested, offer.occupation_code)
    except (OSError, ValueError):
        log.warning("could not keep the KZiS correction of offer %s", offer.pk, exc_info=True)


def approve_offer(*, actor: Actor, offer: JobOffer, occupation_code: str = "", note: str = "") -> JobOffer:
    """Publish a submitted offer with the occupation the moderator confirmed or chose; the
    choice is kept for retraining the classifier."""
    if offer.status != OfferStatus.SUBMITTED:
        raise TransitionNotAllowed(from_status=offer.status, to_status=OfferStatus.PUBLISHED, reason="not submitted")
    with transaction.atomic():
        _publish(offer, actor=actor, occupation_code=occupation_code.strip(), note=note.strip()[:1000])
    _record_correction(offer)
    return offer


def publish_office_offer(*, actor: Actor, offer: JobOffer) -> JobOffer:
    """An offer registered at the office: published and verified without the queue."""
    if offer.origin != OfferOrigin.OFFICE:
        raise Conflict(_("Only an offer registered at the office is published without moderation."))
    offer.occupation_suggestions = offer.occupation_suggestions or suggestions(offer.title, offer.description)
    with transaction.atomic():
        _publish(offer, actor=actor, occupation_code="")
    return offer


def reject_offer(*, actor: Actor, offer: JobOffer, reason: str) -> JobOffer:
    if not reason.strip():
        raise InvalidInput(_("Say why the offer is rejected."), field="reason")
    with transaction.atomic():
        offer.moderated_at, offer.moderated_by = clock.now(), _user(actor)
        _move(offer, OfferStatus.REJECTED, actor=actor, reason=reason.strip()[:2000])
    return offer


def return_offer(*, actor: Actor, offer: JobOffer, reason: str) -> JobOffer:
    if not reason.strip():
        raise InvalidInput(_("Say what the employer should correct."), field="reason")
    with transaction.atomic():
        offer.moderated_at, offer.moderated_by = clock.now(), _user(actor)
        _move(offer, OfferStatus.RETURNED, actor=actor, reason=reason.strip()[:2000])
    return offer


def withdraw_offer(*, actor: Actor, offer: JobOffer, reason: str = "") -> JobOffer:
    with transaction.atomic():
        _move(offer, OfferStatus.WITHDRAWN, actor=actor, reason=reason.strip()[:2000])
    return offer


def archive_offer(*, actor: Actor, offer: JobOffer) -> JobOffer:
    with transaction.atomic():
        _move(offer, OfferStatus.ARCHIVED, actor=actor)
    return offer


ARCHIVE_AFTER_DAYS = 90


def expire_offers(*, on: dt.date | None = None, actor: Actor = SCHEDULER) -> int:
    """Expire published offers past their validity and archive the ones closed for
    ``ARCHIVE_AFTER_DAYS`` (the periodic job; idempotent)."""
    today = on or clock.local_now().date()
    done = 0
    for offer in JobOffer.objects.filter(status=OfferStatus.PUBLISHED, valid_until__lt=today).order_by("pk")[:5000]:
        with transaction.atomic():
            _move(offer, OfferStatus.EXPIRED, actor=actor)
        done += 1
    cutoff = today - dt.timedelta(days=ARCHIVE_AFTER_DAYS)
    closed = (OfferStatus.EXPIRED, OfferStatus.WITHDRAWN, OfferStatus.REJECTED)
    for offer in JobOffer.objects.filter(status__in=closed, valid_until__lt=cutoff).order_by("pk")[:5000]:
        with transaction.atomic():
            _move(offer, OfferStatus.ARCHIVED, actor=actor)
        done += 1
    return done


def pay_text(offer: JobOffer) -> str:
    """ "5 000–7 000 PLN / month" (for exports and JSON-LD neighbours)."""
    if offer.pay_min is None:
        return ""
    low = f"{offer.pay_min:.2f}"
    high = f"–{offer.pay_max:.2f}" if offer.pay_max is not None and offer.pay_max != offer.pay_min else ""
    return f"{low}{high} {offer.pay_currency} / {offer.get_pay_period_display()}"


def as_decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except ArithmeticError:
        return None
