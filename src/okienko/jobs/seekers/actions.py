"""Actions on portal accounts, CVs, search consents and contact requests (issue 19, items 1, 4).

Each write runs in one transaction and appends an audit entry (``jobs_seekers.*``); the actor is
the portal (``signin.ACTOR``) acting for the signed-in account, whose id is in the entry's data.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okienko.accounts.models import Organisation, User
from okienko.clients import actions as client_actions
from okienko.clients.models import Client, ClientConsent
from okienko.core import audit, clock, events, uploads
from okienko.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from okienko.interactions import actions as interaction_actions
from okienko.jobs import actions as job_actions
from okienko.jobs.models import Employer, EmployerMembership, JobOffer
from okienko.jobs.seekers.models import (
    CV,
    Application,
    ContactRequest,
    CVArea,
    CVFile,
    CVOccupation,
    CVSkill,
    PortalAccount,
    ProfileView,
    SearchConsent,
    WorkingTime,
)
from okienko.jobs.seekers.signin import ACTOR
from okienko.jobs.states import OfferStatus

CONSENT_VERSION = "2026-12"
CONSENT_TEXT = gettext_lazy(
    "I agree that verified employers may find my CV in the candidate search of the labour office's "
    "portal. They see it without my name and contact details until I accept their request for "
    "contact. I can withdraw this consent at any time; my CV disappears from the search at once."
)
VERIFY_SALT = "okienko.jobs.seekers.verify"
VERIFY_MAX_AGE = 3 * 24 * 3600
LANGUAGE_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
DRIVING_LICENCES = ("AM", "A1", "A2", "A", "B1", "B", "BE", "C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE", "T")
MAX_ITEMS = 30
_KZIS = re.compile(r"^\d{6}$")
_TERYT = re.compile(r"^\d{2}(\d{2}(\d{3})?)?$")


def fold(text: str) -> str:
    """Lower case without Polish letters and punctuation: the key of a skill."""
    text = text.replace("ł", "l").replace("Ł", "L")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9+#]+", " ", text.lower()).split())[:80]


def _audit(action: str, account: PortalAccount | None, obj: Any, office: int | None, **data: Any) -> None:
    audit.record(
        action,
        actor=ACTOR,
        obj=obj,
        organisation_id=office,
        data={"portal_account": account.pk if account else None, **data},
    )


def _new_user(email: str = "") -> User:
    user = User(username=f"portal-{uuid.uuid4().hex[:20]}", email=email)
    user.set_unusable_password()
    user.save()
    return user


# --- Accounts ----------------------------------------------------------------------------------


def account_for_client(client: Client) -> PortalAccount:
    """The job seeker's portal account (made at the first sign-in by client number + PIN)."""
    account = PortalAccount.objects.filter(client=client, kind=PortalAccount.Kind.SEEKER).first()
    if account is not None:
        return account
    with transaction.atomic():
        account = PortalAccount.objects.create(user=_new_user(), client=client, kind=PortalAccount.Kind.SEEKER)
        _audit("jobs_seekers.account_created", account, account, client.home_office_id, by="pin")
    return account


def _check_password(password: str) -> None:
    try:
        validate_password(password)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from exc


def register_seeker(
    *, email: str, password: str, first_name: str, last_name: str, office: Organisation
) -> PortalAccount:
    """A job seeker's account by e-mail: a new client of ``office`` and an unverified account.
    A known address is a Conflict (the view answers as if it were accepted)."""
    email = email.strip().lower()
    _check_password(password)
    if PortalAccount.objects.filter(email__iexact=email).exists():
        raise Conflict(_("An account with this e-mail address exists."), field="email")
    with transaction.atomic():
        client = client_actions.register_client(
            actor=None,
            home_office=office,
            emails=[email],
            accept_duplicates=True,
            first_name=first_name.strip()[:100],
            last_name=last_name.strip()[:150],
            status=Client.Status.JOB_SEEKER,
        )
        account = PortalAccount.objects.create(
            user=_new_user(email),
            client=client,
            kind=PortalAccount.Kind.SEEKER,
            email=email,
            password_hash=make_password(password),
        )
        _audit("jobs_seekers.account_created", account, account, office.pk, by="email")
    return account


