from __future__ import annotations

import pytest

from okienko.accounts.models import Organisation
from okienko.knowledge import importing
from okienko.knowledge.models import Article

pytestmark = pytest.mark.django_db

CSV = """slug,kind,audience,title,body,tags
staz,faq,public,Staż z urzędu pracy,"Staż trwa do **6 miesięcy**.","staż, stypendium"
,faq,public,,brak tytułu,
x,recipe,public,Zły rodzaj,treść,
staz,faq,public,Powtórka,treść,
"""


def test_csv_import_reports_rejected_rows(region: Organisation) -> None:
    report = importing.import_csv(CSV, actor=None, organisation=region)
    assert report.created == ["staz"]
    assert report.rejected == [
        ("wiersz 3", "Tytuł jest pusty."),
        ("wiersz 4", "Nieznany rodzaj „recipe”."),
        ("wiersz 5", "Adres „staz” powtarza się w tym pliku."),
    ]
    article = Article.objects.get(slug="staz")
    assert (article.body, article.tags) == ("<p>Staż trwa do <strong>6 miesięcy</strong>.</p>", ["staż", "stypendium"])


def test_markdown_guide_import_keeps_attribution_and_file_slug(region: Organisation, tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "zasilek_dla_bezrobotnych.md"
    path.write_text("---\ntitle: 'Zasiłek'\ndescription: Opis\n---\n## Opis\nTekst.\n## Related Posts\n- [x](y)\n")
    report = importing.import_markdown([path], actor=None, organisation=region, attribution="CC BY-SA 4.0: {file}")
    article = Article.objects.get(slug="zasilek_dla_bezrobotnych")
    assert report.created == ["zasilek_dla_bezrobotnych"]
    assert (article.body, article.attribution) == (
        "<h2>Opis</h2>\n<p>Tekst.</p>",
        "CC BY-SA 4.0: zasilek_dla_bezrobotnych.md",
    )
