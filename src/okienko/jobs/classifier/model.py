"""The shipped KZiS model: loading (lazily, once per process) and scoring with numpy alone.

Files, beside this module (``tools/train_kzis.py`` writes them; ADR 0064):

* ``kzis_model.npz`` — arrays only, read with ``allow_pickle=False`` (no code runs on load):
  ``feature_ids`` (uint32, sorted), ``indptr`` (int32, one slice per feature), ``class_idx``
  (uint16) and ``weights`` (float16) — the pruned linear model stored feature by feature — and
  ``bias`` (float32, one per class);
* ``kzis_model.json`` — format version, class codes, block weights, the softmax temperature,
  training data and metrics;
* ``kzis_occupations.json`` — code → Polish occupation name for the codes the model knows.

A score is the softmax of the linear decision values scaled by a temperature fitted on held-out
ads, so it reads as a probability (roughly: of the suggestions with score 0.8, about 8 in 10 are
right).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .features import features

FORMAT = "okienko-kzis-linear/1"
HERE = Path(__file__).resolve().parent
MODEL_FILE = HERE / "kzis_model.npz"
META_FILE = HERE / "kzis_model.json"
NAMES_FILE = HERE / "kzis_occupations.json"


class ModelUnavailable(RuntimeError):
    """The model files are missing, unreadable or of another format: suggestions are unavailable
    (the offer form works without them; the moderator picks the code by hand)."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    code: str  # 6 digits, KZiS
    name: str  # the occupation's Polish name
    score: float  # 0..1

    @property
    def group(self) -> str:
        """The 4-digit elementary group ("8332" for 833202)."""
        return self.code[:4]


class Model:
    def __init__(
        self,
        *,
        codes: list[str],
        names: dict[str, str],
        feature_ids: npt.NDArray[np.uint32],
        indptr: npt.NDArray[np.int32],
        class_idx: npt.NDArray[np.uint16],
        weights: npt.NDArray[np.float16],
        bias: npt.NDArray[np.float32],
        block_weights: dict[str, float],
        temperature: float,
        meta: dict[str, Any] | None = None,
    ) -> None:
        if not (len(indptr) == len(feature_ids) + 1 and len(class_idx) == len(weights) == int(indptr[-1])):
            raise ModelUnavailable("the KZiS model's arrays do not fit together")
        if len(bias) != len(codes) or (len(class_idx) and int(class_idx.max()) >= len(codes)):
            raise ModelUnavailable("the KZiS model's classes do not fit its codes")
        self.codes = codes
        self.names = names
        self.feature_ids = feature_ids
        self.indptr = indptr
        self.class_idx = class_idx.astype(np.intp)
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float64)
        self.block_weights = block_weights
        self.temperature = temperature
        self.meta = meta or {}

    @classmethod
    def load(
        cls, model_file: Path | None = None, meta_file: Path | None = None, names_file: Path | None = None
    ) -> Model:
        """The model from its three files (by default the package's: ``MODEL_FILE``, ...)."""
        model_file = MODEL_FILE if model_file is None else model_file
        meta_file = META_FILE if meta_file is None else meta_file
        names_file = NAMES_FILE if names_file is None else names_file
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            names = json.loads(names_file.read_text(encoding="utf-8"))
            with np.load(model_file, allow_pickle=False) as arrays:
                data = {key: arrays[key] for key in ("feature_ids", "indptr", "class_idx", "weights", "bias")}
        except FileNotFoundError as exc:
            raise ModelUnavailable(f"the KZiS model file is missing: {exc.filename}") from exc
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailable(f"the KZiS model cannot be read: {exc}") from exc
        if meta.get("format") != FORMAT:
            raise ModelUnavailable(f"the KZiS model is of format {meta.get('format')!r}, this code reads {FORMAT!r}")
        return cls(
            codes=list(meta["codes"]),
            names=dict(names),
            block_weights={str(k): float(v) for k, v in meta["block_weights"].items()},
            temperature=float(meta["temperature"]),
            meta=meta,
            **data,
        )

    def decision(self, title: str, description: str = "") -> npt.NDArray[np.float64] | None:
        """Decision values, one per class; None when the text has no feature the model knows."""
        feats = features(title, description, self.block_weights)
        if not feats:
            return None
        ids = np.fromiter(feats.keys(), dtype=np.uint32, count=len(feats))
        values = np.fromiter(feats.values(), dtype=np.float64, count=len(feats))
        pos = np.searchsorted(self.feature_ids, ids)
        pos[pos >= len(self.feature_ids)] = 0
        found = self.feature_ids[pos] == ids
        if not found.any():
            return None
        pos, values = pos[found], values[found]
        starts, ends = self.indptr[pos], self.indptr[pos + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if total == 0:
            return None
        # the positions of every (class, weight) of every found feature, in one array
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        contrib = self.weights[offsets] * np.repeat(values, lengths)
        return self.bias + np.bincount(self.class_idx[offsets], weights=contrib, minlength=len(self.codes))

    def probabilities(self, title: str, description: str = "") -> npt.NDArray[np.float64] | None:
        scores = self.decision(title, description)
        if scores is None:
            return None
        z = scores * self.temperature
        z -= z.max()
        p = np.exp(z)
        result: npt.NDArray[np.float64] = p / p.sum()
        return result

    def suggest(self, title: str, description: str = "", k: int = 3) -> list[Suggestion]:
        if k <= 0:
            return []
        p = self.probabilities(title, description)
        if p is None:
            return []
        k = min(k, len(p))
        top = np.argpartition(-p, k - 1)[:k]
        top = top[np.argsort(-p[top], kind="stable")]
        return [
            Suggestion(code=self.codes[i], name=self.names.get(self.codes[i], ""), score=round(float(p[i]), 4))
            for i in top
        ]


_lock = threading.Lock()
_model: Model | None = None


def get_model() -> Model:
    """The shipped model, loaded on first use, once per process (thread-safe). A failed load is
    not cached: a file put in place later is picked up."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = Model.load()
    return _model


def reset_model() -> None:
    """Forget the loaded model (tests; after retraining in a long-lived process)."""
    global _model
    with _lock:
        _model = None


def suggest(title: str, description: str = "", k: int = 3) -> list[Suggestion]:
    """Up to ``k`` KZiS occupations for an offer, best first, score 0..1. Empty or meaningless text
    gives []. Raises ``ModelUnavailable`` when the model file is not installed."""
    if not isinstance(title, str) or not isinstance(description, str):
        raise TypeError("title and description must be text")
    if not title.strip() and not description.strip():
        return []
    return get_model().suggest(title, description, k)


def is_available() -> bool:
    """Whether suggestions can be made (the model loads)."""
    try:
        get_model()
    except ModelUnavailable:
        return False
    return True