def register_employer_user(
    *,
    email: str,
    password: str,
    nip: str,
    company: str,
    office: Organisation,
    locality: str,
    teryt_code: str,
) -> PortalAccount:
    """An employer (pending verification by ``office``) and its first user, the owner of its
    account. A bad NIP is InvalidInput; a NIP or address already registered is a Conflict."""
    email = email.strip().lower()
    _check_password(password)
    if PortalAccount.objects.filter(email__iexact=email).exists():
        raise Conflict(_("An account with this e-mail address exists."), field="email")
    with transaction.atomic():
        employer = job_actions.register_employer(
            actor=ACTOR, office=office, name=company, nip=nip, locality=locality, teryt_code=teryt_code
        )
        user = _new_user(email)
        account = PortalAccount.objects.create(
            user=user, kind=PortalAccount.Kind.EMPLOYER, email=email, password_hash=make_password(password)
        )
        job_actions.add_member(actor=ACTOR, employer=employer, user=user, role=EmployerMembership.Role.OWNER)
        _audit("jobs_seekers.account_created", account, account, office.pk, by="employer", employer=employer.pk)
    return account


def verification_token(account: PortalAccount) -> str:
    return signing.dumps({"a": account.pk, "e": account.email}, salt=VERIFY_SALT)


def verify_email(token: str) -> PortalAccount:
    """Confirm the address of the account in a signed link (``signing.BadSignature`` or
    ``SignatureExpired`` for a forged, damaged or old link)."""
    value = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    if not isinstance(value, dict):
        raise signing.BadSignature("not a verification link")
    account = (
        PortalAccount.objects.select_related("client")
        .filter(pk=int(value.get("a") or 0), email=str(value.get("e") or ""))
        .first()
    )
    if account is None:
        raise signing.BadSignature("no such account")
    if account.email_verified_at is None:
        with transaction.atomic():
            account.email_verified_at = clock.now()
            account.save(update_fields=["email_verified_at"])
            _audit("jobs_seekers.email_verified", account, account, _office_of(account))
    return account


def _office_of(account: PortalAccount) -> int | None:
    if account.client is not None:
        return account.client.home_office_id
    employer = employer_of(account)
    return employer.office_id if employer else None


def employer_of(account: PortalAccount) -> Employer | None:
    """The employer the account acts for (its first active membership)."""
    membership = (
        EmployerMembership.objects.select_related("employer", "employer__office")
        .filter(user=account.user, active=True)
        .order_by("pk")
        .first()
    )
    return membership.employer if membership else None


def request_deletion(*, account: PortalAccount) -> None:
    """Ask the county office to delete the account and its data: a callback task for the
    client's home office (the office decides what the law lets it erase)."""
    if account.deletion_requested_at is not None:
        return
    office = account.client.home_office if account.client is not None else None
    if office is None:
        employer = employer_of(account)
        office = employer.office if employer is not None else None
    with transaction.atomic():
        account.deletion_requested_at = clock.now()
        account.save(update_fields=["deletion_requested_at"])
        if office is not None:
            interaction_actions.request_callback(
                actor=None,
                organisation=office,
                target_unit=office,
                client=account.client,
                reason=_("Request from the portal: delete the portal account and its data (RODO art. 17)."),
                due_at=clock.now() + dt.timedelta(days=3),
            )
        _audit("jobs_seekers.deletion_requested", account, account, office.pk if office else None)


# --- CVs ---------------------------------------------------------------------------------------


def cv_of(client: Client) -> CV:
    cv, _created = CV.objects.get_or_create(client=client)
    return cv


