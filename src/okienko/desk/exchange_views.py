"""The exchange between installations on the desk (Kontraktor part 2, issue 18), under
``/desk/exchange/``: our institution's card and keys, partner institutions (import a card,
confirm its fingerprint heard by phone, suspend), the exchange log and the file exchange.

Who: the contract managers of a labour office (``contracting.office``) and agency staff
(``contracting.agency``), for their own institution — the one their membership is in — only.
Partners are institutions of the installation (their cards are public identity and keys); the
log and the files are scoped to the user's institution. Every change is audited by the domain
(``keys``, ``partners``, ``transport_file``); the decrypted content of a message is never shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from okienko.accounts.access import has_perm_anywhere, organisations_with
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.contracting.exchange import catalogue, envelope, keys, partners, transport_file
from okienko.contracting.exchange.models import Direction, ExchangeMessage, InstitutionKey, Partner
from okienko.core import uploads

PERMS = (Perm.CONTRACTING_OFFICE, Perm.CONTRACTING_AGENCY)
PER_PAGE = 50
CARD_MAX_BYTES = 64 * 1024


def _institutions(request: HttpRequest) -> list[Organisation]:
    """The user's own institutions (where they hold a Kontraktor permission); 403 for anyone else."""
    if not any(has_perm_anywhere(request.user, perm) for perm in PERMS):
        raise PermissionDenied("contracting")
    found: dict[int, Organisation] = {}
    for perm in PERMS:
        for org in organisations_with(request.user, perm).filter(exchange_partner__isnull=True)[:50]:
            found[org.pk] = org
    ordered = sorted(found.values(), key=lambda o: o.name)
    # A manager's role covers the office's departments too, which have no exchange identity of
    # their own: only the institutions with one are offered (all of them, to show the notice, if none has).
    return [o for o in ordered if _identity(o)] or ordered


def _chosen(request: HttpRequest, institutions: list[Organisation]) -> Organisation | None:
    code = (request.POST.get("institution") or request.GET.get("institution") or "")[:60]
    return next((o for o in institutions if o.code == code), institutions[0] if institutions else None)


def _identity(org: Organisation | None) -> str:
    """The institution's identifier, or "" when its profile has no NIP (no exchange yet)."""
    if org is None:
        return ""
    try:
        return keys.institution_id(org)
    except keys.NoKey:
        return ""


def _context(request: HttpRequest, tab: str) -> dict[str, Any]:
    institutions = _institutions(request)
    chosen = _chosen(request, institutions)
    return {"institutions": institutions, "chosen": chosen, "identity": _identity(chosen), "tab": tab}


def _own_messages(institutions: list[Organisation]) -> QuerySet[ExchangeMessage]:
    return ExchangeMessage.objects.filter(organisation__in=institutions)


# --- our institution ------------------------------------------------------------------------


@login_required
@require_GET
def institution_view(request: HttpRequest) -> HttpResponse:
    context = _context(request, "institution")
    chosen = context["chosen"]
    if context["identity"]:
        keys.ensure_keys(chosen, actor=request.user)
        signing = keys.current(chosen, "sig")
        context["fingerprint"] = keys.fingerprint(signing.public_jwk)
        context["keys"] = list(InstitutionKey.objects.filter(organisation=chosen).order_by("-created_at", "use"))
    return render(request, "desk/exchange/institution.html", context)


