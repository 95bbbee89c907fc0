"""Event records: the compact snapshot kept per member, and the full event built from them.

The summary is extractive: lead sentences of the members compete, near-identical sentences
of different sources merge into one, and a sentence cites every source that has a sentence
saying much the same (cosine of IDF-weighted content words). Work is capped so that a big
event costs about as much as a mid-sized one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipeline.disagreements import extract_facts, find_disagreements, source_numbers
from pipeline.sentences import content_terms, split_sentences

MAX_SENTENCES = 12  # sentences kept per member snapshot
MAX_ENTITIES = 30
MAX_TOPICS = 10
MAX_SENTENCE_CHARS = 400
_SUMMARY_MEMBERS = 16  # members whose sentences compete for the summary
_LEAD_SENTENCES = 6  # candidate sentences per competing member
_MERGE = 0.6  # cosine at which two sentences say the same thing
_SUPPORT = 0.3  # cosine at which another source backs a sentence up
_REDUNDANT = 0.45  # a summary never holds two sentences this close
_NUMERIC_LABELS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})


@dataclass
class _Sentence:
    text: str
    source: int
    member: int
    position: int
    terms: frozenset[str] = frozenset()
    squares: dict[str, float] = field(default_factory=dict)  # squared IDF, shared by all
    norm: float = 0.0
    support: set[int] = field(default_factory=set)
    centrality: float = 0.0
    best: dict[int, tuple[float, int]] = field(default_factory=dict)  # source -> (cosine, index)


@dataclass
class _Group:
    lead: _Sentence  # the wording shown: the earliest source's
    index: int
    support: set[int]
    centrality: float


def member_snapshot(article: dict[str, Any]) -> dict[str, Any]:
    """The compact, JSON-able view of one article that an event stores per member.

    Args:
        article: a clustered article (`text`, `entities`, `topics`, `duplicate_of`, ...).
    """
    text = article.get("text") or ""
    entities = article.get("entities") or []
    ranked = sorted(entities, key=lambda e: (-int(e.get("count", 1)), e.get("first_offset", 0)))
    return {
        "article_id": article.get("article_id"),
        "source": article.get("source"),
        "url": article.get("url") or article.get("canonical_url"),
        "title": article.get("title") or "",
        "published_at": article.get("published_at"),
        "ingested_at": article.get("ingested_at"),
        "duplicate_of": article.get("duplicate_of"),
        "sentences": [s[:MAX_SENTENCE_CHARS] for s in split_sentences(text)[:MAX_SENTENCES]],
        "entities": [
            {"name": e["name"], "label": e["label"], "count": int(e.get("count", 1))}
            for e in ranked[:MAX_ENTITIES]
        ],
        "topics": [
            {"code": t["code"], "label": t.get("label", t["code"]), "score": float(t["score"])}
            for t in (article.get("topics") or [])[:MAX_TOPICS]
        ],
        "facts": extract_facts(text, entities),
    }


def build_event(
    event_id: str, members: list[dict[str, Any]], *, version: int, now: datetime
) -> dict[str, Any]:
    """Build the full, latest state of an event from its member snapshots.

    Args:
        event_id: the event's stable id.
        members: member snapshots in arrival order.
        version: the record's version, increasing with each emission.
        now: the clock, for `updated_at`.
    """
    numbers = source_numbers(members)
    sentences = _candidates(members, numbers)
    _score(sentences)
    seen = _seen_times(members)
    return {
        "event_id": event_id,
        "version": version,
        "title": _title(members, sentences),
        "summary": _summary(sentences),
        "sources": _sources(members, numbers),
        "articles": [m.get("article_id") for m in members],
        "entities": _entities(members),
        "topics": _topics(members),
        "first_seen": min(seen).isoformat() if seen else None,
        "last_seen": max(seen).isoformat() if seen else None,
        "article_count": len(members),
        "disagreements": find_disagreements(members, numbers=numbers),
        "updated_at": _utc(now).isoformat(),
    }


def _candidates(members: list[dict[str, Any]], numbers: list[int]) -> list[_Sentence]:
    originals = [i for i, m in enumerate(members) if not m.get("duplicate_of")]
    # One article per source first, so a chatty outlet cannot crowd the others out.
    firsts = {numbers[i]: i for i in reversed(originals)}
    chosen = sorted(firsts.values())
    chosen += [i for i in originals if i not in set(chosen)]
    sentences = [
        _Sentence(text, numbers[index], index, position, content_terms(text))
        for index in sorted(chosen[:_SUMMARY_MEMBERS])
        for position, text in enumerate(members[index].get("sentences", [])[:_LEAD_SENTENCES])
        if 5 <= len(text.split()) <= 60
    ]
    sentences = [s for s in sentences if len(s.terms) >= 3]
    _weigh(sentences)
    return sentences


def _weigh(sentences: list[_Sentence]) -> None:
    frequency: dict[str, int] = defaultdict(int)
    for sentence in sentences:
        for term in sentence.terms:
            frequency[term] += 1
    squares = {t: math.log(1 + len(sentences) / f) ** 2 for t, f in frequency.items()}
    for sentence in sentences:
        sentence.squares = squares
        sentence.norm = math.sqrt(sum(squares[t] for t in sentence.terms))


def _cosine(a: _Sentence, b: _Sentence) -> float:
    # Terms are present or not, so the dot product is the sum of shared squared weights.
    shared = a.terms & b.terms
    return sum(map(a.squares.__getitem__, shared)) / (a.norm * b.norm) if shared else 0.0


def _score(sentences: list[_Sentence]) -> None:
    """Fill each sentence's best match in every other source, its support and centrality."""
    for i, a in enumerate(sentences):
        a.support = {a.source}
        for j in range(i + 1, len(sentences)):
            b = sentences[j]
            if a.source != b.source:
                similarity = _cosine(a, b)
                if similarity > a.best.get(b.source, (0.0, -1))[0]:
                    a.best[b.source] = (similarity, j)
                if similarity > b.best.get(a.source, (0.0, -1))[0]:
                    b.best[a.source] = (similarity, i)
    others = max(1, len({s.source for s in sentences}) - 1)
    for sentence in sentences:
        sentence.support.update(n for n, (sim, _) in sentence.best.items() if sim >= _SUPPORT)
        sentence.centrality = sum(sim for sim, _ in sentence.best.values()) / others


