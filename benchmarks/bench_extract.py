"""Benchmark the extractor: precision and recall per language, event-type confusion, speed.

Run: python benchmarks/bench_extract.py [--repeats N]
Scores the candidates of the five seed articles against the curated events read from them
(calibration/events.csv rows whose source_file is the seed), and, separately, those of the
project's own test articles (tests/articles/*.txt) against their expected events
(tests/articles/expected.csv). A candidate matches an expected event when they have the same
unordered actor pair, the same event family and dates that can be the same day given their
precisions; precision is the share of candidates that match an expected event, recall the
share of expected events matched by a candidate. Speed is articles per second once the
pipelines are loaded; the load time is given apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import yaml

from sim.core.events import event_families, load_events
from sim.documents.articles import Article, read_article
from sim.documents.extraction import extract_articles, load_extractor
from sim.documents.review import same_event

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
ARTICLES = ROOT / "tests" / "articles"
PUBLISHED = Path(__file__).with_name("extract_published.yaml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="passes over the seed articles for the speed figure")
    args = parser.parse_args()

    started = time.perf_counter()
    extractor = load_extractor()
    load_time = time.perf_counter() - started
    published = {
        name: dt.date.fromisoformat(str(day))
        for name, day in yaml.safe_load(PUBLISHED.read_text())["published"].items()
    }

    seeds = [read_article(path, published.get(path.name)) for path in sorted(SEEDS.glob("*.txt"))]
    curated = load_events(ROOT / "calibration" / "events.csv")
    print(
        f"pipelines loaded in {load_time:.2f} s (spaCy en blank + lookups, {extractor.nlp['fr'].meta['name']} "
        f"{extractor.nlp['fr'].meta['version']})"
    )
    report("seed articles (development set)", seeds, curated)

    own = [read_article(path) for path in sorted(ARTICLES.glob("*.txt"))]
    report("own test articles (held out)", own, load_events(ARTICLES / "expected.csv"))

    started = time.perf_counter()
    for _ in range(args.repeats):
        extract_articles(seeds)
    elapsed = time.perf_counter() - started
    print(
        f"\nspeed: {args.repeats * len(seeds) / elapsed:.1f} articles/s "
        f"({args.repeats} passes over {len(seeds)} seed articles, {elapsed:.2f} s, pipelines already loaded)"
    )


def report(title: str, articles: list[Article], expected_all: pd.DataFrame) -> None:
    extractor = load_extractor()
    print(f"\n== {title}")
    rows = []
    confusion: Counter[tuple[str, str]] = Counter()
    for article in articles:
        lang = extractor.language(article)
        found = extract_articles([article]).frame().to_dict(orient="records")
        expected = expected_all[expected_all["source_file"] == article.path.name].to_dict(orient="records")
        hits = [any(same_event(c, e) for e in expected) for c in found]
        recalled = [any(same_event(c, e) for c in found) for e in expected]
        rows.append(
            {
                "file": article.path.name,
                "lang": lang,
                "candidates": len(found),
                "correct": sum(hits),
                "expected": len(expected),
                "recalled": sum(recalled),
            }
        )
        confusion.update(_confusion(found, expected))
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    for lang, part in table.groupby("lang"):
        precision = part["correct"].sum() / max(part["candidates"].sum(), 1)
        recall = part["recalled"].sum() / max(part["expected"].sum(), 1)
        print(
            f"{lang}: precision {precision:.0%} ({part['correct'].sum()}/{part['candidates'].sum()}), "
            f"recall {recall:.0%} ({part['recalled'].sum()}/{part['expected'].sum()})"
        )
    precision = table["correct"].sum() / max(table["candidates"].sum(), 1)
    recall = table["recalled"].sum() / max(table["expected"].sum(), 1)
    print(f"all: precision {precision:.0%}, recall {recall:.0%}")
    print("event types, expected (rows) x extracted (columns), for events of the same pair and date:")
    matrix = pd.Series(confusion).unstack(fill_value=0) if confusion else pd.DataFrame()
    print(matrix.to_string())


def _confusion(found: list[dict], expected: list[dict]) -> Counter[tuple[str, str]]:
    """Pairs (expected type, extracted type) for events of the same pair and date; '-' where none."""
    counts: Counter[tuple[str, str]] = Counter()
    families = event_families()

    def near(a: dict, b: dict) -> bool:
        return same_event(a, b | {"event_type": a["event_type"]})

    for e in expected:
        close = [c for c in found if near(c, e)]
        best = (
            next((c for c in close if c["event_type"] == e["event_type"]), None)
            or next((c for c in close if families[c["event_type"]] == families[e["event_type"]]), None)
            or (close[0] if close else None)
        )
        counts[(e["event_type"], best["event_type"] if best else "-")] += 1
    for c in found:
        if not any(near(c, e) for e in expected):
            counts[("-", c["event_type"])] += 1
    return counts


if __name__ == "__main__":
    main()
