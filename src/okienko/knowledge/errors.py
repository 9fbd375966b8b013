from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class KnowledgeError(Exception):
    """A domain rule refused the change; ``str(error)`` is a user-facing message."""


class StaleVersion(KnowledgeError):
    def __init__(self, current: int) -> None:
        self.current = current
        super().__init__(
            _(
                "Someone else saved this article in the meantime (now version %(v)s). "
                "Reload it and apply your change again."
            )
            % {"v": current}
        )


class TransitionNotAllowed(KnowledgeError):
    pass


class InvalidArticle(KnowledgeError):
    pass


class InvalidAttachment(KnowledgeError):
    """A file refused on upload (type, size, virus scan); the message says which and why."""
