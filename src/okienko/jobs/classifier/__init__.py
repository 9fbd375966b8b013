"""Automatic KZiS occupation coding of job offers (issue 19, ADR 0064).

``suggest(title, description, k)`` gives up to ``k`` 6-digit KZiS occupations with their Polish
names and scores 0..1, from a small linear model shipped in this package (trained by
``tools/train_kzis.py`` on 10,002 hand-coded Polish job ads). The model is loaded lazily, once per
process. Without the model file ``suggest`` raises ``ModelUnavailable``: the caller shows
"suggestion unavailable" and the moderator picks the code by hand. ``record_correction`` keeps the
moderator's choice for retraining. Plain Python, no Django models.
"""

from .corrections import read_corrections, record_correction
from .model import Model, ModelUnavailable, Suggestion, get_model, is_available, reset_model, suggest

__all__ = [
    "Model",
    "ModelUnavailable",
    "Suggestion",
    "get_model",
    "is_available",
    "read_corrections",
    "record_correction",
    "reset_model",
    "suggest",
]
