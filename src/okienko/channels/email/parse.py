"""Reading an e-mail as it arrives, whatever shape it is in (ADR 0052).

``parse`` never raises on the message's content: broken MIME (missing boundaries, bad base64,
unknown charsets, absurd nesting) is read as far as it goes and each problem is noted in
``ParsedMessage.defects``. What it gives back:

- the headers that matter, decoded (RFC 2047 words, RFC 2231 file names);
- the plain text (from ``text/plain`` parts, else from the HTML converted by ``inscriptis``: the
  HTML itself is never kept for display and scripts are dropped) and the new text of a reply
  (quoted text and signature cut off by ``mail-parser-reply``, Polish and English);
- every attachment and inline image as bytes, never unpacked (an archive stays an archive);
- whether the message is signed or encrypted (S/MIME, PGP): such parts are kept as they came.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import email
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import collapse_rfc2231_value, getaddresses, parseaddr, parsedate_to_datetime
from typing import Any

from inscriptis import get_text
from mailparser_reply import EmailReplyParser

MAX_DEPTH = 20  # MIME nesting followed; deeper parts are noted as a defect and skipped
MAX_PARTS = 500
MAX_TEXT = 200_000  # characters kept of the text of one message
FALLBACK_CHARSETS = ("utf-8", "windows-1250", "iso-8859-2")
_SIGNATURE_TYPES = frozenset(
    {"application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"}
)
_ENCRYPTED_TYPES = frozenset({"application/pgp-encrypted", "application/pkcs7-mime", "application/x-pkcs7-mime"})
# Polish reply headers the reply parser does not know: Thunderbird, Gmail, Outlook.
_PL_REPLY_HEADERS = re.compile(
    r"^(?:>\s*)*(?:W dniu .{0,200}?pisze:|.{0,200}?napisał\(a\):|-{2,}\s*Oryginalna wiadomość\s*-{2,}|"
    r"-{2,}\s*Original Message\s*-{2,})\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_POLISH_LETTERS = re.compile(r"[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]")
_POLISH_WORDS = re.compile(
    r"\b(?:dzień dobry|dzien dobry|pozdrawiam|proszę|prosze|sprawa|sprawie|szanowni|szanowny|dziękuję|dziekuje|"
    r"w załączeniu|w zalaczeniu|jest|nie|się)\b",
    re.IGNORECASE,
)


@dataclass
class Part:
    """An attachment or inline image as it came."""

    filename: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class ParsedMessage:
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    from_address: str = ""
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    subject: str = ""
    sent_at: dt.datetime | None = None
    text: str = ""  # the plain text of the message (HTML converted when there is no plain part)
    html_text: str = ""
    has_html: bool = False
    body: str = ""  # the new text of a reply: quoted text and signature removed
    attachments: list[Part] = field(default_factory=list)
    signed: bool = False
    encrypted: bool = False
    auto_submitted: bool = False
    list_mail: bool = False
    spam: bool = False
    report: bool = False  # multipart/report (a delivery status notification and the like)
    language: str = "pl"
    defects: list[str] = field(default_factory=list)
    message: Message | None = None

    @property
    def automatic(self) -> bool:
        """Mail a machine sent (RFC 3834 and its customs): never answered automatically."""
        return self.auto_submitted or self.list_mail or self.report


def parse(raw: bytes) -> ParsedMessage:
    """Read ``raw`` (see the module docstring)."""
    msg = email.message_from_bytes(raw, policy=policy.default)
    parsed = ParsedMessage(message=msg)
    _read_headers(msg, parsed)
    state = _Walk(parsed)
    state.visit(msg, 0)
    plain = "\n\n".join(t for t in state.plain if t.strip())
    html = "\n\n".join(t for t in state.html if t.strip())
    parsed.html_text = html[:MAX_TEXT]
    parsed.has_html = bool(state.html)
    parsed.text = (plain or html)[:MAX_TEXT].strip()
    parsed.body = reply_text(parsed.text)
    parsed.language = guess_language(f"{parsed.subject}\n{parsed.body}")
    parsed.defects.extend(_defects(msg))
    _drop_nul(parsed)
    return parsed


def _drop_nul(parsed: ParsedMessage) -> None:
    """What cannot be stored in PostgreSQL text columns: NUL characters (binary junk decoded as
    text) and lone surrogates (raw 8-bit bytes in a header Python could not decode)."""
    for name in ("message_id", "in_reply_to", "references", "from_address", "from_name", "subject"):
        setattr(parsed, name, storable(getattr(parsed, name)))
    parsed.text, parsed.html_text = storable(parsed.text), storable(parsed.html_text)
    parsed.body = storable(parsed.body)
    parsed.to = [storable(address) for address in parsed.to]
    for part in parsed.attachments:
        part.filename, part.content_id = storable(part.filename), storable(part.content_id)
        part.content_type = storable(part.content_type)


def storable(text: str) -> str:
    try:
        text = unescape(text)
    except UnicodeError:  # a surrogate that is no escaped byte
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", "")


def _defects(msg: Message) -> list[str]:
    found: list[str] = []
    try:
        for part in msg.walk():
            found.extend(type(d).__name__ for d in getattr(part, "defects", []))
            if len(found) > 50:
                break
    except RecursionError:
        found.append("NestingTooDeep")
    return sorted(set(found))


def header(msg: Message, name: str) -> str:
    """One header as text ("" when missing or unreadable)."""
    raw = _raw_header(msg, name)
    if raw is not None and _ESCAPED.search(raw):
        # Undeclared 8-bit bytes: the policy would replace them; decode them as text instead.
        text = unescape(raw)
        with contextlib.suppress(Exception):  # keep the text as decoded so far
            text = str(make_header(decode_header(text)))
        return " ".join(text.split())
    try:
        value = msg.get(name)
    except Exception:  # noqa: BLE001 - a header the policy cannot parse is read raw below
        value = None
        for key, raw_value in msg.raw_items() if isinstance(msg, EmailMessage) else []:
            if key.lower() == name.lower():
                value = raw_value
                break
    if value is None:
        return ""
    return " ".join(unescape(str(value)).split())


_ESCAPED = re.compile("[\udc80-\udcff]")


def _raw_header(msg: Message, name: str) -> str | None:
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def unescape(text: str) -> str:
    """Header text with raw 8-bit bytes (no RFC 2047 encoding, as some mailers still send)
    decoded as UTF-8, else Windows-1250: Python keeps such bytes as surrogate escapes."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    data = text.encode("utf-8", "surrogateescape")
    return decode_text(data, None)[0]


