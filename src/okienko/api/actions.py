"""Issuing and revoking API tokens: the actions live in ``accounts.tokens`` (ADR 0044)."""

from okienko.accounts.tokens import (
    TOKEN_PREFIX,
    IssuedToken,
    digest,
    issue_api_token,
    revoke_api_token,
    split_token,
)

__all__ = ["TOKEN_PREFIX", "IssuedToken", "digest", "issue_api_token", "revoke_api_token", "split_token"]
