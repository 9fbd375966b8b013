"""Files people send (case attachments, knowledge files, and the channels' to come): one abstract
model for how a checked file is stored and sent back (ADR 0048).

The bytes live under ``MEDIA_ROOT`` (outside the web root) by a random name in the model's
``STORAGE_FOLDER``; what is shown and downloaded is ``original_name`` (already normalised by
``core.uploads.display_name``). Checking the bytes is ``core.uploads.check``'s job and happens
before ``store``.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import uuid4

from django.core.files.base import ContentFile
from django.db import models
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

from okienko.core import uploads


def stored_file_path(instance: StoredFile, filename: str) -> str:
    """``<folder>/<year>/<month>/<random uuid>``: the sender's name never reaches the disk."""
    return f"{instance.STORAGE_FOLDER}/{instance.created_at:%Y/%m}/{instance.uuid.hex}"


class StoredFile(models.Model):
    """A checked file with its type, size and digest. Concrete models add what the file belongs
    to, who sent it and their own ordering."""

    STORAGE_FOLDER: ClassVar[str] = "files"

    uuid = models.UUIDField(default=uuid4, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to=stored_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("added"))

    class Meta:
        abstract = True

    def store(self, data: bytes, checked: uploads.CheckedFile, *, sent_name: str, save: bool = True) -> None:
        """Fill the file's facts from ``checked`` and write ``data`` (``created_at`` must be set)."""
        self.original_name = uploads.display_name(sent_name, checked.content_type)
        self.content_type = checked.content_type
        self.size = checked.size
        self.sha256 = checked.sha256
        self.file.save("upload", ContentFile(data), save=False)
        if save:
            self.save()

    def download(self) -> FileResponse:
        """The file as a download a browser will neither run nor render (``core.uploads.download``)."""
        return uploads.download(self.file.open("rb"), content_type=self.content_type, filename=self.original_name)

    def as_payload(self) -> dict[str, Any]:
        return {"uuid": str(self.uuid), "name": self.original_name, "type": self.content_type, "size": self.size}
