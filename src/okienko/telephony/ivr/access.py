"""Who may edit which IVR flows and entry numbers: supervisors (``queues.supervise``) and
administrators (``admin.configure``) of the flow's organisation (or an organisation above it).
Another organisation's flow is "not found", not "forbidden": its existence is not told."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from okienko.accounts import access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.core.actors import Actor
from okienko.telephony.ivr.models import EntryNumber, Flow

EDITOR_PERMS = (Perm.QUEUES_SUPERVISE, Perm.CONFIGURE)


def may_edit_anywhere(user: Actor) -> bool:
    return any(access.has_perm_anywhere(user, perm) for perm in EDITOR_PERMS)


def editable_organisations(user: Actor) -> QuerySet[Organisation]:
    """The organisations whose flows ``user`` may edit."""
    ids: set[int] = set()
    for perm in EDITOR_PERMS:
        ids.update(access.organisations_with(user, perm).values_list("pk", flat=True))
    return Organisation.objects.filter(pk__in=ids).order_by("path")


def flows_for(user: Actor) -> QuerySet[Flow]:
    return Flow.objects.filter(organisation__in=editable_organisations(user)).select_related("organisation")


def numbers_for(user: Actor) -> QuerySet[EntryNumber]:
    return EntryNumber.objects.filter(organisation__in=editable_organisations(user)).select_related(
        "flow", "organisation"
    )


def access_flow(user: Actor, code: str) -> Flow:
    """The flow ``code`` if ``user`` may edit it; else 404."""
    flow = flows_for(user).filter(code=code[:60]).first()
    if flow is None:
        raise Http404("flow")
    return flow


def access_number(user: Actor, pk: int) -> EntryNumber:
    number = numbers_for(user).filter(pk=pk).first()
    if number is None:
        raise Http404("entry number")
    return number
