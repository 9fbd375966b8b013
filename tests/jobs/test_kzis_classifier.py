"""The KZiS occupation suggestions (issue 19 item 3, ADR 0064) from the model shipped in the
package. Latency is measured by bench/kzis_classifier.py, not here."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from okienko.jobs import classifier
from okienko.jobs.classifier import model as kzis_model
from okienko.jobs.classifier.features import features, normalise


@pytest.fixture(autouse=True)
def _fresh_model() -> Any:
    classifier.reset_model()
    yield
    classifier.reset_model()


def codes(title: str, description: str = "", k: int = 3) -> list[str]:
    return [s.code for s in classifier.suggest(title, description, k)]


def test_obvious_titles() -> None:
    assert codes("Kierowca kat. C+E")[0].startswith("8332")
    assert codes("Kierowca kat. C+E", "Transport międzynarodowy, ciągnik siodłowy z naczepą")[0].startswith("8332")
    assert codes("Księgowa")[0][:4] in {"2411", "3313"}
    assert codes("Magazynier")[0] == "432103"
    assert codes("magazynier", "Przyjmowanie i wydawanie towaru, obsługa wózka widłowego")[0] == "432103"


def test_diacritics_do_not_matter() -> None:
    assert codes("Księgowa") == codes("KSIEGOWA")
    assert normalise("Łódź – Księgowa/y") == "lodz ksiegowa y"


def test_suggestions_shape() -> None:
    for k in (1, 3, 5):
        result = classifier.suggest("Sprzedawca w sklepie spożywczym", "Obsługa kasy, wykładanie towaru", k)
        assert len(result) == k
        scores = [s.score for s in result]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert all(len(s.code) == 6 and s.code.isdigit() and s.name for s in result)
    assert classifier.suggest("Sprzedawca", k=0) == []
    top = classifier.suggest("Magazynier", k=1)[0]
    assert top.name.lower().startswith("magazynier")
    assert top.group == "4321"


@pytest.mark.parametrize(
    ("title", "description"),
    [
        ("", ""),
        ("   ", "\n"),
        ("!!!???", ""),
        ("qqqxzv zzkvq", ""),
        ("\x00\ud800", "ж" * 50),
        ("a" * 100_000, "b " * 50_000),
    ],
)
def test_garbage_gives_a_sane_result(title: str, description: str) -> None:
    result = classifier.suggest(title, description)
    assert len(result) <= 3
    assert all(0.0 <= s.score <= 1.0 for s in result)


def test_not_text_is_refused() -> None:
    with pytest.raises(TypeError):
        classifier.suggest(None)  # type: ignore[arg-type]


def test_missing_model_file_is_a_clear_exception(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kzis_model, "MODEL_FILE", tmp_path / "kzis_model.npz")
    with pytest.raises(classifier.ModelUnavailable, match="missing"):
        classifier.suggest("Magazynier")
    assert not classifier.is_available()
    assert classifier.suggest("") == []  # nothing to suggest from: no need for the model


def test_damaged_or_foreign_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "m.npz").write_bytes(b"not a zip")
    with pytest.raises(classifier.ModelUnavailable):
        classifier.Model.load(tmp_path / "m.npz", kzis_model.META_FILE, kzis_model.NAMES_FILE)
    shutil.copy(kzis_model.MODEL_FILE, tmp_path / "ok.npz")
    meta = json.loads(kzis_model.META_FILE.read_text(encoding="utf-8"))
    (tmp_path / "meta.json").write_text(json.dumps({**meta, "format": "other/9"}), encoding="utf-8")
    with pytest.raises(classifier.ModelUnavailable, match="format"):
        classifier.Model.load(tmp_path / "ok.npz", tmp_path / "meta.json", kzis_model.NAMES_FILE)


def test_loaded_once_per_process_thread_safe() -> None:
    seen: list[int] = []

    def load() -> None:
        seen.append(id(classifier.get_model()))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 1
    assert classifier.get_model() is classifier.get_model()


def test_model_is_small_and_documented() -> None:
    size = sum(f.stat().st_size for f in (kzis_model.MODEL_FILE, kzis_model.META_FILE, kzis_model.NAMES_FILE))
    assert size <= 5_000_000
    meta = classifier.get_model().meta
    assert meta["format"] == kzis_model.FORMAT
    assert "10.18150/SX0E7G" in " ".join(meta["sources"])


def test_features_are_stable() -> None:
    """crc32 of the normalised text: the same ids in every process (the shipped model depends on it)."""
    assert features("Magazynier", "") == features("MAGAZYNIER", "")
    assert all(0 <= key < 2**32 for key in features("Kierowca kat. C+E", "prawo jazdy"))
    assert features("", "") == {}


def test_record_correction(tmp_path: Path, settings: Any) -> None:
    settings.VAR_DIR = tmp_path
    path = classifier.record_correction("Kierowca C+E", "Trasy krajowe", ["833202", "833201"], "833201")
    assert path == tmp_path / "kzis-corrections.jsonl"
    classifier.record_correction("Magazynier", "", ["432103"], "432103", model_version="v1")
    with path.open("a", encoding="utf-8") as damaged:
        damaged.write("{not json\n")
    records = list(classifier.read_corrections(path))
    assert [r["chosen"] for r in records] == ["833201", "432103"]
    assert records[0]["suggested"] == ["833202", "833201"]
    assert records[1]["model"] == "v1"
    for bad in ("83320", "abcdef", ""):
        with pytest.raises(ValueError, match="6-digit"):
            classifier.record_correction("Kierowca", "", ["833202"], bad)
    with pytest.raises(ValueError, match="6-digit"):
        classifier.record_correction("Kierowca", "", ["x"], "833202")
