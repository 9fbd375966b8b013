"""Who may see and act on which case.

* A case belongs to a jurisdiction (``Case.organisation``: a city, a WUP or a PUP). Staff holding
  ``cases.open`` or ``cases.work`` in the jurisdiction, in one of its sub-organisations, or in a
  parent of it see its cases (a city's contact centre sees the city's cases).
* Staff holding ``cases.work`` in a unit also see every case assigned to that unit, even of
  another jurisdiction (e.g. a shared service unit).
* ``cases.view`` is the read-only scope, by the same rule as ``cases.open``: a contact centre's
  consultants (also where a ``ScopeGrant`` lends them another office's cases) and analysts see
  the cases so they can answer "what happened to my report?". It gives no workflow role
  (``actor_kinds``), so every write is refused where the viewer holds nothing else.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from okienko.accounts import access
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.cases.workflow import ActorKind
from okienko.core.actors import Actor, signed_in, superuser
from okienko.core.tree import path_prefixes

JURISDICTION_KINDS = frozenset(
    {Organisation.Kind.CITY, Organisation.Kind.REGION_OFFICE, Organisation.Kind.COUNTY_OFFICE}
)


def jurisdiction_path(org: Organisation) -> str:
    """The path of the nearest jurisdiction at or above ``org`` (the tree root if none)."""
    chain = list(Organisation.objects.filter(path__in=path_prefixes(org.path)).order_by("-path"))
    for candidate in chain:
        if candidate.kind in JURISDICTION_KINDS:
            return candidate.path
    return path_prefixes(org.path)[0]


def jurisdiction_of(org: Organisation) -> Organisation:
    return Organisation.objects.get(path=jurisdiction_path(org))


def _scope_paths(user: Actor, perms: tuple[str, ...]) -> set[str]:
    cache_attr = "_okienko_case_scope_" + "_".join(perms)
    cached: set[str] | None = getattr(user, cache_attr, None)
    if cached is not None:
        return cached
    orgs = Organisation.objects.none()
    for perm in perms:
        orgs = orgs | access.organisations_with(user, perm)
    paths: set[str] = set()
    for org in orgs.only("path", "kind").distinct():
        paths.add(org.path)
    setattr(user, cache_attr, paths)
    return paths


def visibility_q(user: Actor) -> Q:
    """Cases ``user`` may see, as a filter on plain id columns (index-friendly, no joins)."""
    if not signed_in(user):
        return Q(pk__in=[])
    if superuser(user):
        return Q()
    jurisdictions = _scope_paths(user, (Perm.CASES_OPEN, Perm.CASES_WORK, Perm.CASES_VIEW))
    working = _scope_paths(user, (Perm.CASES_WORK,))
    org_q = Q(pk__in=[])
    tops = _top_paths(jurisdictions)
    above = {p for path in tops for p in path_prefixes(path)}
    kinds = dict(Organisation.objects.filter(path__in=above).values_list("path", "kind")) if above else {}
    for path in tops:
        org_q |= Q(path__startswith=path)
        if kinds.get(path) in JURISDICTION_KINDS:
            continue
        # a unit's staff also see the cases of the nearest jurisdiction above them (their city
        # or county office), but not of the whole tree further up
        for ancestor in reversed(path_prefixes(path)[:-1]):
            org_q |= Q(path=ancestor)
            if kinds.get(ancestor) in JURISDICTION_KINDS:
                break
    unit_q = Q(pk__in=[])
    for path in _top_paths(working):
        unit_q |= Q(path__startswith=path)
    org_ids = list(Organisation.objects.filter(org_q).values_list("pk", flat=True)) if jurisdictions else []
    unit_ids = list(Organisation.objects.filter(unit_q).values_list("pk", flat=True)) if working else []
    if not org_ids and not unit_ids:
        return Q(pk__in=[])
    return Q(organisation_id__in=org_ids) | Q(assigned_unit_id__in=unit_ids)


def _top_paths(paths: set[str]) -> list[str]:
    """Drop paths inside another path of the set."""
    ordered = sorted(paths, key=len)
    tops: list[str] = []
    for path in ordered:
        if not any(path.startswith(t) for t in tops):
            tops.append(path)
    return tops


def can_open_in(user: Actor, organisation: Organisation) -> bool:
    """May ``user`` open cases for the jurisdiction ``organisation``?

    Yes where the user holds ``cases.open`` in it (or above it, or by a grant), and also where the
    user holds it in one of its units: a unit's staff open cases of their own city. Not where a
    jurisdiction lies in between: a county office's consultant opens no cases of the regional
    office above it.
    """
    if access.has_perm_in(user, Perm.CASES_OPEN, organisation):
        return True
    below = [p for p in _scope_paths(user, (Perm.CASES_OPEN,)) if p.startswith(organisation.path)]
    if not below:
        return False
    between = {prefix for path in below for prefix in path_prefixes(path) if len(prefix) > len(organisation.path)}
    kinds = dict(Organisation.objects.filter(path__in=between).values_list("path", "kind"))
    return any(
        not any(kinds.get(prefix) in JURISDICTION_KINDS for prefix in path_prefixes(path) if prefix in between)
        for path in below
    )


def actor_kinds(user: Actor, case: Any) -> set[str]:
    """How the workflow sees ``user`` on ``case``: consultant, expert and/or supervisor."""
    kinds: set[str] = set()
    if user is None or not getattr(user, "is_authenticated", False):
        return kinds
    places = [case.organisation] + ([case.assigned_unit] if case.assigned_unit_id else [])
    for org in places:
        if access.has_perm_in(user, Perm.CASES_ASSIGN, org):
            kinds.add(ActorKind.SUPERVISOR)
        if access.has_perm_in(user, Perm.CASES_WORK, org):
            kinds.add(ActorKind.EXPERT)
    if can_open_in(user, case.organisation):
        kinds.add(ActorKind.CONSULTANT)
    if superuser(user):
        kinds |= {ActorKind.SUPERVISOR, ActorKind.EXPERT, ActorKind.CONSULTANT}
    return kinds


def access_case(user: Actor, case_id: int | str) -> Any:
    """The case (by id or uuid) if ``user`` may see it; else ``PermissionDenied``."""
    from okienko.cases.models import Case

    lookup: dict[str, Any] = {"uuid": case_id} if isinstance(case_id, str) and "-" in case_id else {"pk": case_id}
    case = (
        Case.objects.visible_to(user)
        .select_related("organisation", "service", "assigned_unit", "assigned_to", "client", "gmina")
        .filter(**lookup)
        .first()
    )
    if case is None:
        raise PermissionDenied("case")
    return case


def read_only(user: Actor, case: Any) -> bool:
    """Does ``user`` see ``case`` without any part in its workflow (read-only scope)?"""
    return not actor_kinds(user, case)


def may_work(user: Actor, case: Any) -> bool:
    return bool(actor_kinds(user, case) & {ActorKind.EXPERT, ActorKind.SUPERVISOR})


def may_assign(user: Actor, case: Any) -> bool:
    return ActorKind.SUPERVISOR in actor_kinds(user, case)
