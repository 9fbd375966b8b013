"""The client card's call recordings (issue 16): the recordings of the client's calls, shown only
to supervisors of the recording's office (listening is audited on the playback page)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from okienko.telephony import recordings

PANEL_TEMPLATE = "desk/phone/_recordings_panel.html"


def client_recordings(request: HttpRequest, client: Any) -> Mapping[str, Any] | None:
    found = (
        recordings.visible_to(request.user)
        .filter(interaction__client=client)
        .select_related("organisation")
        .order_by("-started_at")[:20]
    )
    rows = list(found)
    if not rows:
        return None
    return {"recordings": rows}
