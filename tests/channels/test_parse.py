"""Reading e-mail of every shape: the corpus in ``eml/`` holds one file per shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from okienko.channels.email.parse import decode_text, guess_language, parse, reply_text

EML = Path(__file__).parent / "eml"


def load(name: str) -> bytes:
    return (EML / name).read_bytes()


def test_plain_message_headers_and_body() -> None:
    """Sender (lower case), subject, date and the body without the signature."""
    parsed = parse(load("plain.eml"))
    assert parsed.from_address == "jan.kowalski@example.pl"
    assert parsed.from_name == "Jan Kowalski"
    assert parsed.subject == "Dziura w jezdni na Piotrkowskiej"
    assert parsed.message_id == "<plain-1@example.pl>"
    assert parsed.sent_at is not None
    assert parsed.sent_at.isoformat() == "2026-12-04T09:15:00+01:00"
    assert "głęboka dziura" in parsed.body
    assert "Pozdrawiam" not in parsed.body
    assert parsed.language == "pl"
    assert not parsed.automatic
    assert not parsed.spam


def test_html_becomes_text_without_scripts() -> None:
    """Script and style content never reaches the text; the markup is gone."""
    parsed = parse(load("html_script.eml"))
    assert parsed.has_html
    assert "parking permit" in parsed.text
    for forbidden in ("alert", "document.cookie", "<script", "<p>", "color:red", "evil()"):
        assert forbidden not in parsed.text
        assert forbidden not in parsed.html_text
    assert parsed.language == "en"


def test_alternative_prefers_the_plain_part() -> None:
    """multipart/alternative: the plain part is the text, the HTML noted; RFC 2047 subject decoded."""
    parsed = parse(load("alternative.eml"))
    assert parsed.subject == "Wniosek o zaświadczenie"
    assert parsed.text.startswith("Proszę o wydanie zaświadczenia")
    assert parsed.has_html
    assert "<b>" not in parsed.text


def test_attachments_inline_image_and_rfc2231_name() -> None:
    """The PDF keeps its RFC 2231 name, the image its Content-ID, the archive is kept as it is."""
    parsed = parse(load("attachments.eml"))
    by_type = {p.content_type: p for p in parsed.attachments}
    assert by_type["application/pdf"].filename == "wniosek żółty.pdf"
    assert by_type["application/pdf"].data.startswith(b"%PDF-1.4")
    image = by_type["image/png"]
    assert image.content_id == "photo1@example.pl"
    assert image.inline
    assert by_type["application/zip"].filename == "archiwum.zip"
    assert by_type["application/zip"].data.startswith(b"PK\x03\x04")
    assert "W załączeniu wniosek" in parsed.text


@pytest.mark.parametrize(
    ("name", "text", "sender_name"),
    [
        ("iso8859_2.eml", "Zażółć gęślą jaźń", "Grażyna Łęcka"),
        ("windows1250.eml", "Śliczna łąka, źródło, świeże jabłka", "Stanisław"),
    ],
)
def test_polish_charsets(name: str, text: str, sender_name: str) -> None:
    """ISO-8859-2 and Windows-1250 bodies and encoded words come out as the same Polish text."""
    parsed = parse(load(name))
    assert text in parsed.text
    assert parsed.from_name == sender_name


def test_unknown_charset_falls_back_to_windows_1250() -> None:
    """An unknown charset is noted and the text still read."""
    parsed = parse(load("unknown_charset.eml"))
    assert "Śliczna łąka" in parsed.text
    assert "UnknownCharset" in parsed.defects


def test_decode_text_never_fails() -> None:
    """Undecodable bytes in a wrong declared charset fall back without an error."""
    assert decode_text("zażółć".encode(), "ascii")[0] == "zażółć"
    text, defect = decode_text(b"\xff\xfe\x81", "utf-8")
    assert text
    assert defect == "UndecodableText"


def test_smime_signed_is_marked_and_kept() -> None:
    """The signature part is kept as an attachment and the message marked as signed."""
    parsed = parse(load("smime_signed.eml"))
    assert parsed.signed
    assert not parsed.encrypted
    assert "Treść pisma" in parsed.text
    assert [a.filename for a in parsed.attachments] == ["smime.p7s"]


def test_pgp_signed_and_encrypted() -> None:
    """PGP/MIME: signed and encrypted messages are recognised, the encrypted part kept intact."""
    signed = parse(load("pgp_signed.eml"))
    assert signed.signed
    assert "signed request" in signed.text
    encrypted = parse(load("pgp_encrypted.eml"))
    assert encrypted.encrypted
    assert any(b"BEGIN PGP MESSAGE" in a.data for a in encrypted.attachments)


def test_smime_encrypted() -> None:
    """application/pkcs7-mime enveloped data is an encrypted message."""
    parsed = parse(load("smime_encrypted.eml"))
    assert parsed.encrypted
    assert parsed.attachments[0].filename == "smime.p7m"


def test_forwarded_message_is_an_attachment() -> None:
    """A nested message/rfc822 is kept whole as an .eml attachment named after its subject."""
    parsed = parse(load("nested_rfc822.eml"))
    assert parsed.text.startswith("Przesyłam odpowiedź")
    (inner,) = parsed.attachments
    assert inner.filename == "Odpowiedz w sprawie.eml"
    assert b"Nie naprawimy" in inner.data


def test_missing_boundary_is_read_as_text() -> None:
    """A multipart without a boundary: its content is the text and the defect noted."""
    parsed = parse(load("missing_boundary.eml"))
    assert "Proszę o pomoc" in parsed.text
    assert "NoBoundaryInMultipartDefect" in parsed.defects


def test_bad_base64_keeps_what_decodes() -> None:
    """Broken base64 is decoded as far as it goes, with a defect."""
    parsed = parse(load("bad_base64.eml"))
    assert parsed.text.startswith("Proszę o pomoc")
    assert any("Base64" in d for d in parsed.defects)


def test_hundred_levels_of_nesting_are_capped() -> None:
    """Nesting past the limit is noted and skipped; the parser returns."""
    parsed = parse(load("deep_nesting.eml"))
    assert "NestingTooDeep" in parsed.defects
    assert parsed.text == ""


@pytest.mark.parametrize("name", ["auto_reply.eml", "list_mail.eml", "dsn_bounce.eml"])
def test_automatic_mail_is_recognised(name: str) -> None:
    """Auto-Submitted, list headers and delivery reports mark a message as automatic."""
    assert parse(load(name)).automatic


def test_spam_flag() -> None:
    assert parse(load("spam.eml")).spam


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in EML.glob("*.eml")),
)
def test_every_corpus_message_parses(name: str) -> None:
    """No message of the corpus makes the parser fail."""
    assert parse(load(name)) is not None


def test_garbage_parses() -> None:
    """Bytes that are not an e-mail at all still give a result."""
    parsed = parse(b"\x00\xff" * 1000)
    assert parsed.from_address == ""


def test_reply_text_cuts_polish_and_english_quotes() -> None:
    """Thunderbird, Gmail (Polish) and English reply headers end the new text."""
    polish = "Przesyłam skan.\n\nW dniu 3.12.2026 o 10:00, Urząd <k@lodz.pl> pisze:\n> Prosimy o skan."
    assert reply_text(polish) == "Przesyłam skan."
    gmail = "W załączeniu.\n\npt., 4 gru 2026 o 10:00 Urząd <k@lodz.pl> napisał(a):\n> pytanie"
    assert reply_text(gmail) == "W załączeniu."
    english = "Here it is.\n\nOn Mon, Dec 3, 2026 at 10:00 AM Office <a@b.c> wrote:\n> please send"
    assert reply_text(english) == "Here it is."


def test_language_guess() -> None:
    assert guess_language("Dzień dobry, proszę o pomoc") == "pl"
    assert guess_language("Hello, please help me with the permit") == "en"
    assert guess_language("") == "pl"
