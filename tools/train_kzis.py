"""Train the KZiS occupation classifier shipped in ``okienko.jobs.classifier`` (ADR 0064).

    .venv/bin/python tools/train_kzis.py [--extra var/kzis-corrections.jsonl] [--out DIR]

Reads the hand-coded ads and the KZiS lists from ``../shared/data`` (next to the repository; not
shipped), trains a one-vs-rest linear SVM (scikit-learn's LinearSVC) over the package's own
hashed features, fits a softmax temperature on held-out ads, prunes the weights to a size budget
and writes ``kzis_model.npz``, ``kzis_model.json`` and ``kzis_occupations.json`` into the
package. scikit-learn and scipy are needed here only (the dev extra); prediction uses numpy.

Training text: each ad's title and description; also, as title-only examples, the KZiS 2023
occupation names, the GUS thesaurus' job titles and ESCO's Polish occupation names linked to
KZiS, for the occupations that occur in the ads (an occupation absent from the ads and the
corrections is not suggested: ADR 0064).
Moderators' corrections (``--extra``) are added as ads (the last line for the same text wins).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from okienko.jobs.classifier import model as kzis_model  # noqa: E402
from okienko.jobs.classifier.corrections import read_corrections  # noqa: E402
from okienko.jobs.classifier.features import DEFAULT_BLOCK_WEIGHTS, features, normalise  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
ADS = DATA / "pl-job-ads-kzis" / "pl_job_ads_hand_coded_10k.csv.gz"
OCCUPATIONS = DATA / "pl-kzis-occupations"

C = 0.5
MIN_DF = 2
MAX_FEATURES = 120_000
NNZ_BUDGET = 700_000  # (class, weight) pairs kept: about 2.8 MB before compression
SOURCES = [
    "RepOD doi:10.18150/SX0E7G (OJALAB/job-ads-datasets 0d70fc1): 10,002 hand-coded ads, KZiS 2023 "
    "hierarchy, GUS thesaurus, ESCO (Polish) names linked to KZiS",
]


@dataclass(frozen=True, slots=True)
class Doc:
    title: str
    description: str
    code: str
    group: str  # duplicate texts share a group (cross-validation keeps them in one fold)


def valid_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def load_ads(path: Path = ADS) -> tuple[list[Doc], dict[str, str]]:
    """The hand-coded ads with a valid 6-digit code, and the coders' names of their codes."""
    docs: list[Doc] = []
    coder_names: dict[str, Counter[str]] = defaultdict(Counter)
    with gzip.open(path, "rt", encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            code = (row.get("kzis_code") or "").strip()
            title = (row.get("job.title") or "").strip()
            if not valid_code(code) or not title:
                continue
            description = row.get("job.description") or ""
            docs.append(Doc(title, description, code, normalise(f"{title} {description[:2000]}")))
            if row.get("kzis_name"):
                coder_names[code][row["kzis_name"].strip()] += 1
    return docs, {code: names.most_common(1)[0][0] for code, names in coder_names.items()}


def load_names(occupations: Path = OCCUPATIONS) -> dict[str, str]:
    names: dict[str, str] = {}
    with (occupations / "kzis-official-2023.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            names[row["code"]] = row["name"].strip()
    with (occupations / "kzis-hierarchy-2023.tsv").open(encoding="utf-8") as lines:
        next(lines)
        for line in lines:
            code, _, name = line.rstrip("\n").partition("\t")
            if valid_code(code):
                names.setdefault(code, name.strip())
    return names


def load_extra_titles(occupations: Path = OCCUPATIONS) -> list[Doc]:
    """Title-only examples: official names, GUS thesaurus titles, ESCO names (Polish)."""
    titles: dict[str, set[str]] = defaultdict(set)
    for code, name in load_names(occupations).items():
        titles[code].add(name.rstrip(" S").strip() if name.endswith(" S") else name)
    with (occupations / "gus-thesaurus.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            if valid_code(row["code"]):
                titles[row["code"]].update(t.strip() for t in row["desc"].split(",") if t.strip())
    with (occupations / "esco-kzis-selected.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            if valid_code(row["code"]) and row["var"] in ("occupation_name", "occupation_alternative_names"):
                titles[row["code"]].update(t.strip() for t in row["desc"].split("\n") if t.strip())
    return [Doc(t, "", code, "") for code, ts in sorted(titles.items()) for t in sorted(ts) if len(t) <= 200]


def load_corrections(path: Path) -> list[Doc]:
    latest: dict[str, Doc] = {}
    for record in read_corrections(path):
        title, description = record["title"], record.get("description") or ""
        key = normalise(f"{title} {description[:2000]}")
        latest[key] = Doc(title, description, record["chosen"], key)
    return list(latest.values())


def vectorise(
    docs: list[Doc], weights: dict[str, float], columns: dict[int, int] | None = None
) -> tuple[Any, dict[int, int]]:
    """A CSR matrix of the docs; ``columns`` (feature id → column) built from these docs when
    None, keeping features in at least MIN_DF docs, at most MAX_FEATURES of the most frequent."""
    from scipy import sparse

    feats = [features(d.title, d.description, weights) for d in docs]
    if columns is None:
        df: Counter[int] = Counter()
        for f in feats:
            df.update(f.keys())
        kept = [fid for fid, n in df.most_common(MAX_FEATURES) if n >= MIN_DF]
        columns = {fid: i for i, fid in enumerate(sorted(kept))}
    indptr, indices, data = [0], [], []
    for f in feats:
        for fid, value in f.items():
            col = columns.get(fid)
            if col is not None:
                indices.append(col)
                data.append(value)
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.array(data, dtype=np.float64), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int64)),
        shape=(len(docs), len(columns)),
    )
    return matrix, columns


def fit(
    docs: list[Doc],
    names: dict[str, str],
    *,
    weights: dict[str, float] | None = None,
    c: float = C,
    nnz_budget: int = NNZ_BUDGET,
    temperature: float = 1.0,
) -> kzis_model.Model:
    """Train on ``docs`` and return the pruned model exactly as it will be shipped."""
    from sklearn.svm import LinearSVC

    weights = dict(DEFAULT_BLOCK_WEIGHTS if weights is None else weights)
    # occupations learnt: those of the ads (and corrections); the name titles only help them. Every
    # KZiS code as a class was 3x slower to train (one-vs-rest) for no gain on the ads.
    learnt = {d.code for d in docs if d.group}
    docs = [d for d in docs if d.code in learnt]
    matrix, columns = vectorise(docs, weights)
    codes = sorted({d.code for d in docs})
    index = {code: i for i, code in enumerate(codes)}
    y = np.array([index[d.code] for d in docs])
    svm = LinearSVC(C=c, loss="squared_hinge", dual=True, max_iter=1000, tol=1e-2)
    svm.fit(matrix, y)
    coef = svm.coef_.astype(np.float32)  # classes × columns
    bias = svm.intercept_.astype(np.float32)
    if len(codes) == 2:  # binary LinearSVC has one row; never the case with real data
        coef, bias = np.vstack([-coef, coef]), np.array([-bias[0], bias[0]], dtype=np.float32)
    del svm
    return prune(coef, bias, columns, codes, names, weights, nnz_budget, temperature)


def prune(
    coef: Any,
    bias: Any,
    columns: dict[int, int],
    codes: list[str],
    names: dict[str, str],
    weights: dict[str, float],
    nnz_budget: int,
    temperature: float,
) -> kzis_model.Model:
    """Keep the ``nnz_budget`` weights of largest magnitude, stored feature by feature."""
    flat = np.abs(coef).ravel()
    if flat.size > nnz_budget:
        threshold = np.partition(flat, flat.size - nnz_budget)[flat.size - nnz_budget]
        keep = np.abs(coef) >= max(threshold, 1e-6)
    else:
        keep = np.abs(coef) >= 1e-6
    del flat
    fid_of_col = np.empty(len(columns), dtype=np.uint32)
    for fid, column in columns.items():
        fid_of_col[column] = fid
    cls, col = np.nonzero(keep)  # row-major: sort by feature id next
    fids = fid_of_col[col]
    order = np.lexsort((cls, fids))
    cls, col, fids = cls[order], col[order], fids[order]
    feature_ids, counts = np.unique(fids, return_counts=True)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return kzis_model.Model(
        codes=codes,
        names={code: names.get(code, "") for code in codes},
        feature_ids=feature_ids.astype(np.uint32),
        indptr=indptr,
        class_idx=cls.astype(np.uint16),
        weights=coef[cls, col].astype(np.float16),
        bias=bias.astype(np.float32),
        block_weights=weights,
        temperature=temperature,
    )


def fit_temperature(model: kzis_model.Model, held_out: list[Doc]) -> float:
    """The softmax temperature minimising the negative log-likelihood of the held-out codes."""
    rows, truth = [], []
    index = {code: i for i, code in enumerate(model.codes)}
    for d in held_out:
        scores = model.decision(d.title, d.description)
        if scores is not None and d.code in index:
            rows.append(scores)
            truth.append(index[d.code])
    s, t = np.array(rows), np.array(truth)
    best, best_nll = 1.0, float("inf")
    for temperature in np.exp(np.linspace(np.log(0.5), np.log(50), 60)):
        z = s * temperature
        z -= z.max(axis=1, keepdims=True)
        nll = float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(t)), t]))
        if nll < best_nll:
            best, best_nll = float(temperature), nll
    return best


