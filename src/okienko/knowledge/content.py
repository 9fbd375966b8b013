"""Article content: safe HTML (nh3), plain text for the index, and a small Markdown reader."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h2", "h3", "h4", "blockquote",
    "a", "table", "thead", "tbody", "tr", "th", "td", "code", "pre", "hr", "mark", "abbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": set()}


def sanitise(value: str) -> str:
    """Return ``value`` with only harmless markup: no scripts, event handlers, styles or
    ``javascript:`` links; links get ``rel="noopener noreferrer"``."""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


_TAG_RE = re.compile(r"<[^>]+>")
_BLOCK_RE = re.compile(r"</(p|li|h\d|tr|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)
_SPACE_RE = re.compile(r"[ \t]+")


def to_text(value: str) -> str:
    """Plain text of sanitised HTML (block ends become new lines)."""
    text = _BLOCK_RE.sub("\n", value)
    text = html.unescape(_TAG_RE.sub(" ", text))
    lines = [_SPACE_RE.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


_INLINE_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])_(?!_)(.+?)(?<!_)_(?![\w*])")


def _inline(text: str) -> str:
    out = html.escape(text, quote=False)
    out = _INLINE_LINK.sub(lambda m: f'<a href="{html.escape(m.group(2))}">{m.group(1)}</a>', out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _ITALIC.sub(r"<em>\1</em>", out)


def markdown_to_html(source: str) -> str:
    """Convert the Markdown used by the imported guides (headings, lists, tables, paragraphs,
    links, bold/italic) to HTML; the result is sanitised. Headings start at ``<h2>``."""
    blocks: list[str] = []
    paragraph: list[str] = []
    list_tag = ""
    items: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        nonlocal list_tag, items, table, paragraph
        if paragraph:
            blocks.append("<p>" + _inline(" ".join(paragraph)) + "</p>")
            paragraph = []
        if items:
            blocks.append(f"<{list_tag}>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + f"</{list_tag}>")
            items, list_tag = [], ""
        if table:
            rows = [r for r in table if not all(set(c) <= set(":- ") for c in r)]
            if len(rows) > 1 or (rows and any(rows[0])):
                head, *body = rows
                out = (
                    "<table><thead><tr>" + "".join(f'<th scope="col">{_inline(c)}</th>' for c in head) + "</tr></thead>"
                )
                out += "<tbody>" + "".join(
                    "<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in body
                )
                blocks.append(out + "</tbody></table>")
            table = []

    for raw in source.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        bullet = re.match(r"^[-*+]\s+(.*)$", line)
        numbered = re.match(r"^\d+[.)]\s+(.*)$", line)
        if heading:
            flush()
            level = min(max(len(heading.group(1)), 2), 4)
            blocks.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif line.startswith("|"):
            if paragraph or items:
                flush()
            table.append([c.strip() for c in line.strip("|").split("|")])
        elif bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or table or (items and list_tag != tag):
                flush()
            list_tag = tag
            found = bullet or numbered
            items.append(found.group(1) if found else line)
        elif items:
            items[-1] += " " + line
        else:
            paragraph.append(line)
    flush()
    return sanitise("\n".join(blocks))
