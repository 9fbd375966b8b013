"""PDF documents of the installation (ADR 0062): reportlab with DejaVu Sans, one page template.

Every document gets a header (its title and the institutions it concerns, on each page), a footer
(when it was made, in Warsaw time, and "page X of Y") and the fonts that write Polish: reportlab's
built-in Helvetica and its bundled Vera have no ą, ę, ń, ś, ź, ż. DejaVu Sans comes from npm
(``dejavu-fonts-ttf``, copied by ``manage.py vendor_assets``, which ``make run`` runs) or, on a
machine without it, from Debian's ``fonts-dejavu-core``; without either, :class:`FontMissing`.

The callers build the story from :func:`heading`, :func:`facts`, :func:`table` and :func:`note`
(each registers the fonts first, so each may raise :class:`FontMissing`) and get the bytes from
:func:`render`. Large tables are cut into chunks (each repeating its header
row) so laying out thousands of rows stays linear; how many rows a caller puts in is its own rule.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Flowable as Flowable  # re-exported for the callers' types
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from okienko.core import clock
from okienko.core.errors import DomainError

FONT = "OkienkoSans"
FONT_BOLD = "OkienkoSans-Bold"
FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}
# Rows of one reportlab Table: a table split over pages is re-measured at every split, so one table
# of 5,000 rows costs quadratic time; chunks of this many keep it linear.
CHUNK_ROWS = 200
# A cell longer than this wraps (a Paragraph); shorter ones are drawn as they are (much faster).
WRAP_AT = 28
MARGIN = 15 * mm
PAGE_WIDTH, PAGE_HEIGHT = A4
WIDTH = PAGE_WIDTH - 2 * MARGIN


class FontMissing(DomainError):
    """The font that writes Polish is not installed: no PDF can be made."""

    status = 503
    slug = "pdf-font-missing"
    default_message = _(
        "PDF documents cannot be made here: the DejaVu Sans font is not installed. "
        "The administrator runs `make install` (it vendors the font), then tries again."
    )


def font_dirs() -> list[Path]:
    """Where the fonts are looked for, first found wins: the vendored copy, the collected static
    files, Debian's fonts-dejavu-core."""
    dirs = [Path(settings.PACKAGE_DIR) / "static" / "vendor" / "fonts"]
    if getattr(settings, "STATIC_ROOT", None):
        dirs.append(Path(settings.STATIC_ROOT) / "vendor" / "fonts")
    dirs.append(Path("/usr/share/fonts/truetype/dejavu"))
    return dirs


_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) with reportlab once; :class:`FontMissing` when it is
    not installed."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        found: dict[str, Path] = {}
        for name, file_name in FONT_FILES.items():
            path = next((d / file_name for d in font_dirs() if (d / file_name).is_file()), None)
            if path is None:
                raise FontMissing
            found[name] = path
        for name, path in found.items():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
        _registered = True


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle = field(
        default_factory=lambda: ParagraphStyle("title", fontName=FONT_BOLD, fontSize=15, leading=19, spaceAfter=4)
    )
    section: ParagraphStyle = field(
        default_factory=lambda: ParagraphStyle(
            "section", fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4
        )
    )
    body: ParagraphStyle = field(default_factory=lambda: ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12))
    label: ParagraphStyle = field(
        default_factory=lambda: ParagraphStyle("label", fontName=FONT_BOLD, fontSize=9, leading=12)
    )
    cell: ParagraphStyle = field(default_factory=lambda: ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10))
    note: ParagraphStyle = field(
        default_factory=lambda: ParagraphStyle(
            "note", fontName=FONT, fontSize=8, leading=11, textColor=colors.HexColor("#444444"), spaceBefore=4
        )
    )


STYLES = Styles()