def _strings(values: Any, *, limit: int = MAX_ITEMS, length: int = 200) -> list[str]:
    if not isinstance(values, list | tuple):
        return []
    return [str(v).strip()[:length] for v in values if str(v).strip()][:limit]


def _clean_experience(entries: Any) -> tuple[list[dict[str, Any]], int]:
    cleaned: list[dict[str, Any]] = []
    years = 0
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping):
            continue
        code = str(entry.get("occupation_code", "")).strip()
        if code and not _KZIS.fullmatch(code):
            raise InvalidInput(_("An occupation code (KZiS) has 6 digits."), field="experience")
        try:
            entry_years = max(0, min(60, int(entry.get("years") or 0)))
        except (TypeError, ValueError) as exc:
            raise InvalidInput(_("Give the years of experience as a number."), field="experience") from exc
        title = str(entry.get("title", "")).strip()[:200]
        if not (title or code):
            continue
        cleaned.append(
            {
                "title": title,
                "occupation_code": code,
                "employer": str(entry.get("employer", "")).strip()[:200],
                "years": entry_years,
            }
        )
        years += entry_years
    return cleaned[:MAX_ITEMS], min(years, 60)


def _clean_languages(entries: Any) -> list[dict[str, str]]:
    cleaned = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping):
            continue
        language = str(entry.get("language", "")).strip()[:60]
        level = str(entry.get("level", "")).strip().upper()
        if not language:
            continue
        if level not in LANGUAGE_LEVELS:
            raise InvalidInput(_("A language level is one of A1–C2."), field="languages")
        cleaned.append({"language": language, "level": level})
    return cleaned[:MAX_ITEMS]


def save_cv(*, account: PortalAccount, values: Mapping[str, Any]) -> CV:
    """Write the job seeker's CV and its search keys."""
    client = _seeker_client(account)
    experience, years = _clean_experience(values.get("experience"))
    occupations = [e["occupation_code"] for e in experience if e["occupation_code"]]
    main = str(values.get("main_occupation") or "").strip()
    if main and not _KZIS.fullmatch(main):
        raise InvalidInput(_("An occupation code (KZiS) has 6 digits."), field="main_occupation")
    areas = _strings(values.get("areas"), length=7)
    if any(not _TERYT.fullmatch(a) for a in areas):
        raise InvalidInput(_("A TERYT code has 2, 4 or 7 digits."), field="areas")
    licences = sorted({str(v).strip().upper() for v in values.get("driving_licences") or []})
    if any(v not in DRIVING_LICENCES for v in licences):
        raise InvalidInput(_("Unknown driving licence category."), field="driving_licences")
    working_time = str(values.get("working_time") or WorkingTime.ANY)
    if working_time not in WorkingTime.values:
        raise InvalidInput(_("Unknown working time."), field="working_time")
    available = values.get("available_from")
    if available is not None and not isinstance(available, dt.date):
        raise InvalidInput(_("Enter a valid date."), field="available_from")
    skills = _strings(values.get("skills"), length=80)
    with transaction.atomic():
        cv = cv_of(client)
        cv.headline = str(values.get("headline") or "").strip()[:200]
        cv.education = _strings(values.get("education"))
        cv.experience = experience
        cv.experience_years = years
        cv.skills = skills
        cv.languages = _clean_languages(values.get("languages"))
        cv.driving_licences = licences
        cv.available_from = available
        cv.areas = areas
        cv.working_time = working_time
        cv.main_occupation = main or (occupations[0] if occupations else "")
        cv.save()
        write_keys(cv)
        _audit("jobs_seekers.cv_saved", account, cv, client.home_office_id)
    return cv


