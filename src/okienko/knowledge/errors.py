from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from okienko.core import errors


class KnowledgeError(errors.DomainError):
    """A domain rule refused the change; ``str(error)`` is a user-facing message."""


class StaleVersion(KnowledgeError, errors.StaleVersion):
    def __init__(self, current: int) -> None:
        self.current = current
        super().__init__(
            _(
                "Someone else saved this article in the meantime (now version %(v)s). "
                "Reload it and apply your change again."
            )
            % {"v": current},
            current_version=current,
        )


class TransitionNotAllowed(KnowledgeError, errors.TransitionNotAllowed):
    """The article workflow refuses the change; the message names both statuses."""

    def __init__(self, message: errors.Message) -> None:
        super().__init__(message=message)


class InvalidArticle(KnowledgeError, errors.InvalidInput):
    pass


class InvalidAttachment(KnowledgeError, errors.InvalidInput):
    """A file refused on upload (type, size, virus scan); the message says which and why."""
