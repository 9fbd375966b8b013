"""The models and their migrations agree, for our apps and the third-party ones we configure."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits with 1 when a migration would be written
        pytest.fail(f"makemigrations would write migrations (exit {exc.code}):\n{out.getvalue()}")
