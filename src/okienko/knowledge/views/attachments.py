"""Files of articles: the editors' upload screen, and downloads with the article's visibility —
public articles' files on /pomoc/ for anybody, internal ones on the desk for staff who may read
(or edit) the article."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from okienko.core import uploads
from okienko.knowledge import access, actions
from okienko.knowledge.actions.attachments import max_bytes
from okienko.knowledge.errors import KnowledgeError
from okienko.knowledge.forms import AttachmentForm
from okienko.knowledge.models import Article, Attachment
from okienko.knowledge.views.common import require_editor


def _editable(request: HttpRequest, uuid: str) -> Article:
    require_editor(request)
    return get_object_or_404(Article.objects.editable_by(request.user), uuid=uuid)


def _send(attachment: Attachment) -> FileResponse:
    return attachment.download()


@login_required
def attachment_list(request: HttpRequest, uuid: str) -> HttpResponse:
    """List the article's files and take a new one (title + file)."""
    article = _editable(request, uuid)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is not None and upload.size is not None and upload.size > max_bytes():
            # Refuse before reading the whole file into memory; the action checks again.
            form.add_error("file", uploads.too_large_message(max_bytes()))
        elif form.is_valid():
            try:
                added = actions.add_attachment(
                    actor=request.user,
                    article=article,
                    name=form.cleaned_data["file"].name or "file",
                    data=form.cleaned_data["file"].read(),
                    title=form.cleaned_data["title"],
                )
            except KnowledgeError as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(request, _("File added: %(title)s.") % {"title": added.title})
                return redirect("knowledge:editor_attachments", uuid=article.uuid)
        status = 400
    return render(
        request,
        "knowledge/editor/attachments.html",
        {
            "article": article,
            "form": form,
            "attachments": article.attachments.select_related("uploaded_by"),
            "max_bytes": max_bytes(),
        },
        status=status,
    )


@login_required
@require_POST
def attachment_remove(request: HttpRequest, uuid: str, file_uuid: str) -> HttpResponse:
    article = _editable(request, uuid)
    attachment = get_object_or_404(Attachment, article=article, uuid=file_uuid)
    try:
        actions.remove_attachment(actor=request.user, attachment=attachment)
    except KnowledgeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("File removed: %(title)s.") % {"title": attachment.title})
    return redirect("knowledge:editor_attachments", uuid=article.uuid)


@login_required
def desk_download(request: HttpRequest, uuid: str, file_uuid: str) -> FileResponse:
    """A file of an article the member of staff may read, or edit (drafts included)."""
    readable = Article.objects.visible_to(request.user).filter(uuid=uuid)
    editable = (
        Article.objects.editable_by(request.user).filter(uuid=uuid) if access.may_edit_anywhere(request.user) else None
    )
    condition = Q(article__in=readable)
    if editable is not None:
        condition |= Q(article__in=editable)
    attachment = get_object_or_404(Attachment.objects.filter(condition), uuid=file_uuid, article__uuid=uuid)
    return _send(attachment)


def public_download(request: HttpRequest, slug: str, file_uuid: str) -> FileResponse:
    """A file of a live public article: anybody may have it, like the article itself."""
    attachment = get_object_or_404(
        Attachment.objects.filter(article__in=Article.objects.public()), uuid=file_uuid, article__slug=slug
    )
    return _send(attachment)