def _same_claim(sentences: list[_Sentence], a: int, b: int) -> bool:
    """Two sentences of different sources say the same thing: very close, or each other's best
    match and close enough to count as support."""
    one, two = sentences[a], sentences[b]
    if one.source == two.source:
        return False
    similarity, partner = one.best.get(two.source, (0.0, -1))
    if partner == b and two.best.get(one.source, (0.0, -1))[1] == a:
        return similarity >= _SUPPORT
    return _cosine(one, two) >= _MERGE


def _summary(sentences: list[_Sentence]) -> list[dict[str, Any]]:
    groups = _merge(sentences)
    groups.sort(key=lambda g: (-len(g.support), -g.centrality, g.lead.position, g.lead.member))
    # What several sources share, plus room for two single-source details.
    wanted = min(6, max(3, sum(1 for g in groups if len(g.support) > 1) + 2))
    picked: list[_Group] = []
    for group in groups:
        if len(picked) == wanted:
            break
        if all(_cosine(group.lead, other.lead) < _REDUNDANT for other in picked):
            picked.append(group)
    # News puts what matters first; keep the articles' own order.
    picked.sort(key=lambda g: (g.lead.position, g.lead.source, g.lead.member))
    return [{"text": g.lead.text, "sources": sorted(g.support)} for g in picked]


def _merge(sentences: list[_Sentence]) -> list[_Group]:
    """Fold sentences of different sources that say the same thing into one, citing them all."""
    groups: list[_Group] = []
    order = sorted(
        range(len(sentences)),
        key=lambda i: (sentences[i].source, sentences[i].member, sentences[i].position),
    )
    for index in order:
        sentence = sentences[index]
        home = next((g for g in groups if _same_claim(sentences, g.index, index)), None)
        if home:
            home.support.update(sentence.support)
            home.centrality = max(home.centrality, sentence.centrality)
        else:
            groups.append(_Group(sentence, index, set(sentence.support), sentence.centrality))
    return groups


