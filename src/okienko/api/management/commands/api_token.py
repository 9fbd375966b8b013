"""Issue, list and revoke API tokens of external systems.

okienko api_token issue --organisation lodz --name "EZD" --scopes cases:read,cases:write --role supervisor
okienko api_token list
okienko api_token revoke <prefix>
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okienko.accounts.models import Organisation
from okienko.accounts.roles import Role
from okienko.api.actions import issue_api_token, revoke_api_token
from okienko.api.models import ApiToken, Scope
from okienko.core import clock, context


class Command(BaseCommand):
    help = "Issue, list and revoke API tokens (the secret is printed once)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue")
        issue.add_argument("--organisation", required=True, help="organisation code, e.g. lodz")
        issue.add_argument("--name", required=True, help="the system that will use the token")
        issue.add_argument("--scopes", required=True, help=f"comma list of: {', '.join(Scope.values)}")
        issue.add_argument("--role", default=Role.CONSULTANT, choices=Role.values)
        issue.add_argument("--expires-days", type=int, default=None)
        issue.add_argument("--rate-limit", type=int, default=600, help="requests per minute")
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        with context.channel("cli"):
            getattr(self, f"_{options['action']}")(options)

    def _issue(self, options: dict[str, Any]) -> None:
        organisation = Organisation.objects.filter(code=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"no organisation {options['organisation']!r}")
        expires = clock.now() + dt.timedelta(days=options["expires_days"]) if options["expires_days"] else None
        try:
            issued = issue_api_token(
                actor=None,
                organisation=organisation,
                name=options["name"],
                scopes=[s.strip() for s in options["scopes"].split(",") if s.strip()],
                role=options["role"],
                expires_at=expires,
                rate_limit=options["rate_limit"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"token (shown once): {issued.secret}")

    def _list(self, options: dict[str, Any]) -> None:
        for token in ApiToken.objects.select_related("organisation"):
            state = "revoked" if token.revoked_at else ("expired" if not token.is_usable(clock.now()) else "active")
            scopes = ",".join(token.scopes)
            self.stdout.write(f"{token.prefix}\t{state}\t{token.organisation.code}\t{token.name}\t{scopes}")

    def _revoke(self, options: dict[str, Any]) -> None:
        token = ApiToken.objects.filter(prefix=options["prefix"]).first()
        if token is None:
            raise CommandError(f"no token with prefix {options['prefix']!r}")
        revoke_api_token(actor=None, token=token)
        self.stdout.write(f"revoked {token.prefix}")