def write_keys(cv: CV) -> None:
    """Replace the CV's search keys (occupations, areas, folded skills)."""
    CVOccupation.objects.filter(cv=cv).delete()
    CVArea.objects.filter(cv=cv).delete()
    CVSkill.objects.filter(cv=cv).delete()
    codes = {e.get("occupation_code", "") for e in cv.experience} | {cv.main_occupation}
    CVOccupation.objects.bulk_create([CVOccupation(cv=cv, code=c) for c in sorted(codes) if c])
    CVArea.objects.bulk_create([CVArea(cv=cv, teryt=t) for t in sorted(set(cv.areas))])
    keys = {fold(s) for s in cv.skills} - {""}
    CVSkill.objects.bulk_create([CVSkill(cv=cv, key=k) for k in sorted(keys)])


def _seeker_client(account: PortalAccount) -> Client:
    if account.kind != PortalAccount.Kind.SEEKER or account.client is None:
        raise Forbidden(_("Only a job seeker's account has a CV."))
    return account.client


def set_search_consent(*, account: PortalAccount, granted: bool) -> CV:
    """Give or withdraw the consent to be found by employers; a withdrawal hides the CV from the
    very next search (every search joins the current consent)."""
    client = _seeker_client(account)
    now = clock.now()
    with transaction.atomic():
        cv = CV.objects.select_for_update().get(pk=cv_of(client).pk)
        current = cv.consent
        if granted and current is None:
            cv.consent = SearchConsent.objects.create(cv=cv, text_version=CONSENT_VERSION, granted_at=now)
            cv.save(update_fields=["consent", "updated_at"])
        elif not granted and current is not None:
            current.withdrawn_at = now
            current.save(update_fields=["withdrawn_at"])
            cv.consent = None
            cv.save(update_fields=["consent", "updated_at"])
        else:
            return cv
        ClientConsent.objects.update_or_create(
            client=client,
            topic=ClientConsent.Topic.PROFILE_SEARCHABLE,
            defaults={"granted": granted, "source": ClientConsent.Source.PORTAL, "given_at": now},
        )
        _audit(
            "jobs_seekers.consent_granted" if granted else "jobs_seekers.consent_withdrawn",
            account,
            cv,
            client.home_office_id,
            text_version=CONSENT_VERSION,
        )
        events.emit(
            "client.updated",
            obj=client,
            organisation_id=client.home_office_id,
            payload={"client": client.pk, "uuid": client.uuid, "fields": ["consents"]},
        )
    return cv


# --- Employers and candidates -----------------------------------------------------------------


def record_view(*, account: PortalAccount, employer: Employer, cv: CV) -> ProfileView:
    with transaction.atomic():
        view = ProfileView.objects.create(cv=cv, employer=employer, user=account.user, viewed_at=clock.now())
        _audit("jobs_seekers.profile_viewed", account, cv, cv.client.home_office_id, employer=employer.pk)
    return view


def request_contact(*, account: PortalAccount, employer: Employer, cv: CV, message: str) -> ContactRequest:
    """Ask the candidate for contact (one open request per employer and CV)."""
    if ContactRequest.objects.filter(cv=cv, employer=employer, status=ContactRequest.Status.PENDING).exists():
        raise Conflict(_("Your request is already waiting for the candidate's answer."))
    with transaction.atomic():
        request = ContactRequest.objects.create(
            cv=cv,
            employer=employer,
            requested_by=account.user,
            message=message.strip()[:2000],
            created_at=clock.now(),
        )
        _audit("jobs_seekers.contact_requested", account, request, cv.client.home_office_id, employer=employer.pk)
        events.emit(
            "jobs.contact_requested",
            obj=request,
            organisation_id=cv.client.home_office_id,
            payload={"request": request.pk, "cv": cv.pk, "employer": employer.pk},
        )
    return request


