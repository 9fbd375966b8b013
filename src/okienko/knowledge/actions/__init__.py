"""Writes of the knowledge base, split by subdomain; import them from here."""

from okienko.knowledge.actions.articles import (
    create_article,
    restore_version,
    transition_article,
    update_article,
)
from okienko.knowledge.actions.attachments import add_attachment, remove_attachment
from okienko.knowledge.actions.reviews import remind_reviews, remind_reviews_report
from okienko.knowledge.actions.usage import (
    add_synonym,
    answer_with_article,
    delete_synonym,
    propose_article,
    record_article_use,
    record_feedback,
    record_search,
    resolve_proposal,
)

__all__ = [
    "add_attachment",
    "add_synonym",
    "answer_with_article",
    "create_article",
    "delete_synonym",
    "propose_article",
    "record_article_use",
    "record_feedback",
    "record_search",
    "remind_reviews",
    "remind_reviews_report",
    "remove_attachment",
    "resolve_proposal",
    "restore_version",
    "transition_article",
    "update_article",
]