def _title(members: list[dict[str, Any]], sentences: list[_Sentence]) -> str:
    scores: dict[int, list[float]] = defaultdict(list)
    for sentence in sentences:
        scores[sentence.member].append(sentence.centrality)
    titled = [i for i, m in enumerate(members) if m.get("title") and not m.get("duplicate_of")]
    titled = titled or [i for i, m in enumerate(members) if m.get("title")]
    if not titled:
        return ""
    best = max(titled, key=lambda i: (_mean_top(scores.get(i, [])), -i))
    return str(members[best]["title"])


def _mean_top(values: list[float], top: int = 3) -> float:
    chosen = sorted(values, reverse=True)[:top]
    return sum(chosen) / len(chosen) if chosen else 0.0


def _sources(members: list[dict[str, Any]], numbers: list[int]) -> list[dict[str, Any]]:
    first: dict[int, dict[str, Any]] = {}
    for member, number in zip(members, numbers, strict=True):
        first.setdefault(number, member)
    return [
        {
            "n": number,
            "name": m.get("source"),
            "url": m.get("url"),
            "article_id": m.get("article_id"),
            "published_at": m.get("published_at"),
        }
        for number, m in sorted(first.items())
    ]


def _entities(members: list[dict[str, Any]], *, top: int = 20) -> list[dict[str, Any]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    labels: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for member in members:
        for entity in member.get("entities") or []:
            if entity["label"] in _NUMERIC_LABELS:
                continue
            key = " ".join(str(entity["name"]).lower().split())
            counts[key][entity["name"]] += int(entity.get("count", 1))
            labels[key][entity["label"]] += int(entity.get("count", 1))
    _fold_surnames(counts, labels)
    merged = [
        (sum(names.values()), max(names.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0], key)
        for key, names in counts.items()
    ]
    merged.sort(key=lambda row: (-row[0], row[1]))
    return [
        {"name": name, "label": _top_label(labels[key]), "count": count}
        for count, name, key in merged[:top]
    ]


def _fold_surnames(counts: dict[str, dict[str, int]], labels: dict[str, dict[str, int]]) -> None:
    """Count "Putin" under "Vladimir Putin" when that is the only full name ending so."""
    people = [k for k in counts if " " in k and _top_label(labels[k]) == "PERSON"]
    for key in [k for k in counts if " " not in k and _top_label(labels[k]) == "PERSON"]:
        fuller = [p for p in people if p.endswith(" " + key)]
        if len(fuller) != 1:
            continue
        names = counts[fuller[0]]
        surface = max(names, key=names.__getitem__)
        names[surface] += sum(counts.pop(key).values())
        for label, count in labels.pop(key).items():
            labels[fuller[0]][label] += count


def _top_label(labels: dict[str, int]) -> str:
    return max(labels.items(), key=lambda kv: kv[1])[0]


def _topics(members: list[dict[str, Any]], *, top: int = 5) -> list[dict[str, Any]]:
    totals: dict[str, float] = defaultdict(float)
    names: dict[str, str] = {}
    for member in members:
        for topic in member.get("topics") or []:
            totals[topic["code"]] += float(topic["score"])
            names.setdefault(topic["code"], topic.get("label", topic["code"]))
    averaged = sorted((-round(total / len(members), 4), code) for code, total in totals.items())
    return [
        {"code": code, "label": names[code], "score": -negative}
        for negative, code in averaged[:top]
    ]


def _seen_times(members: list[dict[str, Any]]) -> list[datetime]:
    times = []
    for member in members:
        for stamp in (member.get("published_at"), member.get("ingested_at")):
            parsed = _parse(stamp)
            if parsed:
                times.append(parsed)
                break
    return times


def _parse(stamp: Any) -> datetime | None:
    if not isinstance(stamp, str):
        return None
    try:
        return _utc(datetime.fromisoformat(stamp))
    except ValueError:
        return None


def _utc(moment: datetime) -> datetime:
    # A naive time is taken to be UTC, the pipeline's only zone.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
