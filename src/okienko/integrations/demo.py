"""Demo API keys: Open311 keys for Łódź and WUP Białystok and a REST API token (see README).

These secrets are published in the README for trying the APIs locally; never use them elsewhere.
"""

from __future__ import annotations

from typing import Any

from okienko.accounts.models import Organisation
from okienko.accounts.roles import Role
from okienko.api.actions import issue_api_token, split_token
from okienko.api.models import ApiToken, Scope

VERSION = 1

OPEN311_LODZ = "okn_demo0311_lodz-open311-demo-2026"
OPEN311_WUP = "okn_demo0311w_wup-open311-demo-2026"
REST_LODZ = "okn_demoapi1_lodz-rest-api-demo-2026"

KEYS: list[tuple[str, str, str, list[str], str]] = [
    (OPEN311_LODZ, "lodz", "Open311 — aplikacja mobilna (demo)", [str(Scope.OPEN311)], Role.CONSULTANT),
    (OPEN311_WUP, "wup-bialystok", "Open311 — WUP (demo)", [str(Scope.OPEN311)], Role.CONSULTANT),
    (REST_LODZ, "lodz", "EZD — system dziedzinowy (demo)", [str(v) for v in Scope.values], Role.SUPERVISOR),
]


def load(*, stdout: Any) -> None:
    for secret, org_code, name, scopes, role in KEYS:
        parsed = split_token(secret)
        organisation = Organisation.objects.filter(code=org_code).first()
        if parsed is None or organisation is None or ApiToken.objects.filter(prefix=parsed[0]).exists():
            continue
        issue_api_token(actor=None, organisation=organisation, name=name, scopes=scopes, role=role, secret=secret)
        stdout.write(f"  API key for {org_code}: {name}")
