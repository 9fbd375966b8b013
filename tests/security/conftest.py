from tests.api.conftest import api, issue_token, token_client

__all__ = ["api", "issue_token", "token_client"]
