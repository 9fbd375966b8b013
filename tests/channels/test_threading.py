"""Message ids that carry a case, and case numbers in subjects."""

from __future__ import annotations

import uuid

from django.test import override_settings

from okienko.channels.email.threading import (
    case_number_from_subject,
    case_uuid_from_references,
    message_id_for_case,
)

CASE = uuid.UUID("0192f3a4-5b6c-7d8e-9f00-112233445566")


def test_message_id_names_the_case_and_the_configured_domain() -> None:
    """The id is <c.{uuid hex}.{12 random hex}@{domain}>."""
    with override_settings(OKIENKO_MAIL_DOMAIN="mail.lodz.example"):
        value = message_id_for_case(CASE)
    assert value.startswith(f"<c.{CASE.hex}.")
    assert value.endswith("@mail.lodz.example>")
    assert len(value.split(".")[2].split("@")[0]) == 12


def test_message_ids_for_the_same_case_differ() -> None:
    """Every message gets its own id."""
    assert message_id_for_case(CASE, "x.example") != message_id_for_case(CASE, "x.example")


def test_case_found_in_in_reply_to() -> None:
    """The UUID comes back from the id the reply names."""
    assert case_uuid_from_references(message_id_for_case(CASE, "okienko.localhost")) == CASE


def test_case_found_in_references_after_foreign_ids() -> None:
    """References with other clients' ids around ours still names the case."""
    refs = f"<abc@gmail.com>\r\n {message_id_for_case(CASE)} <x.y@outlook.com>"
    assert case_uuid_from_references("<unrelated@mail.example>", refs) == CASE


def test_in_reply_to_wins_over_references() -> None:
    """The first header naming a case decides."""
    other = uuid.uuid4()
    assert case_uuid_from_references(message_id_for_case(other), message_id_for_case(CASE)) == other


def test_no_case_in_foreign_or_empty_headers() -> None:
    """Ids not written by Okienko, empty and missing headers name no case."""
    assert case_uuid_from_references("<c.nothex@x>", "", None) is None
    assert case_uuid_from_references() is None


def test_case_number_in_subject_is_normalised() -> None:
    """A reply's subject gives the number in the canonical form."""
    assert case_number_from_subject("Re: [LODZ/2026/000186] Dziura w jezdni") == "LODZ/2026/000186"
    assert case_number_from_subject("RE: sprawa lodz / 2026 / 186") == "LODZ/2026/000186"
    assert case_number_from_subject("Odp: PUP-LOMZA/2026/12 zaświadczenie") == "PUP-LOMZA/2026/000012"


def test_subject_without_a_number() -> None:
    """Dates, short forms and over-long sequences are not case numbers."""
    for subject in ("Spotkanie 2026/12/05", "Re: 2026/12", "Fwd: LODZ/2026/0000000186", "", None):
        assert case_number_from_subject(subject) is None
