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

Every document is a **tagged PDF** (issue 20: accessible report packs; ADR 0067 addendum 4): each
heading, paragraph, table cell and figure is drawn inside marked content with its own MCID, the
page decorations and table rules as artifacts, and after reportlab has written the file
:func:`_structure` adds the structure tree (Document → H1/H2/P, Table → TR → TH/TD, Figure with
its ``Alt`` text), the parent tree, ``/MarkInfo``, the document's language and title display, with
pikepdf. reportlab itself writes no structure.
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
from reportlab.platypus.flowables import Flowable as _Flowable

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


# -- tagging ---------------------------------------------------------------------------------------
@dataclass(eq=False)
class Element:
    """A node of the structure tree: a standard role and its kids — elements, or marked content
    as (page index, MCID)."""

    role: str
    kids: list[Element | tuple[int, int]] = field(default_factory=list)
    alt: str = ""
    scope: str = ""  # for TH: "Column" or "Row"

    def add(self, role: str, **values: Any) -> Element:
        kid = Element(role, **values)
        self.kids.append(kid)
        return kid


def _marks(canv: Any) -> Any:
    """The canvas's recorder of marked content (``None`` on a canvas that does not tag)."""
    return getattr(canv, "tags", None)


class _Recorder:
    def __init__(self) -> None:
        self.root = Element("Document")
        self.next_mcid: dict[int, int] = {}

    def begin(self, canv: Any, element: Element) -> None:
        page = len(canv._pages)
        mcid = self.next_mcid.get(page, 0)
        self.next_mcid[page] = mcid + 1
        element.kids.append((page, mcid))
        canv._code.append(f"/{element.role} <</MCID {mcid}>> BDC")

    @staticmethod
    def end(canv: Any) -> None:
        canv._code.append("EMC")

    @staticmethod
    def artifact(canv: Any) -> None:
        canv._code.append("/Artifact BMC")


class _TaggedParagraph(Paragraph):  # type: ignore[misc]
    """A paragraph drawn as one marked-content sequence of its role (a part split onto the next
    page is a paragraph of its own there)."""

    role = "P"

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        tags = _marks(canvas)
        if tags is None:
            super().drawOn(canvas, x, y, _sW)
            return
        tags.begin(canvas, tags.root.add(self.role))
        super().drawOn(canvas, x, y, _sW)
        tags.end(canvas)


class _H1(_TaggedParagraph):
    role = "H1"


class _H2(_TaggedParagraph):
    role = "H2"


class _TaggedTable(Table):  # type: ignore[misc]
    """A table whose cells are TH/TD in TR rows of a Table element (each part of a table split
    across pages is a table of its own, with its repeated header row); backgrounds and rules are
    artifacts. ``header_column``: the first column labels its row (TH with the Row scope)."""

    header_column = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("renderCB", _table_event)  # kept by reportlab when it splits the table
        super().__init__(*args, **kwargs)


def _table_event(table: Any, event: str, *args: Any) -> None:
    """reportlab's table render callback: open and close the marked content of each cell."""
    canv = table.canv
    tags = _marks(canv)
    if tags is None:
        return
    if event == "startTable":
        table._element = tags.root.add("Table")
    elif event in ("startBG", "startLines"):
        tags.artifact(canv)
    elif event in ("endBG", "endLines", "endCell"):
        tags.end(canv)
    elif event == "startRow":
        table._row = table._element.add("TR")
    elif event == "startCell":
        row, column = args[0], args[1]
        if row < (table.repeatRows or 0):
            cell = table._row.add("TH", scope="Column")
        elif getattr(table, "header_column", False) and column == 0:
            cell = table._row.add("TH", scope="Row")
        else:
            cell = table._row.add("TD")
        tags.begin(canv, cell)


class _FactsTable(_TaggedTable):
    header_column = True


class Figure(_Flowable):  # type: ignore[misc]
    """A drawing (a chart) as a Figure with its text alternative: what a screen reader says."""

    def __init__(self, drawing: Any, alt: str) -> None:
        super().__init__()
        self.drawing, self.alt = drawing, alt

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        width, height = self.drawing.wrap(available_width, available_height)
        self.width, self.height = width, height
        return width, height

    def draw(self) -> None:
        tags = _marks(self.canv)
        if tags is not None:
            tags.begin(self.canv, tags.root.add("Figure", alt=self.alt))
        self.drawing.drawOn(self.canv, 0, 0)
        if tags is not None:
            tags.end(self.canv)


