"""Import articles from CSV rows and Markdown files (with YAML front matter), with a report of
the rows that were rejected and why. Existing articles (same slug) are updated in place."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.utils.text import slugify
from django.utils.translation import gettext as _

from okienko.accounts.models import Organisation
from okienko.catalogue.models import Service
from okienko.core.actors import Actor
from okienko.knowledge import actions, content
from okienko.knowledge.errors import KnowledgeError
from okienko.knowledge.models import Article, Topic

MAX_BODY = 200_000
CSV_COLUMNS = ("slug", "kind", "audience", "topic", "organisation", "title", "question", "summary", "body", "tags")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (row or file, reason)

    def lines(self) -> list[str]:
        out = [f"created: {len(self.created)}, updated: {len(self.updated)}, rejected: {len(self.rejected)}"]
        out.extend(f"  rejected {where}: {reason}" for where, reason in self.rejected)
        return out


def _save(
    report: ImportReport,
    where: str,
    *,
    actor: Actor,
    organisation: Organisation,
    values: dict[str, Any],
) -> None:
    slug = values["slug"]
    language = values.get("language", Article.Language.PL)
    existing = Article.objects.filter(slug=slug, language=language).first()
    try:
        if existing is None:
            actions.create_article(actor=actor, organisation=organisation, **values)
            report.created.append(slug)
        else:
            if existing.organisation_id != organisation.pk:
                report.rejected.append((where, _("“%(slug)s” belongs to another organisation.") % {"slug": slug}))
                return
            fields = {k: v for k, v in values.items() if k not in {"status", "organisation"}}
            actions.update_article(actor=actor, article=existing, expected_version=existing.version, **fields)
            report.updated.append(slug)
    except KnowledgeError as exc:
        report.rejected.append((where, str(exc)))


def import_csv(
    stream: Iterable[str] | str,
    *,
    actor: Actor,
    organisation: Organisation | None = None,
    status: str = Article.Status.DRAFT,
) -> ImportReport:
    """Columns (header row): slug, kind, audience, topic (slug), organisation (code; defaults to
    ``organisation``), title (required), question, summary, body (HTML or Markdown), tags
    (comma-separated), legal_basis, services (codes of the organisation's catalogue services the
    article answers, comma-separated)."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(stream) if isinstance(stream, str) else stream)
    missing = {"title"} - set(reader.fieldnames or [])
    if missing:
        report.rejected.append(("header", _("Missing column: %(c)s") % {"c": ", ".join(sorted(missing))}))
        return report
    topics = {t.slug: t for t in Topic.objects.all()}
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        where = _("row %(n)s") % {"n": number}
        row = {k: (v or "").strip() for k, v in row.items() if k}
        title = " ".join(row.get("title", "").split())
        if not title:
            report.rejected.append((where, _("The title is empty.")))
            continue
        slug = slugify(row.get("slug") or title)[:120]
        if slug in seen:
            report.rejected.append((where, _("The slug “%(slug)s” repeats in this file.") % {"slug": slug}))
            continue
        kind = row.get("kind") or Article.Kind.FAQ
        audience = row.get("audience") or Article.Audience.INTERNAL
        if kind not in Article.Kind.values:
            report.rejected.append((where, _("Unknown kind “%(v)s”.") % {"v": kind}))
            continue
        if audience not in Article.Audience.values:
            report.rejected.append((where, _("Unknown audience “%(v)s”.") % {"v": audience}))
            continue
        topic_slug = row.get("topic", "")
        if topic_slug and topic_slug not in topics:
            report.rejected.append((where, _("Unknown topic “%(v)s”.") % {"v": topic_slug}))
            continue
        org = organisation
        if row.get("organisation"):
            org = Organisation.objects.filter(code=row["organisation"]).first()
        if org is None:
            report.rejected.append((where, _("Unknown or missing organisation.")))
            continue
        body = row.get("body", "")
        if len(body) > MAX_BODY:
            report.rejected.append((where, _("The content is too long.")))
            continue
        if body and "<" not in body:
            body = content.markdown_to_html(body)
        seen.add(slug)
        values = {
            "slug": slug,
            "title": title[:250],
            "kind": kind,
            "audience": audience,
            "topic": topics.get(topic_slug),
            "question": row.get("question", "")[:500],
            "summary": row.get("summary", "")[:500],
            "body": body,
            "tags": [t.strip() for t in row.get("tags", "").split(",") if t.strip()],
            "legal_basis": row.get("legal_basis", ""),
            "status": status,
        }
        if "services" in row:
            codes = [c.strip() for c in row["services"].split(",") if c.strip()]
            services = list(Service.objects.for_organisation(org).filter(code__in=codes))
            unknown = sorted(set(codes) - {s.code for s in services})
            if unknown:
                report.rejected.append((where, _("Unknown service: %(v)s.") % {"v": ", ".join(unknown)}))
                continue
            values["services"] = services
        _save(report, where, actor=actor, organisation=org, values=values)
    return report


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            meta = yaml.safe_load(text[3:end]) or {}
            return (meta if isinstance(meta, dict) else {}), text[end + 4 :]
    return {}, text


# Sections of the Tramitit guides that are about their website, not the procedure.
SKIPPED_SECTIONS = ("Dostawcy", "Related Posts")


def _drop_sections(markdown: str) -> str:
    out: list[str] = []
    skipping = False
    for line in markdown.splitlines():
        if line.startswith("## "):
            skipping = line[3:].strip().startswith(SKIPPED_SECTIONS)
        if not skipping:
            out.append(line)
    return "\n".join(out)


def import_markdown(
    paths: Iterable[Path],
    *,
    actor: Actor,
    organisation: Organisation,
    kind: str = Article.Kind.SERVICE_CARD,
    audience: str = Article.Audience.PUBLIC,
    status: str = Article.Status.DRAFT,
    attribution: str = "",
    topics: dict[str, str] | None = None,
) -> ImportReport:
    """One article per file; slug = file name without ``.md``; title and summary from the
    front matter (``title``, ``description``). ``attribution`` may use ``{file}``."""
    report = ImportReport()
    topic_objects = {t.slug: t for t in Topic.objects.all()}
    for path in sorted(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            report.rejected.append((path.name, str(exc)))
            continue
        meta, markdown = split_front_matter(text)
        title = str(meta.get("title") or "").strip()
        if not title:
            report.rejected.append((path.name, _("The title is empty.")))
            continue
        body = content.markdown_to_html(_drop_sections(markdown))
        values = {
            "slug": path.stem[:120],
            "title": title[:250],
            "kind": kind,
            "audience": audience,
            "summary": str(meta.get("description") or "")[:500],
            "body": body,
            "attribution": attribution.format(file=path.name),
            "topic": topic_objects.get((topics or {}).get(path.stem, "")),
            "status": status,
        }
        _save(report, path.name, actor=actor, organisation=organisation, values=values)
    return report
