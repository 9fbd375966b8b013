"""Offers ↔ CVs scored and explained (issue 19, item 5).

``score(offer, cv)`` gives a number 0..1 and the reasons, in the active language: occupation
(the same 6-digit KZiS code, else the same 4-digit group, else the same 2-digit group),
area (the offer's place inside an area the CV prefers, or remote work), driving licences the
offer asks for, skills, working time and years of experience. Weights below; a missing driving
licence or too little experience is named ("brak prawa jazdy kat. C").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from okienko.jobs.models import JobOffer
from okienko.jobs.seekers import search as cv_search
from okienko.jobs.seekers.actions import fold
from okienko.jobs.seekers.models import CV, WorkingTime
from okienko.jobs.states import WorkMode

WEIGHTS = {"occupation": 0.45, "area": 0.2, "licences": 0.15, "skills": 0.1, "time": 0.05, "experience": 0.05}
TOP = 20
CANDIDATE_POOL = 500


@dataclass(frozen=True)
class Scored:
    score: float
    reasons: list[str]

    @property
    def explanation(self) -> str:
        return "; ".join(self.reasons)


def _licence(value: str) -> str:
    return value.upper().replace("+", "").replace(" ", "")


def cv_occupations(cv: CV) -> set[str]:
    codes = {str(e.get("occupation_code", "")) for e in cv.experience if isinstance(e, dict)}
    if cv.main_occupation:
        codes.add(cv.main_occupation)
    return {c for c in codes if len(c) == 6}


def score(offer: JobOffer, cv: CV) -> Scored:
    reasons: list[str] = []
    total = 0.0
    codes = cv_occupations(cv)
    code = offer.occupation_code
    if code and code in codes:
        total += WEIGHTS["occupation"]
        good = [_("matching occupation")]
    elif code and any(c[:4] == code[:4] for c in codes):
        total += WEIGHTS["occupation"] * 0.7
        good = [_("related occupation")]
    elif code and any(c[:2] == code[:2] for c in codes):
        total += WEIGHTS["occupation"] * 0.3
        good = [_("occupation from the same group")]
    else:
        good = []
        reasons.append(_("different occupation"))
    areas = [a for a in cv.areas if a]
    if offer.work_mode == WorkMode.REMOTE:
        total += WEIGHTS["area"]
        good.append(_("remote work"))
    elif not areas or any(offer.place_teryt.startswith(a) for a in areas):
        total += WEIGHTS["area"]
        good.append(_("matching area"))
    elif any(offer.place_teryt[:2] == a[:2] for a in areas):
        total += WEIGHTS["area"] * 0.4
        good.append(_("the same voivodeship"))
    else:
        reasons.append(_("outside the preferred area"))
    have = {_licence(v) for v in cv.driving_licences}
    missing = [v for v in dict.fromkeys(_licence(x) for x in offer.driving_licences) if v and v not in have]
    if missing:
        total += WEIGHTS["licences"] * (1 - len(missing) / max(1, len(offer.driving_licences)))
        reasons.extend(_("no driving licence cat. %(cat)s") % {"cat": m} for m in missing)
    else:
        total += WEIGHTS["licences"]
        if offer.driving_licences:
            good.append(_("driving licences as required"))
    wanted = {fold(str(s)) for s in offer.skills if fold(str(s))}
    if wanted:
        owned = {fold(str(s)) for s in cv.skills}
        share = len(wanted & owned) / len(wanted)
        total += WEIGHTS["skills"] * share
        if share:
            good.append(_("%(n)d of %(of)d skills") % {"n": len(wanted & owned), "of": len(wanted)})
        else:
            reasons.append(_("none of the skills asked for"))
    else:
        total += WEIGHTS["skills"]
    full = offer.working_time >= Decimal("1.00")
    if cv.working_time == WorkingTime.ANY or (cv.working_time == WorkingTime.FULL) == full:
        total += WEIGHTS["time"]
    else:
        reasons.append(_("different working time"))
    if offer.experience_years and cv.experience_years < offer.experience_years:
        reasons.append(_("too little experience (%(years)d years asked for)") % {"years": offer.experience_years})
    else:
        total += WEIGHTS["experience"]
    if good:
        joined = _("%(first)s and %(last)s") % {"first": ", ".join(good[:-1]), "last": good[-1]}
        reasons.insert(0, joined if len(good) > 1 else good[0])
    return Scored(round(min(1.0, total), 3), reasons)


def offers_for_cv(cv: CV, *, limit: int = TOP) -> list[tuple[JobOffer, Scored]]:
    """The published offers best matching ``cv`` (candidates: its occupation groups or areas)."""
    codes = cv_occupations(cv)
    where = Q()
    for c in codes:
        where |= Q(occupation_code__startswith=c[:2])
    for a in cv.areas:
        where |= Q(place_teryt__startswith=a)
    if not where:
        return []
    pool = JobOffer.objects.published().filter(where).select_related("employer").order_by("-published_at")
    scored = [(o, score(o, cv)) for o in pool[:CANDIDATE_POOL]]
    scored.sort(key=lambda pair: (-pair[1].score, -(pair[0].published_at.timestamp() if pair[0].published_at else 0)))
    return scored[:limit]


def candidates_for_offer(offer: JobOffer, *, limit: int = TOP) -> list[tuple[CV, Scored]]:
    """Consenting candidates best matching ``offer`` (the seekers' search: consent is checked
    in its every query); pseudonymised by the caller."""
    filters = cv_search.Filters(occupation=offer.occupation_code[:2]) if offer.occupation_code else cv_search.Filters()
    pool = cv_search.candidates(filters).order_by("-updated_at", "-pk")[:CANDIDATE_POOL]
    scored = [(cv, score(offer, cv)) for cv in pool]
    scored.sort(key=lambda pair: -pair[1].score)
    return scored[:limit]