def all_headers(msg: Message, name: str) -> list[str]:
    try:
        return [" ".join(str(v).split()) for v in (msg.get_all(name) or [])]
    except Exception:  # noqa: BLE001
        return []


def _read_headers(msg: Message, parsed: ParsedMessage) -> None:
    parsed.message_id = header(msg, "Message-ID")[:250]
    parsed.in_reply_to = header(msg, "In-Reply-To")[:250]
    parsed.references = header(msg, "References")[:5000]
    parsed.subject = header(msg, "Subject")[:500]
    name, address = _address(msg)
    parsed.from_name, parsed.from_address = name[:200], address[:254]
    try:
        pairs = getaddresses([*all_headers(msg, "To"), *all_headers(msg, "Cc")])
        parsed.to = [addr.strip().lower() for _n, addr in pairs if "@" in addr][:100]
    except Exception:  # noqa: BLE001
        parsed.defects.append("UnreadableRecipients")
    date = header(msg, "Date")
    if date:
        try:
            sent = parsedate_to_datetime(date)
            parsed.sent_at = sent if sent.tzinfo else sent.replace(tzinfo=dt.UTC)
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed.defects.append("UnreadableDate")
    auto = header(msg, "Auto-Submitted").lower()
    precedence = header(msg, "Precedence").lower()
    parsed.auto_submitted = bool(auto and auto != "no") or precedence in {"bulk", "junk", "list", "auto_reply"}
    parsed.auto_submitted |= any(
        header(msg, name) for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")
    )
    local = parsed.from_address.split("@", 1)[0].lower()
    parsed.auto_submitted |= local in {"mailer-daemon", "postmaster"} or local.replace("-", "").replace(
        "_", ""
    ).startswith(("noreply", "donotreply"))
    parsed.list_mail = bool(header(msg, "List-Id") or header(msg, "List-Unsubscribe") or header(msg, "List-Post"))
    spam_flag = header(msg, "X-Spam-Flag").lower()
    spam_status = header(msg, "X-Spam-Status").lower()
    parsed.spam = spam_flag.startswith("yes") or spam_status.startswith("yes")
    content_type = msg.get_content_type()
    parsed.report = content_type == "multipart/report"


