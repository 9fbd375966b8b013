"""Query latency of the knowledge-base search over a large synthetic corpus.

    .venv/bin/python bench/knowledge_latency.py --articles 20000 --database-url sqlite:////tmp/kb_latency.sqlite3
    .venv/bin/python bench/knowledge_latency.py --articles 20000 \
        --database-url postgres://postgres@127.0.0.1:5432/okienko_kb_bench

Builds a fresh database with the demo knowledge base (the 40 guides, the FAQ, the Łódź cards),
adds synthetic articles made from the real ones (a real title with a place or variant added,
sentences drawn from three real articles), indexes them with the production analyser through a
bulk path (same keys as ``index_article``), then times ``knowledge.search.search`` for every
query of the evaluation sets (``--sets``; both by default: 444 queries), ``--rounds`` times after one
warm-up round. Reports p50/p95/p99.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from knowledge_eval import DEFAULT_SETS, SETS, load_queries, setup

PLACES = [
    "Białystok", "Łomża", "Suwałki", "Augustów", "Grajewo", "Hajnówka", "Kolno", "Mońki", "Sejny",
    "Siemiatycze", "Sokółka", "Zambrów", "Bielsk Podlaski", "Wysokie Mazowieckie", "Łódź", "Bałuty",
    "Widzew", "Górna", "Polesie", "Śródmieście",
]  # fmt: skip
VARIANTS = ["pytania i odpowiedzi", "dla pracodawców", "dla cudzoziemców", "krok po kroku", "najczęstsze błędy",
            "zmiany w przepisach", "informacja dla konsultanta", "w praktyce"]  # fmt: skip


def generate(count: int, seed: int) -> int:
    """Add ``count`` synthetic articles. Analysis is per word, so the keys of a synthetic text are
    the concatenated keys of its sentences: each real sentence is analysed once, as ``index_article``
    would, and the per-article work is only inserting rows."""
    from django.db import connection, transaction

    from okienko.core import clock
    from okienko.knowledge.models import Article, SearchDocument, SearchForm, SearchTerm
    from okienko.knowledge.search.analysis import get_analyser
    from okienko.knowledge.search.indexing import MAX_KEY
    from okienko.knowledge.search.ranking import forget_stats

    rng = random.Random(seed)
    analyser = get_analyser()
    forms: dict[str, str] = {}

    def keys(text: str) -> list[str]:
        result = analyser.analyse_document(text, known_lemmas=lambda found: {k for k in found if k in forms.values()})
        forms.update(result.forms)
        return [k for k in result.keys if len(k) <= MAX_KEY]

    real = list(Article.objects.filter(language="pl"))
    sentences = {
        a.pk: [(s, keys(s)) for s in (p.strip() for p in a.body_text.replace("\n", ". ").split(". ")) if len(s) > 20]
        for a in real
    }
    head = {a.pk: (keys(a.title), keys(" ".join([a.question, a.summary, " ".join(a.tags)]))) for a in real}
    extras = {w: keys(w) for w in PLACES + VARIANTS}
    now = clock.now()
    df: Counter[str] = Counter()
    created = 0
    batch = 1000
    while created < count:
        articles, fields = [], []
        for i in range(min(batch, count - created)):
            base = rng.choice(real)
            picked = [base, rng.choice(real), rng.choice(real)]
            chosen = [x for a in picked for x in rng.sample(sentences[a.pk], min(3, len(sentences[a.pk])))]
            rng.shuffle(chosen)
            place, variant = rng.choice(PLACES), rng.choice(VARIANTS)
            text = " ".join(s.rstrip(".") + "." for s, _k in chosen)
            title_keys = head[base.pk][0] + extras[place] + extras[variant]
            body_keys = [k for _s, ks in chosen for k in ks]
            fields.append((" ".join(title_keys), " ".join(head[base.pk][1]), " ".join(body_keys)))
            articles.append(
                Article(
                    slug=f"syn-{created + i}",
                    organisation_id=base.organisation_id,
                    kind=base.kind,
                    audience=base.audience,
                    status=Article.Status.PUBLISHED,
                    topic_id=base.topic_id,
                    title=f"{base.title} – {place}, {variant}"[:250],
                    question=base.question,
                    summary=base.summary,
                    body=f"<p>{text}</p>",
                    body_text=text,
                    tags=base.tags,
                    created_at=now,
                    updated_at=now,
                )
            )
        with transaction.atomic():
            Article.objects.bulk_create(articles)
            ids = dict(Article.objects.filter(slug__in=[a.slug for a in articles]).values_list("slug", "pk"))
            docs = []
            for article, (title, keywords, body) in zip(articles, fields, strict=True):
                df.update(set(f"{title} {keywords} {body}".split()))
                docs.append(
                    SearchDocument(
                        article_id=ids[article.slug],
                        title_keys=title,
                        keywords_keys=keywords,
                        body_keys=body,
                        title_length=len(title.split()),
                        keywords_length=len(keywords.split()),
                        body_length=len(body.split()),
                    )
                )
            SearchDocument.objects.bulk_create(docs)
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO knowledge_fts (rowid, title, keywords, body) VALUES (%s, %s, %s, %s)",
                        [(d.article_id, d.title_keys, d.keywords_keys, d.body_keys) for d in docs],
                    )
        created += len(articles)
        print(f"  generated {created}/{count}", flush=True)
    with transaction.atomic():
        SearchTerm.objects.bulk_create(
            [SearchTerm(key=k, length=len(k), documents=0) for k in df], ignore_conflicts=True, batch_size=1000
        )
        existing = dict(SearchTerm.objects.values_list("key", "documents"))
        updates = [SearchTerm(key=k, length=len(k), documents=existing.get(k, 0) + n) for k, n in df.items()]
        SearchTerm.objects.bulk_update(updates, ["documents"], batch_size=1000)
        SearchForm.objects.bulk_create(
            [SearchForm(form=f, key=k) for f, k in forms.items() if len(f) <= MAX_KEY and len(k) <= MAX_KEY],
            ignore_conflicts=True,
            batch_size=1000,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load (GIN pending list)
    forget_stats()
    return Article.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="sqlite:////tmp/kb_latency.sqlite3")
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the database of an earlier run, do not rebuild",
    )
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the timed rounds to FILE")
    parser.add_argument("--timeout", type=float, default=1800, help="stop timing after this many seconds")
    parser.add_argument("--sets", nargs="*", default=DEFAULT_SETS, choices=list(SETS), help="query sets to time")
    args = parser.parse_args()
    setup(args.database_url, fresh=not args.reuse)
    import cProfile

    from django.db import connection

    from okienko.knowledge.models import Article
    from okienko.knowledge.search import search

    started = time.monotonic()
    total = Article.objects.count() if args.reuse else generate(args.articles, args.seed)
    print(f"backend {connection.vendor}: {total} articles, built in {time.monotonic() - started:.0f} s")
    queries = [q["query"] for q in load_queries(args.sets)]
    scope = Article.objects.live()
    for q in queries:  # warm-up: caches, analyser, database pages
        search(q, scope=scope)
    timings: list[float] = []
    deadline = time.monotonic() + args.timeout
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    for _round in range(args.rounds):
        for q in queries:
            t0 = time.perf_counter()
            search(q, scope=scope)
            timings.append((time.perf_counter() - t0) * 1000)
            if time.monotonic() > deadline:
                break
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    timings.sort()

    def pct(p: float) -> float:
        return timings[min(len(timings) - 1, int(p * len(timings)))]

    print(
        f"queries timed: {len(timings)}  mean {statistics.mean(timings):.1f} ms  p50 {pct(0.5):.1f} ms  "
        f"p95 {pct(0.95):.1f} ms  p99 {pct(0.99):.1f} ms  max {timings[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
