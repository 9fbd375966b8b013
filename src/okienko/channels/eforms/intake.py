"""One intake for every electronic submission, whichever way it came (drop folder, HTTP, demo).

``receive(raw)`` stores the document once (its SHA-256 is unique: a second delivery returns the
first row and its receipt), reads it with the hardened parser and decides, in one transaction with
its audit entry and the ``eform.received`` event:

1. not XML we read (too large, not UTF-8, a DTD or entity, not well-formed), not an envelope, an
   attachment not decodable → *rejected*;
2. a form not registered (or inactive), or one the delivering system may not deliver → *rejected*;
3. form data not valid by the form's XSD → *rejected*;
4. a signature present but not valid (broken, forged, untrusted signer when trust is checked),
   or absent where the form requires one → *rejected*;
5. a file the form refers to missing from the envelope, or an attachment refused by
   ``core.uploads`` (type, size, virus) → *rejected*;
6. otherwise a contact (channel ``eform``) and a case of the form's service with the attachments
   → *accepted*.

Each outcome gets a signed receipt (``receipts``) naming the digest, the time and the reasons. A
submission whose processing fails on our side (say the service refuses the case) is kept as
*quarantined* with the error for a person to look at. The raw document is always kept.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from lxml import etree

from okienko.accounts.models import Organisation
from okienko.cases import actions as case_actions
from okienko.cases.models import Case
from okienko.channels.eforms import envelope as env
from okienko.channels.eforms import receipts, signatures, xmlsafe
from okienko.channels.eforms.models import EForm, EFormSubmission
from okienko.clients.models import Client, ClientContact
from okienko.core import audit, clock, events, memo, uploads
from okienko.core.actors import Actor
from okienko.core.choices import Channel
from okienko.interactions.actions import record_interaction
from okienko.interactions.models import Interaction

log = logging.getLogger(__name__)

S = EFormSubmission.Status
EVENT = "eform.received"
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "OKIENKO_EFORMS_MAX_BYTES", xmlsafe.DEFAULT_MAX_BYTES))


@dataclass
class _Outcome:
    status: str
    reasons: list[str] = field(default_factory=list)
    form: EForm | None = None
    organisation: Organisation | None = None
    verdict: signatures.Verdict = field(default_factory=lambda: signatures.Verdict("absent"))
    envelope: env.Envelope | None = None
    client: Client | None = None
    case: Case | None = None
    interaction: Interaction | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)


# Compiled schemas by form and text, for a minute per process (compiling costs more than checking).
_SCHEMAS = memo.Memo[etree.XMLSchema](ttl=60)


def form_schema(form: EForm) -> etree.XMLSchema:
    key = f"{form.pk}:{hashlib.sha256(form.schema.encode()).hexdigest()}"
    return _SCHEMAS.get(key, lambda: xmlsafe.schema_from_text(form.schema))


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def receive(
    raw: bytes,
    *,
    transport: str,
    source_name: str = "",
    system: str = "",
    sender_office: Organisation | None = None,
) -> tuple[EFormSubmission, bool]:
    """Store and process one submission (see the module docstring); return its row and whether it
    is new (False: delivered before, the first row is returned unchanged).

    ``sender_office``: the organisation a delivering system acts for (its API token's); it may
    deliver only forms of offices within it."""
    sha = digest(raw)
    existing = EFormSubmission.objects.filter(sha256=sha).first()
    if existing is not None:
        return existing, False
    written: list[Any] = []
    try:
        with audit.batch(), events.batch():
            submission = _new(raw, sha, transport, source_name, system, written)
            outcome = _decide(submission, raw, sender_office)
            _finish(submission, outcome)
        return submission, True
    except IntegrityError:
        _forget(written)
        existing = EFormSubmission.objects.filter(sha256=sha).first()
        if existing is not None:  # stored meanwhile by another worker
            return existing, False
        raise
    except signatures.RevocationUnknown as exc:  # not the sender's fault: a person retries later
        _forget(written)
        log.warning("e-form quarantined: %s", exc)
        return _quarantine(raw, sha, transport, source_name, system, str(exc)), True
    except Exception as exc:
        _forget(written)
        log.exception("e-form processing failed; quarantined")
        return _quarantine(raw, sha, transport, source_name, system, f"{type(exc).__name__}: {exc}"), True


def _forget(files: list[Any]) -> None:
    for stored in files:
        try:
            stored.delete(save=False)
        except OSError:
            log.warning("could not remove an orphaned e-form file")


def _new(raw: bytes, sha: str, transport: str, source_name: str, system: str, written: list[Any]) -> EFormSubmission:
    now = clock.now()
    submission = EFormSubmission(
        uuid=uuid4(),
        transport=transport,
        system=system[:200],
        source_name=source_name[:200],
        received_at=now,
        created_at=now,
        original_name="submission.xml",
        content_type="application/xml",
        size=len(raw),
        sha256=sha,
    )
    submission.file.save("submission", ContentFile(raw[: max_bytes()]), save=False)
    written.append(submission.file)
    submission.save(force_insert=True)
    return submission


def _decide(submission: EFormSubmission, raw: bytes, sender_office: Organisation | None) -> _Outcome:
    try:
        root = xmlsafe.parse(raw, max_bytes=max_bytes())
    except xmlsafe.UnsafeXml as exc:
        return _Outcome(S.REJECTED, [str(exc)], organisation=sender_office)
    submission.form_code = env.form_code_of(root)
    try:
        envelope = env.read(root)
    except env.EnvelopeError as exc:
        return _Outcome(S.REJECTED, exc.reasons, organisation=sender_office)
    submission.title = envelope.title[:300]
    submission.sender_name = envelope.sender_name[:200]
    submission.sender_email = envelope.sender_email[:254]
    form = EForm.objects.select_related("organisation", "service").filter(code=envelope.form_code).first()
    if form is None or not form.active:
        reason = _("The form %(code)s is not received here.") % {"code": envelope.form_code}
        return _Outcome(S.REJECTED, [reason], organisation=sender_office, envelope=envelope)
    if sender_office is not None and not form.organisation.is_within(sender_office):
        reason = _("This system may not deliver the form %(code)s.") % {"code": form.code}
        return _Outcome(S.REJECTED, [reason], organisation=sender_office, envelope=envelope)
    outcome = _Outcome(S.REJECTED, form=form, organisation=form.organisation, envelope=envelope)
    outcome.reasons = env.check_form_data(envelope, form_schema(form))
    outcome.verdict = signatures.verify(root)
    if outcome.verdict.status == "invalid":
        outcome.reasons.append(outcome.verdict.reason)
    elif outcome.verdict.status == "absent" and form.signature_required:
        outcome.reasons.append(_("This form must be signed."))
    if outcome.reasons:
        return outcome
    values = env.mapped(envelope, dict(form.field_mapping))
    outcome.reasons = _check_attachments(envelope, values.get("attachments", []))
    if outcome.reasons:
        return outcome
    return _accept(submission, outcome, values)


def _check_attachments(envelope: env.Envelope, referred: list[str]) -> list[str]:
    reasons = []
    names = {a.name for a in envelope.attachments}
    for name in referred:
        if name not in names:
            reasons.append(_("The form refers to the file %(name)s, which is not in the envelope.") % {"name": name})
    for attachment in envelope.attachments:
        try:
            uploads.check(attachment.data, max_bytes=ATTACHMENT_MAX_BYTES)
        except uploads.UploadRejected as exc:
            reasons.append(f"{attachment.name}: {exc.message}")
    return reasons


def find_client(controller_path: str, envelope: env.Envelope) -> Client | None:
    """The one client of the data controller with the sender's PESEL, else with their e-mail."""
    clients = Client.objects.filter(home_office__path__startswith=controller_path, merged_into__isnull=True)
    if envelope.sender_pesel:
        found = list(clients.filter(pesel=envelope.sender_pesel)[:2])
        if len(found) == 1:
            return found[0]
    if envelope.sender_email:
        ids = ClientContact.objects.filter(kind=ClientContact.Kind.EMAIL, normalized=envelope.sender_email).values_list(
            "client_id", flat=True
        )[:50]
        found = list(clients.filter(pk__in=list(ids))[:2])
        if len(found) == 1:
            return found[0]
    return None


def _first(values: dict[str, list[str]], key: str) -> str:
    found = values.get(key) or []
    return found[0] if found else ""


def _accept(submission: EFormSubmission, outcome: _Outcome, values: dict[str, list[str]]) -> _Outcome:
    form, envelope = outcome.form, outcome.envelope
    assert form is not None
    assert envelope is not None
    office = form.organisation
    # A client's history only takes what its signer vouches for: unsigned forms stay anonymous.
    client = find_client(office.controller_path, envelope) if outcome.verdict.status == "valid" else None
    description = "\n".join(values.get("description") or []) or envelope.title or form.name
    reporter = {
        "name": _first(values, "reporter_name") or envelope.sender_name,
        "email": _first(values, "reporter_email") or envelope.sender_email,
        "phone": _first(values, "reporter_phone") or envelope.sender_phone,
    }
    location = {
        "address": _first(values, "address"),
        "latitude": _first(values, "latitude") or None,
        "longitude": _first(values, "longitude") or None,
    }
    answers = {key.split(":", 1)[1]: _first(values, key) for key in values if key.startswith("answer:")}
    with transaction.atomic():
        interaction = record_interaction(
            actor=None,
            channel=Channel.EFORM,
            organisation=office,
            client=client,
            direction=Interaction.Direction.IN,
            service=form.service,
            question=(envelope.title or form.name)[:300],
            outcome=Interaction.Outcome.OTHER,
            notes=description[:5000],
            started_at=submission.received_at,
            ended_at=submission.received_at,
            contact_name="" if client is not None else reporter["name"][:200],
            contact_detail="" if client is not None else (reporter["email"] or reporter["phone"])[:200],
        )
        case = case_actions.open_case(
            actor=None,
            organisation=office,
            service=form.service,
            description=description,
            channel=Channel.EFORM,
            client=client,
            reporter={k: v for k, v in reporter.items() if v},
            location=location if location["address"] or location["latitude"] else None,
            answers={k: v for k, v in answers.items() if v},
            interaction=interaction,
            as_client=True,
            received_at=submission.received_at,
        )
        for attachment in envelope.attachments:
            stored = case_actions.add_attachment(
                actor=None, case=case, name=attachment.name, data=attachment.data, as_client=True
            )
            outcome.attachments.append({**stored.as_payload(), "sent_name": attachment.name[:200]})
    outcome.status, outcome.client, outcome.case, outcome.interaction = S.ACCEPTED, client, case, interaction
    return outcome


def _receipt(submission: EFormSubmission, case_number: str = "") -> str:
    office = submission.organisation
    return receipts.build(
        submission_uuid=str(submission.uuid),
        sha256=submission.sha256,
        received_at=submission.received_at,
        form_code=submission.form_code,
        recipient=office.name if office is not None else "",
        status=submission.status,
        reasons=[str(r) for r in submission.reasons],
        case_number=case_number,
    ).decode("utf-8")


def _finish(submission: EFormSubmission, outcome: _Outcome) -> None:
    verdict = outcome.verdict
    submission.status = outcome.status
    submission.reasons = [str(r)[:1000] for r in outcome.reasons][:30]
    submission.form = outcome.form
    submission.organisation = outcome.organisation
    submission.signature = verdict.status
    submission.signer_subject, submission.signer_issuer = verdict.subject, verdict.issuer
    submission.signer_serial, submission.signed_at = verdict.serial, verdict.signed_at
    submission.client, submission.case, submission.interaction = outcome.client, outcome.case, outcome.interaction
    submission.attachments = outcome.attachments
    submission.receipt = _receipt(submission, outcome.case.number if outcome.case is not None else "")
    submission.save()
    _record(submission)


def _record(submission: EFormSubmission) -> None:
    audit.record(
        "eform.received",
        actor=None,
        obj=submission,
        organisation_id=submission.organisation_id,
        data={
            "form": submission.form_code,
            "status": submission.status,
            "reasons": submission.reasons,
            "transport": submission.transport,
            "system": submission.system,
            "sha256": submission.sha256,
            "signature": submission.signature,
            "signer": submission.signer_subject,
            "case": submission.case.number if submission.case is not None else None,
        },
    )
    events.emit(
        EVENT,
        obj=submission,
        organisation_id=submission.organisation_id,
        payload={
            "submission": str(submission.uuid),
            "form": submission.form_code,
            "status": submission.status,
            "reasons": submission.reasons,
            "signature": submission.signature,
            "case_id": submission.case_id,
            "client_id": submission.client_id,
            "interaction_id": submission.interaction_id,
        },
    )


def reprocess(submission: EFormSubmission, *, actor: Actor) -> EFormSubmission:
    """Process a quarantined submission again from its stored document (after its form or
    service was put right); anything else is returned unchanged. Still failing, it stays
    quarantined with the new error."""
    if submission.status != S.QUARANTINED:
        return submission
    with submission.file.open("rb") as handle:
        raw = handle.read()
    try:
        with audit.batch(), events.batch():
            locked = EFormSubmission.objects.select_for_update().get(pk=submission.pk)
            if locked.status != S.QUARANTINED:
                return locked
            outcome = _decide(locked, raw, None)
            _finish(locked, outcome)
            audit.record(
                "eform.reprocessed",
                actor=actor,
                obj=locked,
                organisation_id=locked.organisation_id,
                data={"status": locked.status, "reasons": locked.reasons},
            )
        return locked
    except Exception as exc:
        log.exception("e-form processed again and failed again; still quarantined")
        reason = _("Processing failed: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"[:400]}
        with audit.batch():
            EFormSubmission.objects.filter(pk=submission.pk).update(reasons=[reason])
            audit.record(
                "eform.reprocessed",
                actor=actor,
                obj=submission,
                organisation_id=submission.organisation_id,
                data={"status": S.QUARANTINED, "reasons": [reason]},
            )
        submission.refresh_from_db()
        return submission


def _quarantine(raw: bytes, sha: str, transport: str, source_name: str, system: str, error: str) -> EFormSubmission:
    """Keep a submission whose processing failed, with the error, for a person to look at."""
    written: list[Any] = []
    try:
        with audit.batch(), events.batch():
            submission = _new(raw, sha, transport, source_name, system, written)
            try:
                root = xmlsafe.parse(raw, max_bytes=max_bytes())
                submission.form_code = env.form_code_of(root)
                form = EForm.objects.filter(code=submission.form_code).select_related("organisation").first()
            except xmlsafe.UnsafeXml:
                form = None
            submission.form = form
            submission.organisation = form.organisation if form is not None else None
            submission.status = S.QUARANTINED
            submission.reasons = [_("Processing failed: %(error)s") % {"error": error[:400]}]
            submission.receipt = _receipt(submission)
            submission.save()
            _record(submission)
        return submission
    except IntegrityError:
        _forget(written)
        existing = EFormSubmission.objects.filter(sha256=sha).first()
        if existing is None:
            raise
        return existing