def _address(msg: Message) -> tuple[str, str]:
    try:
        value = msg.get("From")
        addresses = getattr(value, "addresses", None)
        if addresses:
            first = addresses[0]
            return unescape(str(first.display_name or "")), unescape(str(first.addr_spec or "")).strip().lower()
    except Exception:  # noqa: BLE001, S110 - fall back to the lenient parser below
        pass
    name, address = parseaddr(header(msg, "From"))
    return name, address.strip().lower() if "@" in address else ""


def decode_text(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """``data`` as text: in the declared charset when Python knows it and it fits, else UTF-8,
    Windows-1250, ISO-8859-2; the defect noted (None when none)."""
    if charset:
        try:
            codecs.lookup(charset)
        except LookupError:
            defect: str | None = "UnknownCharset"
        else:
            try:
                return data.decode(charset), None
            except (UnicodeDecodeError, LookupError):
                defect = "UndecodableText"
    else:
        defect = None
    for fallback in FALLBACK_CHARSETS:
        try:
            return data.decode(fallback), defect
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1", errors="replace"), defect


def html_to_text(html: str) -> str:
    """Readable text of an HTML part; scripts and styles dropped, nothing of the markup kept."""
    try:
        return str(get_text(html[: MAX_TEXT * 5])).strip()
    except Exception:  # noqa: BLE001 - a converter failure must not lose the message
        return re.sub(r"<[^>]*>", " ", html)[:MAX_TEXT]


_reply_parser = EmailReplyParser(languages=["pl", "en"])


def reply_text(text: str) -> str:
    """The new part of a reply: quoted history and signature cut off; the whole text when the
    parser leaves nothing."""
    if not text.strip():
        return ""
    cut = _PL_REPLY_HEADERS.search(text)
    head = text[: cut.start()] if cut else text
    try:
        replies = _reply_parser.read(head[:MAX_TEXT]).replies
        latest = replies[0].body if replies else head
    except Exception:  # noqa: BLE001 - keep the text when the parser fails
        latest = head
    latest = re.sub(r"(?m)^--\s*$.*", "", latest, flags=re.DOTALL).strip()
    return latest or text.strip()


def guess_language(text: str) -> str:
    """ "pl" or "en", for the automatic reply; Polish unless the text looks English."""
    sample = text[:4000]
    if _POLISH_LETTERS.search(sample) or _POLISH_WORDS.search(sample):
        return "pl"
    english = len(re.findall(r"\b(?:the|and|is|are|please|regards|thank|you|hello|dear)\b", sample, re.IGNORECASE))
    return "en" if english >= 2 else "pl"


class _Walk:
    """One pass over the MIME tree, bounded in depth and parts."""

    def __init__(self, parsed: ParsedMessage) -> None:
        self.parsed = parsed
        self.plain: list[str] = []
        self.html: list[str] = []
        self.parts = 0

    def visit(self, part: Message, depth: int) -> None:
        self.parts += 1
        if depth > MAX_DEPTH or self.parts > MAX_PARTS:
            self._defect("NestingTooDeep" if depth > MAX_DEPTH else "TooManyParts")
            return
        content_type = part.get_content_type()
        if content_type == "multipart/signed":
            self.parsed.signed = True
        if content_type == "multipart/encrypted":
            self.parsed.encrypted = True
        if content_type in _SIGNATURE_TYPES:
            self.parsed.signed = True
        if content_type in _ENCRYPTED_TYPES:
            self._smime(part, content_type)
        if content_type == "message/rfc822":
            self._attachment(part, "message/rfc822", forced_name="message.eml")
            return
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                for child in children:
                    if isinstance(child, Message):
                        self.visit(child, depth + 1)
            return
        disposition = (part.get_content_disposition() or "").lower()
        filename = self._filename(part)
        if disposition == "attachment" or filename or content_type in _SIGNATURE_TYPES | _ENCRYPTED_TYPES:
            self._attachment(part, content_type)
        elif content_type == "text/plain":
            self.plain.append(self._text(part))
        elif content_type == "text/html":
            self.html.append(html_to_text(self._text(part)))
        elif content_type.startswith(("text/", "multipart/")):  # a multipart without boundary: its text
            self.plain.append(self._text(part))
        else:
            self._attachment(part, content_type)

    def _smime(self, part: Message, content_type: str) -> None:
        smime_type = str(part.get_param("smime-type", "") or "").lower()
        if content_type == "application/pgp-encrypted" or smime_type in {"enveloped-data", "authenveloped-data", ""}:
            self.parsed.encrypted = True
        if smime_type == "signed-data":
            self.parsed.signed = True

    def _defect(self, name: str) -> None:
        if name not in self.parsed.defects:
            self.parsed.defects.append(name)

    def _payload(self, part: Message) -> bytes:
        try:
            data = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001 - a broken transfer encoding: keep what is there
            self._defect("UndecodablePayload")
            raw = part.get_payload()
            data = raw.encode("utf-8", "replace") if isinstance(raw, str) else b""
        if data is None:
            raw = part.get_payload()
            data = raw.encode("utf-8", "replace") if isinstance(raw, str) else b""
        return bytes(data)

    def _text(self, part: Message) -> str:
        charset = None
        try:
            charset = part.get_content_charset()
        except Exception:  # noqa: BLE001
            self._defect("UnreadableCharset")
        text, defect = decode_text(self._payload(part), charset)
        if defect:
            self._defect(defect)
        return text.replace("\r\n", "\n")

    def _filename(self, part: Message) -> str:
        for header_name, param in (("Content-Disposition", "filename"), ("Content-Type", "name")):
            raw = _raw_header(part, header_name)
            if raw is not None and _ESCAPED.search(raw):  # an undeclared 8-bit name
                legacy = Message()
                legacy[header_name] = unescape(raw)
                value = legacy.get_param(param, header=header_name)
                if value:
                    return " ".join(collapse_rfc2231_value(value).split())[:200]
        try:
            name = part.get_filename() or ""
        except Exception:  # noqa: BLE001 - RFC 2231 parameters in an unknown charset
            self._defect("UnreadableFileName")
            name = ""
        return " ".join(str(name).split())[:200]

    def _attachment(self, part: Message, content_type: str, *, forced_name: str = "") -> None:
        if content_type == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                data = inner[0].as_bytes(policy=policy.default.clone(linesep="\r\n"))
                subject = header(inner[0], "Subject")
                forced_name = f"{subject[:80] or 'message'}.eml"
            else:
                data = self._payload(part)
        else:
            data = self._payload(part)
        content_id = header(part, "Content-ID").strip("<> ")[:250]
        disposition = (part.get_content_disposition() or "").lower()
        self.parsed.attachments.append(
            Part(
                filename=forced_name or self._filename(part) or _default_name(content_type),
                content_type=content_type,
                data=data,
                content_id=content_id,
                inline=bool(content_id) and disposition != "attachment",
            )
        )


def _default_name(content_type: str) -> str:
    names = {
        "application/pkcs7-signature": "smime.p7s",
        "application/x-pkcs7-signature": "smime.p7s",
        "application/pkcs7-mime": "smime.p7m",
        "application/x-pkcs7-mime": "smime.p7m",
        "application/pgp-signature": "signature.asc",
        "application/pgp-encrypted": "pgp-version.txt",
    }
    return names.get(content_type, "attachment")


def summary(parsed: ParsedMessage) -> dict[str, Any]:
    """What a log line or an audit entry says about a message (no body, no addresses)."""
    return {
        "message_id": parsed.message_id,
        "attachments": len(parsed.attachments),
        "defects": parsed.defects[:20],
        "signed": parsed.signed,
        "encrypted": parsed.encrypted,
    }