def text(value: Any, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of plain text (escaped: reportlab reads a mini-markup)."""
    register_fonts()
    return Paragraph(escape(str(value)), style or STYLES.body)


def heading(value: Any, *, level: int = 1) -> Paragraph:
    return text(value, STYLES.title if level == 1 else STYLES.section)


def note(value: Any) -> Paragraph:
    return text(value, STYLES.note)


def facts(pairs: Iterable[tuple[Any, Any]]) -> Table:
    """Label–value lines (the number, the parties, the period …)."""
    rows = [[text(label, STYLES.label), text(value)] for label, value in pairs]
    table = Table(rows, colWidths=[45 * mm, WIDTH - 45 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _cell(value: Any) -> Any:
    value = "" if value is None else str(value)
    return text(value, STYLES.cell) if len(value) > WRAP_AT else value


def table(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    widths: Sequence[float] | None = None,
    right: Iterable[int] = (),
    footer: Sequence[Any] | None = None,
) -> list[Flowable]:
    """A data table with its header row on every page; ``widths`` are fractions of the page's
    width, ``right`` the columns aligned right (amounts, counts), ``footer`` a last row in bold
    (a total). Returned as chunks of :data:`CHUNK_ROWS` rows."""
    register_fonts()
    head = [str(cell) for cell in header]
    col_widths = [WIDTH * w for w in widths] if widths else None
    align_right = list(right)
    chunks: list[Flowable] = []
    chunk: list[list[Any]] = []

    def flush(last: bool) -> None:
        data = [head, *chunk]
        if last and footer is not None:
            data.append([str(cell) for cell in footer])
        style: list[tuple[Any, ...]] = [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("LEADING", (0, 0), (-1, -1), 10),
            ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8ECF1")),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#5A6B7D")),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#C9D1DA")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]
        style += [("ALIGN", (col, 0), (col, -1), "RIGHT") for col in align_right]
        if last and footer is not None:
            style += [
                ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.HexColor("#5A6B7D")),
            ]
        part = Table(data, colWidths=col_widths, repeatRows=1, hAlign="LEFT")
        part.setStyle(TableStyle(style))
        chunks.append(part)
        chunk.clear()

    for row in rows:
        chunk.append([_cell(cell) for cell in row])
        if len(chunk) >= CHUNK_ROWS:
            flush(last=False)
    flush(last=True)
    return chunks


def spacer(height_mm: float = 4) -> Spacer:
    return Spacer(1, height_mm * mm)


@dataclass(frozen=True)
class Page:
    """What every page of a document shows: its title, the institutions (header) and when it was
    made (footer; Warsaw time)."""

    title: str
    institutions: Sequence[str] = ()
    generated_at: dt.datetime | None = None

    def made(self) -> str:
        moment = (self.generated_at or clock.now()).astimezone(clock.WARSAW)
        return gettext("Generated on %(when)s (Warsaw time)") % {
            "when": formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        }


class _NumberedCanvas(pdfcanvas.Canvas):  # type: ignore[misc]
    """Keeps the pages until the end so the footer can say "page X of Y"."""

    page: ClassVar[Page]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        made = self.page.made()
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._decorate(number, total, made)
            super().showPage()
        super().save()

    def _decorate(self, number: int, total: int, made: str) -> None:
        page = self.page
        top = PAGE_HEIGHT - 10 * mm
        self.saveState()
        self.setFont(FONT_BOLD, 9)
        self.drawString(MARGIN, top, page.title[:110])
        self.setFont(FONT, 8)
        for i, name in enumerate(page.institutions[:3]):
            self.drawRightString(PAGE_WIDTH - MARGIN, top - i * 10, name[:90])
        line_at = top - max(1, min(3, len(page.institutions))) * 10 + 4
        self.setStrokeColor(colors.HexColor("#5A6B7D"))
        self.setLineWidth(0.5)
        self.line(MARGIN, line_at, PAGE_WIDTH - MARGIN, line_at)
        self.line(MARGIN, 12 * mm, PAGE_WIDTH - MARGIN, 12 * mm)
        self.drawString(MARGIN, 8 * mm, made)
        self.drawRightString(
            PAGE_WIDTH - MARGIN, 8 * mm, gettext("Page %(page)d of %(pages)d") % {"page": number, "pages": total}
        )
        self.restoreState()


def render(page: Page, story: list[Flowable], *, author: str = "", subject: str = "") -> bytes:
    """The document as PDF bytes (A4, portrait); :class:`FontMissing` without the fonts."""
    register_fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 10 * mm + 10 * max(0, min(3, len(page.institutions)) - 1),
        bottomMargin=MARGIN + 4 * mm,
        title=page.title,
        author=author or ", ".join(page.institutions),
        subject=subject,
        creator="Okienko",
        producer="Okienko (reportlab)",
    )
    canvasmaker = type("PageCanvas", (_NumberedCanvas,), {"page": page})
    document.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()