def save(model: kzis_model.Model, out: Path, meta: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out / kzis_model.MODEL_FILE.name,
        feature_ids=model.feature_ids,
        indptr=model.indptr,
        class_idx=model.class_idx.astype(np.uint16),
        weights=model.weights.astype(np.float16),
        bias=model.bias.astype(np.float32),
    )
    meta = {
        "format": kzis_model.FORMAT,
        "codes": model.codes,
        "block_weights": model.block_weights,
        "temperature": model.temperature,
        **meta,
    }
    (out / kzis_model.META_FILE.name).write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", "utf-8")
    (out / kzis_model.NAMES_FILE.name).write_text(
        json.dumps(model.names, ensure_ascii=False, indent=0, sort_keys=True) + "\n", "utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--extra", type=Path, action="append", default=[], help="corrections JSONL (repeatable)")
    parser.add_argument("--out", type=Path, default=kzis_model.HERE, help="where the model files go")
    parser.add_argument("--no-names", action="store_true", help="train on the ads only (no KZiS/GUS/ESCO titles)")
    parser.add_argument("--c", type=float, default=C)
    parser.add_argument("--nnz", type=int, default=NNZ_BUDGET)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    ads, coder_names = load_ads()
    names = {**coder_names, **load_names()}
    extra = [] if args.no_names else load_extra_titles()
    corrections = [doc for path in args.extra for doc in load_corrections(path)]
    learnt = {d.code for d in ads + corrections}
    extra = [d for d in extra if d.code in learnt]  # as fit() would: only the occupations learnt
    print(f"ads {len(ads)}, name/thesaurus titles {len(extra)}, corrections {len(corrections)}")

    # the temperature from a 20 % hold-out of the ads (whole duplicate groups), then all data
    rng = np.random.default_rng(19)
    groups = sorted({d.group for d in ads})
    held = set(rng.choice(groups, size=len(groups) // 5, replace=False).tolist())
    train = [d for d in ads if d.group not in held]
    held_out = [d for d in ads if d.group in held]
    probe = fit(train + extra + corrections, names, c=args.c, nnz_budget=args.nnz)
    temperature = fit_temperature(probe, held_out)
    top1 = np.mean([(s := probe.suggest(d.title, d.description, 1)) != [] and s[0].code == d.code for d in held_out])
    print(f"hold-out: temperature {temperature:.2f}, top-1 (6 digits) {top1:.3f}")

    model = fit(ads + extra + corrections, names, c=args.c, nnz_budget=args.nnz, temperature=temperature)
    version = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    save(
        model,
        args.out,
        {
            "version": version,
            "trained": datetime.now(UTC).isoformat(timespec="seconds"),
            "edition": "KZiS 2023 (a few codes of earlier editions as the coders used them)",
            "sources": SOURCES,
            "training": {
                "ads": len(ads),
                "name_titles": len(extra),
                "corrections": len(corrections),
                "c": args.c,
                "nnz": len(model.weights),
                "features": len(model.feature_ids),
            },
            "hold_out_top1_6digit": round(float(top1), 4),
        },
    )
    size = sum(
        (args.out / f.name).stat().st_size for f in (kzis_model.MODEL_FILE, kzis_model.META_FILE, kzis_model.NAMES_FILE)
    )
    print(
        f"wrote {args.out} ({size / 1e6:.2f} MB): {len(model.codes)} occupations, {len(model.feature_ids)} features, "
        f"{len(model.weights)} weights, version {version}, {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
