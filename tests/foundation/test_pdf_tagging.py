"""Every PDF of the installation is a tagged PDF (issue 20: accessible report packs)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pikepdf
import pytest
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.platypus import Paragraph

from okienko.core import pdf

PAINT = {"Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "Do", "sh"}


@dataclass
class Tree:
    roles: list[str] = field(default_factory=list)
    alts: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)

    def count(self, role: str) -> int:
        return self.roles.count(role)


def tree_of(data: bytes) -> Tree:
    """Check the PDF's tagging and return its structure: marked, a language, every page in the
    parent tree, every MCID of every page pointing at an element, marked content balanced and no
    text or painting outside marked content or an artifact."""
    document = pikepdf.open(io.BytesIO(data))
    assert document.Root.MarkInfo.Marked is True
    assert str(document.Root.Lang) in {"pl-PL", "en-GB"}
    assert document.Root.ViewerPreferences.DisplayDocTitle is True
    root = document.Root.StructTreeRoot
    numbers = list(root.ParentTree.Nums)
    parents = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)}
    for index, page in enumerate(document.pages):
        assert int(page.obj.StructParents) == index
        depth, mcids = 0, []
        for operands, operator in pikepdf.parse_content_stream(page):
            name = str(operator)
            if name in ("BDC", "BMC"):
                depth += 1
                if name == "BDC":
                    mcids.append(int(operands[1].MCID))
            elif name == "EMC":
                depth -= 1
                assert depth >= 0
            elif name in PAINT:
                assert depth > 0, f"page {index + 1}: {name} outside marked content"
        assert depth == 0
        assert mcids == list(range(len(mcids)))
        assert len(parents[index]) == len(mcids)
    tree = Tree()

    def walk(node: Any) -> None:
        if not isinstance(node, pikepdf.Dictionary) or node.get("/Type") != pikepdf.Name.StructElem:
            return
        role = str(node.S)[1:]
        tree.roles.append(role)
        if role == "Figure":
            tree.alts.append(str(node.Alt))
        if "/A" in node:
            tree.scopes.append(str(node.A.Scope)[1:])
        for kid in node.K:
            walk(kid)

    walk(root.K)
    assert tree.roles[0] == "Document"
    return tree


@pytest.mark.django_db
def test_headings_facts_tables_and_figures_are_tagged_across_pages() -> None:
    chart = Drawing(200, 100)
    chart.add(Rect(10, 10, 50, 50))
    story = [
        pdf.heading("Raport za listopad — zażółć gęślą jaźń"),
        pdf.facts([("Numer", "1/2026"), ("Okres", "listopad 2026")]),
        pdf.heading("Dzień po dniu", level=2),
        pdf.figure(chart, "Wykres słupkowy: 400 dni"),
        *pdf.table(["Dzień", "Sprawy"], [(f"dzień {n}", n) for n in range(450)], right=[1]),
        pdf.note("Liczby z dziennych zestawień."),
        Paragraph("Akapit dodany ręcznie", pdf.STYLES.body),
    ]
    data = pdf.render(pdf.Page(title="Raport", institutions=["Urząd Miasta Łodzi"]), story)
    tree = tree_of(data)
    assert len(pikepdf.open(io.BytesIO(data)).pages) > 3
    assert (tree.count("H1"), tree.count("H2"), tree.count("Figure")) == (1, 1, 1)
    assert tree.alts == ["Wykres słupkowy: 400 dni"]
    assert tree.count("Table") >= 4  # the facts, and the data table in parts (one per page)
    assert tree.count("TD") >= 450
    assert tree.count("P") == 2  # the note and the paragraph made by hand
    assert {"Column", "Row"} <= set(tree.scopes)
    assert tree.count("TH") >= 2 + 2 * 3


@pytest.mark.django_db
def test_an_untagged_drawing_is_a_figure_with_a_stated_lack_of_description() -> None:
    chart = Drawing(100, 50)
    chart.add(Rect(0, 0, 20, 20))
    tree = tree_of(pdf.render(pdf.Page(title="Rysunek"), [pdf.heading("Rysunek"), chart]))
    assert tree.count("Figure") == 1
    assert tree.alts[0]