def figure(drawing: Any, alt: Any) -> Figure:
    """A chart with its text alternative (say what it shows; the table beside it has the numbers)."""
    return Figure(drawing, str(alt))


def text(value: Any, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of plain text (escaped: reportlab reads a mini-markup)."""
    register_fonts()
    return _TaggedParagraph(escape(str(value)), style or STYLES.body)


def heading(value: Any, *, level: int = 1) -> Paragraph:
    register_fonts()
    return (_H1 if level == 1 else _H2)(escape(str(value)), STYLES.title if level == 1 else STYLES.section)


def note(value: Any) -> Paragraph:
    return text(value, STYLES.note)


def facts(pairs: Iterable[tuple[Any, Any]]) -> Table:
    """Label–value lines (the number, the parties, the period …)."""
    rows = [[_plain(label, STYLES.label), _plain(value, STYLES.body)] for label, value in pairs]
    table = _FactsTable(rows, colWidths=[45 * mm, WIDTH - 45 * mm], hAlign="LEFT")
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


def _plain(value: Any, style: ParagraphStyle) -> Paragraph:
    """A paragraph inside a table cell: the cell is its marked content, the paragraph adds none."""
    register_fonts()
    return Paragraph(escape(str(value)), style)


def _cell(value: Any) -> Any:
    value = "" if value is None else str(value)
    return _plain(value, STYLES.cell) if len(value) > WRAP_AT else value


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
        part = _TaggedTable(data, colWidths=col_widths, repeatRows=1, hAlign="LEFT")
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
        self._code.append("/Artifact BMC")
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
        self._code.append("EMC")


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
    recorder = _Recorder()
    canvasmaker = type("PageCanvas", (_NumberedCanvas,), {"page": page, "tags": recorder})
    document.build([_tagged(flowable) for flowable in story], canvasmaker=canvasmaker)
    return _structure(buffer.getvalue(), recorder.root, page.title)


def _tagged(flowable: Any) -> Any:
    """A flowable a caller built by hand: a paragraph becomes a P; anything else that draws (an
    image, a drawing) is marked as a figure without a description rather than left untagged."""
    if isinstance(flowable, (_TaggedParagraph, _TaggedTable, Figure, Spacer)):
        return flowable
    if isinstance(flowable, Paragraph):
        return _TaggedParagraph(flowable.text, flowable.style)
    if isinstance(flowable, Table):
        return flowable  # drawn as is (an untagged table); callers use table() and facts()
    return Figure(flowable, "")


def _structure(data: bytes, root: Element, title: str) -> bytes:
    """Add the structure tree of ``root`` to the PDF that reportlab wrote."""
    import pikepdf

    document = pikepdf.open(io.BytesIO(data))
    pages = document.pages
    tree = document.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    parents: dict[int, dict[int, Any]] = {}

    def build(element: Element, parent: Any) -> Any:
        node = document.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + element.role), P=parent)
        )
        kids = pikepdf.Array()
        for kid in element.kids:
            if isinstance(kid, Element):
                kids.append(build(kid, node))
            else:
                page, mcid = kid
                kids.append(pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=pages[page].obj, MCID=mcid))
                parents.setdefault(page, {})[mcid] = node
        node.K = kids
        if element.role == "Figure":
            node.Alt = pikepdf.String(element.alt or gettext("A drawing without a description"))
        if element.scope:
            node.A = pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=pikepdf.Name("/" + element.scope))
        return node

    tree.K = build(root, tree)
    numbers = pikepdf.Array()
    for index, page_object in enumerate(pages):
        page_object.obj.StructParents = index
        page_object.obj.Tabs = pikepdf.Name.S
        marked = parents.get(index, {})
        numbers.append(index)
        numbers.append(document.make_indirect(pikepdf.Array([marked[m] for m in sorted(marked)])))
    tree.ParentTree = document.make_indirect(pikepdf.Dictionary(Nums=numbers))
    tree.ParentTreeNextKey = len(pages)
    document.Root.StructTreeRoot = tree
    document.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
    document.Root.Lang = pikepdf.String(_language())
    document.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    with document.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _language() -> str:
    from django.utils import translation

    return {"pl": "pl-PL", "en": "en-GB"}.get((translation.get_language() or "pl")[:2], "pl-PL")
