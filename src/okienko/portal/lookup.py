"""Residents find their reports: one report by its number and the e-mail or phone they gave, or
every report of an e-mail address through a signed link sent to it ("my reports", as Signalen).

Nothing here tells a visitor whether a number exists: a wrong e-mail and an unknown number give
the same answer, and the request for a link always answers the same. The link is a
``TimestampSigner`` value (``django.core.signing.dumps``) valid ``MY_REPORTS_MAX_AGE`` seconds;
it carries the address, which only its owner receives.
"""

from __future__ import annotations

import logging
import re
import smtplib

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from okienko.cases.models import Case, CaseParty
from okienko.cases.numbers import parse_case_number

logger = logging.getLogger(__name__)

_SALT = "okienko.portal.my-reports"
MAX_AGE = 24 * 3600
MAX_LISTED = 100
SMTP_TIMEOUT = 10


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0048"):
        return digits[4:]
    if digits.startswith("48") and len(digits) == 11:
        return digits[2:]
    return digits


def _contact_matches(case: Case, contact: str) -> bool:
    contact = contact.strip()
    if "@" in contact:
        emails = {case.reporter_email.lower()} | {
            e.lower() for e in case.parties.filter(role=CaseParty.Role.REPORTER).values_list("email", flat=True)
        }
        return contact.lower() in emails - {""}
    digits = _digits(contact)
    if len(digits) < 9:
        return False
    phones = {_digits(case.reporter_phone)} | {
        _digits(p) for p in case.parties.filter(role=CaseParty.Role.REPORTER).values_list("phone", flat=True)
    }
    return digits in phones


def find_report(number: str, contact: str) -> Case | None:
    """The report with this number whose reporter gave this e-mail or phone; None otherwise
    (whether the number is unknown or the contact does not match)."""
    parsed = parse_case_number(number)
    if parsed is None or not parsed.prefix:
        return None
    for case in Case.objects.filter(parsed.q())[:5]:
        if _contact_matches(case, contact):
            return case
    return None


def _of_address(email: str) -> Q:
    email = email.strip()
    return Q(reporter_email__iexact=email) | Q(parties__role=CaseParty.Role.REPORTER, parties__email__iexact=email)


def reports_of(email: str) -> list[Case]:
    """The reports an address was given for (as the reporter's e-mail), newest first."""
    return list(
        Case.objects.filter(_of_address(email))
        .distinct()
        .select_related("service", "organisation")
        .order_by("-created_at")[:MAX_LISTED]
    )


def make_token(email: str) -> str:
    return signing.dumps(email.strip().lower(), salt=_SALT)


def read_token(token: str, *, max_age: int = MAX_AGE) -> str:
    """The address in a link; ``signing.SignatureExpired`` when older than ``max_age``,
    ``signing.BadSignature`` when forged or damaged."""
    value = signing.loads(token, salt=_SALT, max_age=max_age)
    if not isinstance(value, str) or "@" not in value:
        raise signing.BadSignature("not a my-reports link")
    return value


def reports_link_email(email: str) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        url = settings.SITE_URL.rstrip("/") + reverse("portal:my_reports", args=[make_token(email)])
        subject = _("Your reports in Okienko")
        body = _(
            "Hello,\n\n"
            "someone (we hope it was you) asked for a list of the reports sent with this e-mail address.\n"
            "Open this link within %(hours)d hours to see them and their status:\n%(url)s\n\n"
            "If you did not ask for it, ignore this message: nobody else can open the link.\n"
            "— Okienko"
        ) % {"hours": MAX_AGE // 3600, "url": url}
    return EmailMessage(subject=subject, body=body, to=[email])


def send_reports_link(email: str) -> bool:
    """E-mail the link when the address has reports; say nothing either way to the caller's
    visitor (the view answers the same). ``False`` when there was nothing to send or sending failed."""
    if not Case.objects.filter(_of_address(email)).exists():
        return False
    try:
        message = reports_link_email(email.strip())
        message.connection = get_connection(timeout=SMTP_TIMEOUT)
        message.send()
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("my-reports link not e-mailed: %s", exc)
        return False
    return True