def answer_contact(*, account: PortalAccount, request_uuid: str, accept: bool) -> ContactRequest:
    """The candidate accepts (their name and contact become visible to the employer) or declines."""
    client = _seeker_client(account)
    try:
        request = ContactRequest.objects.select_related("cv").get(uuid=request_uuid, cv__client=client)
    except (ContactRequest.DoesNotExist, ValidationError, ValueError) as exc:
        raise NotFound(_("No such request.")) from exc
    if request.status != ContactRequest.Status.PENDING:
        raise Conflict(_("The request has already been answered."))
    with transaction.atomic():
        request.status = ContactRequest.Status.ACCEPTED if accept else ContactRequest.Status.DECLINED
        request.answered_at = clock.now()
        request.save(update_fields=["status", "answered_at"])
        _audit(
            "jobs_seekers.contact_answered",
            account,
            request,
            client.home_office_id,
            status=request.status,
            employer=request.employer_id,
        )
    return request


def accepted_contact(employer: Employer, cv: CV) -> bool:
    return ContactRequest.objects.filter(cv=cv, employer=employer, status=ContactRequest.Status.ACCEPTED).exists()


def contact_details(client: Client) -> dict[str, Any]:
    """What an employer sees after acceptance: the name and the client's primary contacts."""
    contacts = list(client.contacts.order_by("-is_primary", "pk").values_list("kind", "value"))
    return {
        "name": client.display_name,
        "emails": [v for k, v in contacts if k == "email"],
        "phones": [v for k, v in contacts if k == "phone"],
    }


def summary(cv: CV, county: str = "") -> str:
    """The pseudonymised one-line description of a candidate."""
    parts = [_("Candidate %(pseudonym)s") % {"pseudonym": cv.pseudonym}]
    if cv.headline:
        parts.append(cv.headline)
    elif cv.experience:
        parts.append(str(cv.experience[0].get("title", "")))
    if cv.experience_years:
        parts.append(_("%(years)d years of experience") % {"years": cv.experience_years})
    if county:
        parts.append(county)
    return ", ".join(p for p in parts if p)


# --- The CV document and applications ----------------------------------------------------------

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CV_FILE_TYPES = frozenset({"application/pdf", uploads.ODT, DOCX})
CV_FILE_MAX_BYTES = 5 * 1024 * 1024
APPLICATIONS_PER_DAY = 30


def save_cv_file(*, account: PortalAccount, data: bytes, name: str) -> CVFile:
    """Keep the job seeker's CV document (PDF, ODT or DOCX judged by its bytes; a new one
    replaces the old). Anything else is refused with ``InvalidInput``."""
    client = _seeker_client(account)
    try:
        checked = uploads.check(data, max_bytes=CV_FILE_MAX_BYTES, allowed=CV_FILE_TYPES)
    except uploads.UploadRejected as exc:
        if exc.reason.startswith("type:"):
            raise InvalidInput(
                _("Send the CV as a PDF, OpenDocument (ODT) or Word (DOCX) document."), field="file"
            ) from exc
        raise InvalidInput(exc.message, field="file") from exc
    cv = cv_of(client)
    with transaction.atomic():
        old = CVFile.objects.filter(cv=cv).first()
        if old is not None:
            old.file.delete(save=False)
            old.delete()
        stored = CVFile(cv=cv, created_at=clock.now())
        stored.store(data, checked, sent_name=name)
        _audit("jobs_seekers.cv_file_saved", account, cv, client.home_office_id, type=checked.content_type)
    return stored


def delete_cv_file(*, account: PortalAccount) -> None:
    client = _seeker_client(account)
    with transaction.atomic():
        found = CVFile.objects.filter(cv__client=client).first()
        if found is None:
            return
        found.file.delete(save=False)
        found.delete()
        _audit("jobs_seekers.cv_file_deleted", account, found.cv, client.home_office_id)