@login_required
@require_GET
def card_view(request: HttpRequest) -> HttpResponse:
    context = _context(request, "institution")
    if not context["identity"]:
        raise Http404("no institution identity")
    response = HttpResponse(partners.signed_card(context["chosen"]), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{context["identity"]}.card.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def rotate_view(request: HttpRequest) -> HttpResponse:
    context = _context(request, "institution")
    if not context["identity"]:
        raise Http404("no institution identity")
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm the rotation."))
        else:
            keys.rotate(context["chosen"], actor=request.user)
            messages.success(
                request,
                _("New keys are in use. Send the new card to every partner; the old keys stay valid for 30 days."),
            )
            return redirect(f"{reverse('desk:exchange_institution')}?institution={context['chosen'].code}")
    return render(request, "desk/exchange/rotate.html", context)


# --- partners -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def partners_view(request: HttpRequest) -> HttpResponse:
    context = _context(request, "partners")
    if request.method == "POST":
        sent = request.FILES.get("card")
        if sent is None:
            messages.error(request, _("Choose the partner's card file."))
        elif sent.size is not None and sent.size > CARD_MAX_BYTES:
            messages.error(request, uploads.too_large_message(CARD_MAX_BYTES))
        else:
            try:
                card = partners.read_card(sent.read(CARD_MAX_BYTES + 1))
                partner = partners.register(card, actor=request.user)
            except partners.CardRefused as refused:
                messages.error(request, _("The card cannot be used: %(reason)s") % {"reason": refused})
            else:
                messages.success(request, _("The partner is registered. Confirm its fingerprint by phone."))
                return redirect("desk:exchange_partner", pk=partner.pk)
        return redirect("desk:exchange_partners")
    context["partners"] = Partner.objects.select_related("organisation").order_by("organisation__name")[:500]
    context["card_max_bytes"] = CARD_MAX_BYTES
    return render(request, "desk/exchange/partners.html", context)


def _partner(pk: int) -> Partner:
    partner = Partner.objects.select_related("organisation", "confirmed_by").filter(pk=pk).first()
    if partner is None:
        raise Http404("partner")
    return partner


@login_required
@require_http_methods(["GET", "POST"])
def partner_view(request: HttpRequest, pk: int) -> HttpResponse:
    context = _context(request, "partners")
    partner = _partner(pk)
    if request.method == "POST":
        action = request.POST.get("action", "")[:20]
        try:
            if action == "confirm":
                if partner.status != Partner.Status.PENDING:
                    raise partners.CardRefused(_("only a partner awaiting confirmation can be confirmed"))
                partners.confirm(partner, actor=request.user, fingerprint=request.POST.get("fingerprint", "")[:200])
                messages.success(request, _("The fingerprint matches: the partner is trusted."))
            elif action == "suspend":
                partners.suspend(partner, actor=request.user, note=request.POST.get("note", "")[:500])
                messages.success(request, _("The partner is suspended: its messages are refused."))
            else:
                messages.error(request, _("Choose an action."))
        except partners.CardRefused as refused:
            messages.error(request, _("Not done: %(reason)s") % {"reason": refused})
        return redirect("desk:exchange_partner", pk=partner.pk)
    context["partner"] = partner
    context["fingerprint"] = partners.signing_fingerprint(partner.card) if partner.card else ""
    context["keys"] = list(partner.keys.order_by("-added_at"))
    return render(request, "desk/exchange/partner.html", context)


# --- the exchange log -----------------------------------------------------------------------


@login_required
@require_GET
def messages_view(request: HttpRequest) -> HttpResponse:
    context = _context(request, "log")
    rows = _own_messages(context["institutions"]).select_related("partner__organisation")
    direction = request.GET.get("direction", "")[:3]
    status = request.GET.get("status", "")[:12]
    reason = request.GET.get("reason", "")[:40]
    if direction in Direction.values:
        rows = rows.filter(direction=direction)
    if status in ExchangeMessage.Status.values:
        rows = rows.filter(status=status)
    if reason in envelope.REASONS:
        rows = rows.filter(reason=reason)
    page = Paginator(rows.order_by("-recorded_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context.update(
        {
            "page": page,
            "params": params.urlencode(),
            "direction": direction,
            "status": status,
            "reason": reason,
            "directions": Direction.choices,
            "statuses": ExchangeMessage.Status.choices,
            "reasons": [(code, str(text)) for code, text in envelope.REASONS.items()],
        }
    )
    return render(request, "desk/exchange/messages.html", context)


@login_required
@require_GET
def message_view(request: HttpRequest, pk: int) -> HttpResponse:
    context = _context(request, "log")
    message = _own_messages(context["institutions"]).select_related("partner__organisation").filter(pk=pk).first()
    if message is None:
        raise Http404("message")
    kind = catalogue.TYPES.get(message.type)
    context.update(
        {
            "message": message,
            "type_title": kind.title if kind else "",
            "reason_text": str(envelope.REASONS.get(message.reason, "")) if message.reason else "",
        }
    )
    return render(request, "desk/exchange/message.html", context)


# --- files ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def files_view(request: HttpRequest) -> HttpResponse:
    context = _context(request, "files")
    trusted = Partner.objects.filter(status=Partner.Status.TRUSTED).select_related("organisation")
    context["partners"] = list(trusted.order_by("organisation__name")[:500])
    context["max_bytes"] = envelope.max_bytes()
    if request.method == "POST" and request.POST.get("action") == "export":
        return _export(request, context)
    if request.method == "POST" and request.POST.get("action") == "import":
        sent = request.FILES.get("file")
        if sent is None:
            messages.error(request, _("Choose the exchange file."))
            return redirect("desk:exchange_files")
        if sent.size is not None and sent.size > envelope.max_bytes():
            messages.error(request, uploads.too_large_message(envelope.max_bytes()))
            return redirect("desk:exchange_files")
        context["report"] = transport_file.import_file(sent.read(), actor=request.user, name=sent.name or "")
        context["report_name"] = sent.name or ""
    elif request.method == "POST":
        messages.error(request, _("Choose an action."))
        return redirect("desk:exchange_files")
    return render(request, "desk/exchange/files.html", context)


def _export(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    chosen = context["chosen"]
    raw = request.POST.get("partner", "")[:20]
    partner = next((p for p in context["partners"] if str(p.pk) == raw), None)
    if partner is None or not context["identity"]:
        messages.error(request, _("Choose a trusted partner (and give your institution a NIP first)."))
        return redirect("desk:exchange_files")
    data = transport_file.export_file(partner, sender=chosen, actor=request.user)
    response = HttpResponse(data, content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{context["identity"]}-to-{partner.institution_id}.jsonl"'
    return response
