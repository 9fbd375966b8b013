"""Staff roles and what each may do. Permissions are always checked with an organisation scope."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CONSULTANT = "consultant", _("consultant (1st line)")
    EXPERT = "expert", _("expert (2nd line)")
    SUPERVISOR = "supervisor", _("supervisor")
    ANALYST = "analyst", _("analyst")
    KNOWLEDGE_EDITOR = "knowledge_editor", _("knowledge editor")
    PORTAL_EDITOR = "portal_editor", _("portal editor")
    ADMINISTRATOR = "administrator", _("administrator")
    AGENCY_WORKER = "agency_worker", _("employment agency worker")
    CONTRACT_MANAGER = "contract_manager", _("contract manager (labour office)")


class Perm(models.TextChoices):
    """Fine-grained permissions; roles grant sets of them."""

    CLIENTS_VIEW = "clients.view", _("see clients' personal data")
    CLIENTS_EDIT = "clients.edit", _("register and edit clients")
    INTERACTIONS_RECORD = "interactions.record", _("record contacts")
    CASES_OPEN = "cases.open", _("open cases")
    CASES_VIEW = "cases.view", _("see cases (read-only)")
    CASES_WORK = "cases.work", _("work on cases")
    CASES_ASSIGN = "cases.assign", _("assign cases in a team")
    QUEUES_SUPERVISE = "queues.supervise", _("supervise queues and agents")
    REPORTS_VIEW = "reports.view", _("see reports")
    KNOWLEDGE_READ_INTERNAL = "knowledge.read_internal", _("read internal knowledge")
    KNOWLEDGE_EDIT = "knowledge.edit", _("edit knowledge articles")
    PORTAL_EDIT = "portal.edit", _("edit portal content")
    CONFIGURE = "admin.configure", _("configure organisations, staff and services")
    AUDIT_VIEW = "audit.view", _("read the audit log")
    CONTRACTING_AGENCY = "contracting.agency", _("work in Kontraktor for an agency")
    CONTRACTING_OFFICE = "contracting.office", _("manage Kontraktor contracts for a labour office")
    JOBS_MODERATE = "jobs.moderate", _("register and moderate job offers, verify employers")
    JOBS_EVENTS = "jobs.manage_events", _("publish trainings and job fairs, see their registrations")


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CONSULTANT: frozenset(
        {
            Perm.CLIENTS_VIEW,
            Perm.CLIENTS_EDIT,
            Perm.INTERACTIONS_RECORD,
            Perm.CASES_OPEN,
            Perm.CASES_VIEW,
            Perm.KNOWLEDGE_READ_INTERNAL,
            Perm.JOBS_MODERATE,
            Perm.JOBS_EVENTS,
        }
    ),
    Role.EXPERT: frozenset(
        {Perm.CLIENTS_VIEW, Perm.INTERACTIONS_RECORD, Perm.CASES_OPEN, Perm.CASES_WORK, Perm.KNOWLEDGE_READ_INTERNAL}
    ),
    Role.SUPERVISOR: frozenset(
        {
            Perm.CLIENTS_VIEW,
            Perm.CLIENTS_EDIT,
            Perm.INTERACTIONS_RECORD,
            Perm.CASES_OPEN,
            Perm.CASES_WORK,
            Perm.CASES_ASSIGN,
            Perm.QUEUES_SUPERVISE,
            Perm.REPORTS_VIEW,
            Perm.KNOWLEDGE_READ_INTERNAL,
            Perm.JOBS_MODERATE,
            Perm.JOBS_EVENTS,
        }
    ),
    # Until reports exist, analysts read the cases of their scope (read-only: no workflow role).
    Role.ANALYST: frozenset({Perm.REPORTS_VIEW, Perm.CASES_VIEW, Perm.KNOWLEDGE_READ_INTERNAL}),
    Role.KNOWLEDGE_EDITOR: frozenset({Perm.KNOWLEDGE_READ_INTERNAL, Perm.KNOWLEDGE_EDIT}),
    Role.PORTAL_EDITOR: frozenset({Perm.PORTAL_EDIT}),
    Role.ADMINISTRATOR: frozenset({Perm.CONFIGURE, Perm.AUDIT_VIEW, Perm.REPORTS_VIEW, Perm.KNOWLEDGE_READ_INTERNAL}),
    Role.AGENCY_WORKER: frozenset({Perm.CONTRACTING_AGENCY}),
    # A labour office's contracts with agencies: its registry imports, nominations, sharing,
    # monitoring and settlements (Kontraktor, issue 17).
    Role.CONTRACT_MANAGER: frozenset({Perm.CONTRACTING_OFFICE, Perm.REPORTS_VIEW}),
}


def permissions_of(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
