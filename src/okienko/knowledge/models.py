"""Knowledge articles (FAQ, service cards, procedures, news), their versions and search index."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from okienko.accounts.models import Organisation
from okienko.core.actors import Actor
from okienko.core.files import StoredFile, stored_file_path


class Topic(models.Model):
    """A heading residents and consultants browse by (e.g. "Praca i bezrobocie")."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet["Article"]):
    def live(self) -> ArticleQuerySet:
        """Published and inside the publication and validity window now."""
        from okienko.core import clock

        now = clock.now()
        today = clock.local_now().date()
        return self.filter(status=Article.Status.PUBLISHED).filter(
            Q(publish_at__isnull=True) | Q(publish_at__lte=now),
            Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now),
            Q(valid_from__isnull=True) | Q(valid_from__lte=today),
            Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        )

    def public(self) -> ArticleQuerySet:
        """What anybody (residents, the public API) may read."""
        return self.live().filter(audience=Article.Audience.PUBLIC)

    def of_jurisdiction(self, organisation: Organisation) -> ArticleQuerySet:
        """Articles of ``organisation``'s own tree: itself, the offices above it and its units
        (a Łódź form gets Łódź's articles, never a labour office's or another city's)."""
        from okienko.core.tree import path_prefixes

        return self.filter(
            models.Q(organisation__path__in=path_prefixes(organisation.path))
            | models.Q(organisation__path__startswith=organisation.path)
        )

    def visible_to(self, user: Actor) -> ArticleQuerySet:
        """Live articles ``user`` may read: public ones, plus internal/role-restricted ones of
        organisations in (or above) the user's scope."""
        from okienko.knowledge import access

        return self.live().filter(access.readable_q(user))

    def editable_by(self, user: Actor) -> ArticleQuerySet:
        from okienko.knowledge import access

        return self.filter(access.editable_q(user))