def apply(*, account: PortalAccount, offer: JobOffer, letter: str, with_file: bool) -> Application:
    """Send the CV (and, if chosen, the CV document) to a published offer's employer. The
    candidate's name and contact details go with it: that is what applying means."""
    client = _seeker_client(account)
    if offer.status != OfferStatus.PUBLISHED:
        raise Conflict(_("This offer no longer takes applications."))
    cv = cv_of(client)
    if not (cv.headline or cv.experience or cv.main_occupation):
        raise InvalidInput(_("Fill in your CV first: at least the occupation or your experience."))
    with_file = with_file and CVFile.objects.filter(cv=cv).exists()
    since = clock.now() - dt.timedelta(days=1)
    if Application.objects.filter(cv=cv, created_at__gte=since).count() >= APPLICATIONS_PER_DAY:
        raise Conflict(_("You have sent %(n)d applications today; send more tomorrow.") % {"n": APPLICATIONS_PER_DAY})
    now = clock.now()
    with transaction.atomic():
        if (
            Application.objects.select_for_update()
            .filter(offer=offer, cv=cv)
            .exclude(status=Application.Status.WITHDRAWN)
            .exists()
        ):
            raise Conflict(_("You have already applied for this offer."))
        application = Application.objects.create(
            offer=offer,
            cv=cv,
            letter=letter.replace("\x00", "").strip()[:4000],  # PostgreSQL text holds no NUL
            with_file=with_file,
            created_at=now,
            status_changed_at=now,
        )
        _audit(
            "jobs_seekers.application_sent",
            account,
            application,
            client.home_office_id,
            offer=offer.pk,
            employer=offer.employer_id,
        )
        events.emit(
            "jobs.application_sent",
            obj=application,
            organisation_id=offer.office_id,
            payload={"application": application.pk, "offer": offer.pk, "employer": offer.employer_id},
        )
    return application


def withdraw_application(*, account: PortalAccount, application_uuid: str) -> Application:
    client = _seeker_client(account)
    application = _application(Application.objects.filter(cv__client=client), application_uuid)
    if application.status in (Application.Status.WITHDRAWN, Application.Status.REJECTED):
        raise Conflict(_("This application can no longer be withdrawn."))
    return _set_status(account, application, Application.Status.WITHDRAWN, client.home_office_id)


def _application(queryset: Any, application_uuid: str) -> Application:
    try:
        found: Application = queryset.select_related("cv__client", "offer").get(uuid=application_uuid)
    except (Application.DoesNotExist, ValidationError, ValueError) as exc:
        raise NotFound(_("No such application.")) from exc
    return found


def _set_status(account: PortalAccount, application: Application, status: str, office: int | None) -> Application:
    with transaction.atomic():
        application.status = status
        application.status_changed_at = clock.now()
        application.save(update_fields=["status", "status_changed_at"])
        _audit("jobs_seekers.application_status", account, application, office, status=status)
    return application


def employer_application(*, account: PortalAccount, employer: Employer, application_uuid: str) -> Application:
    """An application to one of the employer's offers, opened by one of its users: logged as an
    access to personal data and as a view of the CV (shown to the candidate); a sent application
    becomes "read"."""
    application = _application(
        Application.objects.filter(offer__employer=employer).exclude(status=Application.Status.WITHDRAWN),
        application_uuid,
    )
    office = application.cv.client.home_office_id
    audit.record_access(account.user, application, organisation_id=office, purpose="employer: application")
    record_view(account=account, employer=employer, cv=application.cv)
    if application.status == Application.Status.SENT:
        _set_status(account, application, Application.Status.SEEN, office)
    return application


def answer_application(
    *, account: PortalAccount, employer: Employer, application_uuid: str, invite: bool
) -> Application:
    application = _application(
        Application.objects.filter(offer__employer=employer).exclude(status=Application.Status.WITHDRAWN),
        application_uuid,
    )
    status = Application.Status.INVITED if invite else Application.Status.REJECTED
    return _set_status(account, application, status, application.cv.client.home_office_id)


def record_file_download(*, account: PortalAccount, application: Application) -> None:
    audit.record_access(
        account.user,
        application,
        organisation_id=application.cv.client.home_office_id,
        purpose="employer: CV document",
    )
