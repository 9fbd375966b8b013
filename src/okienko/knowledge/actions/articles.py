"""Writes about knowledge articles; each audited in one transaction, with the index kept in step."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from okienko.accounts.access import user_of
from okienko.accounts.models import Organisation
from okienko.accounts.roles import Perm
from okienko.core import audit, clock, events
from okienko.core.actors import Actor
from okienko.knowledge import content, workflow
from okienko.knowledge.errors import InvalidArticle, StaleVersion, TransitionNotAllowed
from okienko.knowledge.models import VERSIONED_FIELDS, Article, ArticleVersion
from okienko.knowledge.search import index_article

HTML_FIELDS = ("body", "required_documents", "fees", "deadlines", "where_how")
EDITABLE_FIELDS = tuple(f for f in VERSIONED_FIELDS if f not in {"organisation"})
FOREIGN_KEYS = {"topic": "topic_id", "owner": "owner_id", "translation_of": "translation_of_id"}
UPDATABLE_FIELDS = frozenset(EDITABLE_FIELDS) | frozenset(FOREIGN_KEYS.values())


def _require_editor(actor: Actor, organisation: Organisation) -> None:
    """``actor=None`` is the system itself (demo loader, imports run by an administrator)."""
    if actor is not None:
        from okienko.accounts.access import require_perm_in

        require_perm_in(actor, Perm.KNOWLEDGE_EDIT, organisation)


def _clean(article: Article) -> None:
    for name in HTML_FIELDS:
        setattr(article, name, content.sanitise(getattr(article, name) or ""))
    article.title = " ".join(article.title.split())
    if not article.title:
        raise InvalidArticle(_("An article needs a title."))
    article.slug = slugify(article.slug or article.title)[:120] or "artykul"
    if article.audience != Article.Audience.RESTRICTED:
        article.allowed_roles = ""
    elif article.allowed_roles and not article.allowed_roles.startswith(","):
        article.allowed_roles = "," + ",".join(r.strip() for r in article.allowed_roles.split(",") if r.strip()) + ","
    article.tags = [str(t).strip() for t in article.tags if str(t).strip()]
    article.body_text = content.to_text(article.body)
    if Article.objects.filter(slug=article.slug, language=article.language).exclude(pk=article.pk).exists():
        raise InvalidArticle(_("Another article already uses the address “%(slug)s”.") % {"slug": article.slug})


def _snapshot(article: Article) -> dict[str, Any]:
    data = audit.snapshot(article, VERSIONED_FIELDS)
    data["services"] = sorted(article.services.values_list("pk", flat=True)) if article.pk else []
    return data


def _save_version(article: Article, actor: Actor, note: str = "") -> None:
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        status=article.status,
        data=_snapshot(article),
        actor=user_of(actor),
        note=note[:200],
        created_at=clock.now(),
    )


def create_article(
    *,
    actor: Actor,
    organisation: Organisation,
    title: str,
    kind: str = Article.Kind.FAQ,
    audience: str = Article.Audience.INTERNAL,
    services: Iterable[Any] = (),
    **fields: Any,
) -> Article:
    """Create a draft article (or one in another status given as ``status``, for imports)."""
    _require_editor(actor, organisation)
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"status"}
    if unknown:
        raise TypeError(f"unknown article fields: {sorted(unknown)}")
    now = clock.now()
    with transaction.atomic():
        article = Article(
            organisation=organisation, title=title, kind=kind, audience=audience, created_at=now, updated_at=now
        )
        for name, value in fields.items():
            setattr(article, name, value)
        if article.owner_id is None and user_of(actor) is not None:
            article.owner = user_of(actor)
        _clean(article)
        if article.status == Article.Status.PUBLISHED:
            article.published_at = now
        article.save()
        article.services.set(list(services))
        _save_version(article, actor, "created")
        index_article(article)
        audit.record(
            "knowledge.article_created",
            actor=actor,
            obj=article,
            organisation_id=organisation.pk,
            changes=audit.diff({}, _snapshot(article)),
        )
        events.emit(
            "knowledge.article_created",
            obj=article,
            organisation_id=organisation.pk,
            payload={"article": article.pk, "uuid": str(article.uuid), "status": article.status},
        )
    return article


def update_article(
    *, actor: Actor, article: Article, expected_version: int, services: Iterable[Any] | None = None, **fields: Any
) -> Article:
    """Change content; refuses with ``StaleVersion`` when someone saved since ``expected_version``."""
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"unknown article fields: {sorted(unknown)}")
    with transaction.atomic():
        current = Article.objects.select_for_update().get(pk=article.pk)
        _require_editor(actor, current.organisation)
        if current.version != expected_version:
            raise StaleVersion(current.version)
        before = _snapshot(current)
        for name, value in fields.items():
            setattr(current, name, value)
        _clean(current)
        if services is not None:
            current.services.set(list(services))
        after = _snapshot(current)
        changes = audit.diff(before, after)
        if not changes:
            return current
        current.version += 1
        current.updated_at = clock.now()
        current.save()
        _save_version(current, actor, "edited")
        index_article(current)
        audit.record(
            "knowledge.article_updated",
            actor=actor,
            obj=current,
            organisation_id=current.organisation_id,
            changes=changes,
        )
        events.emit(
            "knowledge.article_updated",
            obj=current,
            organisation_id=current.organisation_id,
            payload={"article": current.pk, "uuid": str(current.uuid), "version": current.version},
        )
    return current


def transition_article(
    *, actor: Actor, article: Article, to_status: str, expected_version: int | None = None, note: str = ""
) -> Article:
    """Move an article through the workflow (``workflow.TRANSITIONS``)."""
    with transaction.atomic():
        current = Article.objects.select_for_update().get(pk=article.pk)
        _require_editor(actor, current.organisation)
        if expected_version is not None and current.version != expected_version:
            raise StaleVersion(current.version)
        if not workflow.allowed(current.status, to_status):
            raise TransitionNotAllowed(
                _("An article cannot go from “%(a)s” to “%(b)s”.")
                % {"a": current.get_status_display(), "b": Article.Status(to_status).label}
            )
        before = current.status
        now = clock.now()
        current.status = to_status
        if to_status == Article.Status.PUBLISHED and current.published_at is None:
            current.published_at = now
        current.version += 1
        current.updated_at = now
        current.save()
        _save_version(current, actor, note or f"{before} → {to_status}")
        audit.record(
            "knowledge.article_status_changed",
            actor=actor,
            obj=current,
            organisation_id=current.organisation_id,
            changes={"status": [before, to_status]},
            data={"note": note} if note else None,
        )
        events.emit(
            "knowledge.article_status_changed",
            obj=current,
            organisation_id=current.organisation_id,
            payload={"article": current.pk, "uuid": str(current.uuid), "from": before, "to": to_status},
        )
    return current


def restore_version(*, actor: Actor, article: Article, number: int, expected_version: int) -> Article:
    """Copy the content of version ``number`` back as a new version (status unchanged)."""
    data = ArticleVersion.objects.get(article=article, number=number).data
    fields: dict[str, Any] = {}
    for name in EDITABLE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        field = Article._meta.get_field(name)
        if name in FOREIGN_KEYS:
            fields[FOREIGN_KEYS[name]] = value
        else:
            fields[name] = field.to_python(value) if isinstance(value, str) else value  # type: ignore[union-attr]  # only concrete fields reach here
    return update_article(
        actor=actor, article=article, expected_version=expected_version, services=data.get("services"), **fields
    )