class Article(models.Model):
    class Kind(models.TextChoices):
        FAQ = "faq", _("question and answer")
        SERVICE_CARD = "service_card", _("service card")
        PROCEDURE = "procedure", _("procedure / work instruction")
        NEWS = "news", _("news / announcement")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEW = "review", _("in review")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("public (residents)")
        INTERNAL = "internal", _("internal (staff)")
        RESTRICTED = "restricted", _("selected roles only")

    class Language(models.TextChoices):
        PL = "pl", _("Polish")
        EN = "en", _("English")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("slug"), max_length=120)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.PL)
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="knowledge_articles"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.FAQ)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.INTERNAL)
    # ",consultant,expert," — delimited so a LIKE lookup works on SQLite and PostgreSQL alike
    allowed_roles = models.CharField(_("roles allowed to read"), max_length=200, blank=True)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    services = models.ManyToManyField(
        "catalogue.Service", verbose_name=_("catalogue services"), blank=True, related_name="knowledge_articles"
    )
    title = models.CharField(_("title"), max_length=250)
    question = models.CharField(_("question"), max_length=500, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    body = models.TextField(_("content"), blank=True)
    body_text = models.TextField(editable=False, blank=True)
    required_documents = models.TextField(_("required documents"), blank=True)
    fees = models.TextField(_("fees"), blank=True)
    deadlines = models.TextField(_("deadlines"), blank=True)
    where_how = models.TextField(_("where and how"), blank=True)
    attribution = models.TextField(_("source and licence"), blank=True)
    legal_basis = models.TextField(
        _("legal basis or official source"),
        blank=True,
        help_text=_(
            "The act (with its date and Dz.U. entry), local regulation or official page the answer rests on; "
            "shown to staff and residents with the article."
        ),
    )
    important = models.BooleanField(_("important (pinned)"), default=False)
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    unpublish_at = models.DateTimeField(_("unpublish at"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    review_by = models.DateField(_("review by"), null=True, blank=True)
    review_reminded_for = models.DateField(editable=False, null=True, blank=True)  # review_by already reminded
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")
        ordering = ["-important", "title"]
        constraints = [models.UniqueConstraint(fields=["slug", "language"], name="knowledge_article_slug_lang")]
        indexes = [models.Index(fields=["status", "audience"], name="knowledge_article_status_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def roles(self) -> list[str]:
        return [r for r in self.allowed_roles.split(",") if r]


# Fields copied into each version snapshot and compared in the audit diff.
VERSIONED_FIELDS = (
    "slug",
    "language",
    "kind",
    "audience",
    "allowed_roles",
    "topic",
    "tags",
    "title",
    "question",
    "summary",
    "body",
    "required_documents",
    "fees",
    "deadlines",
    "where_how",
    "attribution",
    "legal_basis",
    "important",
    "publish_at",
    "unpublish_at",
    "valid_from",
    "valid_until",
    "review_by",
    "owner",
    "organisation",
    "translation_of",
)


class ArticleVersion(models.Model):
    """An immutable snapshot taken at every save; restore copies one back as a new version."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=Article.Status.choices)
    data = models.JSONField(_("content"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["article", "-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="knowledge_version_unique")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"

    def note_text(self) -> str:
        """The note in the reader's language: the system's own notes are stored as codes."""
        if self.note == "created":
            return pgettext("article version note", "created")
        if self.note == "edited":
            return pgettext("article version note", "edited")
        before, arrow, after = self.note.partition(" → ")
        statuses = Article.Status
        if arrow and before in statuses.values and after in statuses.values:
            return f"{statuses(before).label} → {statuses(after).label}"
        return self.note


def attachment_path(instance: Attachment, filename: str) -> str:
    """Kept for the migrations that name it; files are now placed by ``core.files.stored_file_path``."""
    return stored_file_path(instance, filename)


class Attachment(StoredFile):
    """A file (form, leaflet, scan) shown with an article to whoever may read the article; streamed
    by views that check the article's visibility (``core.files.StoredFile``)."""

    STORAGE_FOLDER = "knowledge"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["article", "title", "id"]

    def __str__(self) -> str:
        return self.title


class Synonym(models.Model):
    """Query expansion editable by editors: searching ``phrase`` also searches ``expansion``."""

    phrase = models.CharField(_("word or phrase"), max_length=100, unique=True)
    expansion = models.CharField(_("also search for"), max_length=200)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")
        ordering = ["phrase"]

    def __str__(self) -> str:
        return f"{self.phrase} → {self.expansion}"


class SearchDocument(models.Model):
    """The analysed keys of one article (space-separated). On PostgreSQL a generated, weighted
    ``tsvector`` column with a GIN index sits beside them; on SQLite the keys are mirrored into
    the FTS5 table ``knowledge_fts`` (rowid = article id). Both are created by migration 0002."""

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE, related_name="+")
    title_keys = models.TextField(blank=True)
    keywords_keys = models.TextField(blank=True)
    body_keys = models.TextField(blank=True)
    title_length = models.PositiveIntegerField(default=0)
    keywords_length = models.PositiveIntegerField(default=0)
    body_length = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return str(self.article_id)


class SearchTerm(models.Model):
    """Every indexed key once with its document frequency: the vocabulary for typo correction
    and "did you mean", and for picking one key per query word (see ``search.query``)."""

    key = models.CharField(max_length=40, primary_key=True)
    length = models.PositiveSmallIntegerField(db_index=True)
    documents = models.IntegerField(default=0)  # how many articles contain the key

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return self.key


class SearchForm(models.Model):
    """Folded inflected form → folded lemma key (lets "zasilku" find "zasiłek")."""

    form = models.CharField(max_length=40, db_index=True)
    key = models.CharField(max_length=40, db_index=True)

    class Meta:
        verbose_name = _("inflected form")
        verbose_name_plural = _("inflected forms")
        constraints = [models.UniqueConstraint(fields=["form", "key"], name="knowledge_form_unique")]

    def __str__(self) -> str:
        return f"{self.form} → {self.key}"


class SearchLog(models.Model):
    class Source(models.TextChoices):
        DESK = "desk", _("desk")
        PORTAL = "portal", _("public site")
        API = "api", _("API")

    at = models.DateTimeField(_("time"), db_index=True)
    query = models.CharField(_("query"), max_length=200)
    normalised = models.CharField(_("normalised query"), max_length=200, db_index=True)
    results = models.PositiveIntegerField(_("results"))
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)

    class Meta:
        verbose_name = _("search log entry")
        verbose_name_plural = _("search log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.query


class Feedback(models.Model):
    """A resident's or consultant's "was this helpful?" answer."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField(_("helpful"))
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.helpful}"


class Proposal(models.Model):
    """A consultant's proposal of a new FAQ entry or a correction, queued for the editors."""

    class Kind(models.TextChoices):
        NEW = "new", _("new entry")
        CORRECTION = "correction", _("correction")

    class Status(models.TextChoices):
        OPEN = "open", _("waiting")
        ACCEPTED = "accepted", pgettext_lazy("proposal status", "accepted")
        REJECTED = "rejected", _("rejected")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    article = models.ForeignKey(
        Article, verbose_name=_("article"), null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    question = models.CharField(_("question"), max_length=500)
    answer = models.TextField(_("proposed answer or correction"), blank=True)
    context = models.CharField(_("where it came from"), max_length=200, blank=True)
    interaction = models.ForeignKey(
        "interactions.Interaction",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("proposed"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(pgettext_lazy("proposal", "handled"), null=True, blank=True)
    result = models.ForeignKey(
        Article, verbose_name=_("resulting article"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.question


class ArticleUse(models.Model):
    """An article used to handle a contact: "answered from the knowledge base" or transferred."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("answered from the knowledge base")
        TRANSFERRED = "transferred", _("transferred")

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="uses")
    interaction = models.ForeignKey(
        "interactions.Interaction",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="knowledge_uses",
    )
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    query = models.CharField(_("search query"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("article use")
        verbose_name_plural = _("article uses")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["interaction", "article"],
                condition=models.Q(interaction__isnull=False),
                name="knowledge_use_once_per_contact",
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.outcome}"
