"""Demo IVR flows and the numbers that reach them: the Podlaskie labour offices' free line for
the unemployed (9510) and their line for everyone else (9524), and the Łódź city contact centre
(19115). The flows are the JSON files in ``flows/``; a file whose content differs from the
published version becomes a new published version (idempotent)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from okienko.accounts.models import Organisation
from okienko.core import clock
from okienko.telephony.ivr import actions
from okienko.telephony.ivr.models import EntryNumber, Flow

VERSION = 3  # 2: the 24/7 line connects to the on-duty consultant after hours; 3: office announcements

FLOWS_DIR = Path(__file__).parent / "flows"

# file (without .json) = flow code, organisation, name, entry numbers (number, name)
FLOWS: list[tuple[str, str, str, list[tuple[str, str]]]] = [
    (
        "wup-9510",
        "wup-bialystok",
        "Infolinia dla bezrobotnych i poszukujących pracy",
        [("9510", "Infolinia urzędów pracy – bezpłatna dla bezrobotnych")],
    ),
    ("wup-9524", "wup-bialystok", "Infolinia urzędów pracy – pozostali", [("9524", "Infolinia urzędów pracy")]),
    ("lodz-ckzm", "lodz-ckzm", "Centrum Kontaktu z Mieszkańcami", [("19115", "Łódź – Centrum Kontaktu")]),
]


def definition(code: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FLOWS_DIR / f"{code}.json").read_text(encoding="utf-8"))
    return loaded


def load(*, stdout: Any) -> None:
    for code, organisation_code, name, numbers in FLOWS:
        organisation = Organisation.objects.filter(code=organisation_code).first()
        if organisation is None:
            stdout.write(f"demo: IVR flow {code} skipped, no organisation {organisation_code}")
            continue
        content = definition(code)
        _ensure_prompts(organisation, content)
        flow, _created = Flow.objects.update_or_create(
            code=code,
            defaults={"organisation": organisation, "name": name, "description": content.get("description", "")},
        )
        current = flow.current_version()
        if current is None or current.definition != content:
            draft = actions.create_draft(actor=None, flow=flow, definition=content, note="demo")
            actions.publish(actor=None, version=draft)
        for number, label in numbers:
            EntryNumber.objects.update_or_create(
                number=number, defaults={"name": label, "organisation": organisation, "flow": flow, "active": True}
            )
    stdout.write(f"demo: {Flow.objects.count()} IVR flows, {EntryNumber.objects.count()} entry numbers")


def _ensure_prompts(organisation: Organisation, content: dict[str, Any]) -> None:
    """The prompts the flow's nodes name, spoken from the nodes' own text (publishing checks
    that they exist; a supervisor may re-record them on the prompts page)."""
    from okienko.telephony import prompts
    from okienko.telephony.media_models import OFFICE_CLOSED, Prompt

    for node in content.get("nodes", {}).values():
        code = str(node.get("prompt") or "")
        if not code or Prompt.objects.filter(organisation=organisation, code=code).exists():
            continue
        if code == OFFICE_CLOSED:  # the announcement a supervisor switches on when the office is closed
            Prompt.objects.create(
                organisation=organisation,
                code=code,
                name="Komunikat: urząd dziś nieczynny",
                text="Urząd jest dziś nieczynny. Zapraszamy w najbliższy dzień roboczy.",
                is_announcement=True,
                active=False,
                updated_at=clock.now(),
            )
            continue
        name = f"Powitanie — {code}"[:200]
        try:
            prompts.synthesise_prompt(actor=None, organisation=organisation, code=code, name=name, text=node["text"])
        except prompts.PromptError:  # espeak-ng missing: the text is kept, the phone speaks it when it can
            Prompt.objects.create(
                organisation=organisation, code=code, name=name, text=node["text"], updated_at=clock.now()
            )
