"""The consultant's browser phone (issue 16, part 8; optional): the console fetches its own SIP
account here to register JsSIP to Asterisk over WSS. Only the signed-in consultant's account is
ever returned (the address takes no user), never cached; without the setting or an account: 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from okienko.accounts import access
from okienko.accounts.roles import Perm
from okienko.core import secretbox
from okienko.desk.ivr_views import problem
from okienko.telephony import sip_accounts


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private
    response["Pragma"] = "no-cache"
    return response


@login_required
@require_GET
def credentials_view(request: HttpRequest) -> HttpResponse:
    """``{"wss_url", "uri", "username", "password", "domain", "ice_servers", "auto_answer", "phone"}``."""
    if not access.has_perm_anywhere(request.user, Perm.INTERACTIONS_RECORD):
        return _private(problem(403, "forbidden", _("Only consultants have a browser phone.")))
    if not sip_accounts.browser_phone_enabled():
        return _private(problem(404, "not-configured", _("The browser phone is not configured.")))
    account = sip_accounts.account_for(request.user)
    if account is None:
        return _private(problem(404, "no-account", _("You have no browser phone account.")))
    try:
        config = sip_accounts.client_config(account)
    except secretbox.SecretUnreadable:
        return _private(
            problem(409, "unreadable", _("Your browser phone password cannot be read; ask an administrator to set it."))
        )
    return _private(JsonResponse(config))
