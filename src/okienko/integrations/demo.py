"""Demo API keys: an Open311 key for Łódź and a REST API token (see README).

WUP Białystok has no Open311 key: labour-office matters are clients' own affairs, so the labour
offices are no public Open311 jurisdiction (ADR 0042).

These secrets are published in the README for trying the APIs locally; never use them elsewhere.
"""

from __future__ import annotations

from typing import Any

from okienko.accounts.models import Organisation
from okienko.accounts.roles import Role
from okienko.accounts.tokens import ApiToken, Scope, issue_api_token, revoke_api_token, split_token

VERSION = 3  # 2: the WUP Open311 key of version 1 is revoked; 3: Kontraktor keys for an agency and a PUP

OPEN311_LODZ = "okn_demo0311_lodz-open311-demo-2026"
REST_LODZ = "okn_demoapi1_lodz-rest-api-demo-2026"
# Kontraktor (issue 17): the agency Praca Plus and PUP Białystok, contracting scopes only
REST_AGENCY = "okn_demokontr1_agencja-praca-plus-demo-2026"
REST_PUP = "okn_demokontr2_pup-bialystok-kontrakty-demo-2026"
CONTRACTING = [str(Scope.CONTRACTING_READ), str(Scope.CONTRACTING_WRITE)]
RETIRED_PREFIXES = ("demo0311w",)  # the WUP Open311 key of demo version 1

KEYS: list[tuple[str, str, str, list[str], str]] = [
    (OPEN311_LODZ, "lodz", "Open311 — aplikacja mobilna (demo)", [str(Scope.OPEN311)], Role.CONSULTANT),
    (REST_LODZ, "lodz", "EZD — system dziedzinowy (demo)", [str(v) for v in Scope.values], Role.SUPERVISOR),
    (REST_AGENCY, "agencja-praca-plus", "System agencji — Kontraktor (demo)", CONTRACTING, Role.AGENCY_WORKER),
    (REST_PUP, "pup-bialystok", "Syriusz — Kontraktor (demo)", CONTRACTING, Role.CONTRACT_MANAGER),
]


def load(*, stdout: Any) -> None:
    for secret, org_code, name, scopes, role in KEYS:
        parsed = split_token(secret)
        organisation = Organisation.objects.filter(code=org_code).first()
        if parsed is None or organisation is None or ApiToken.objects.filter(prefix=parsed[0]).exists():
            continue
        issue_api_token(actor=None, organisation=organisation, name=name, scopes=scopes, role=role, secret=secret)
        stdout.write(f"  API key for {org_code}: {name}")
    for token in ApiToken.objects.filter(prefix__in=RETIRED_PREFIXES, revoked_at__isnull=True):
        revoke_api_token(actor=None, token=token)
        stdout.write(f"  API key revoked: {token.name}")
