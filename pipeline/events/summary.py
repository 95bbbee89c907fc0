"""Extractive event summaries: lead sentences of the members compete, near-identical
sentences of different sources merge into one, and a sentence cites every source that has a
sentence saying much the same (cosine of IDF-weighted content words). Only sentences compete:
never datelines, feed lines ("Posted at ...") or headline lines. Work is capped so that a big
event costs about as much as a mid-sized one: 16 members compete, with up to 6 sentences each
but 64 in all (so a 16-source event compares its sources' first four sentences).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from pipeline.events import titles
from pipeline.events.sentences import sentence_term_list
from pipeline.events.voice import stands_alone
from pipeline.nlp.truecase import restore_opening_caps

_SUMMARY_MEMBERS = 16  # members whose sentences compete for the summary
LEAD_SENTENCES = 6  # candidate sentences per competing member
# The rules of `lead_terms` and `solo_lead`: a snapshot's stored `terms` and `solo` count only
# when it was made under these (older ones are recomputed when the event is built).
LEAD_VERSION = 3
_SENTENCE_BUDGET = 64  # candidates of a many-source event: its members' first 4 or 5 sentences
_MERGE = 0.6  # cosine at which two sentences say the same thing
_SUPPORT = 0.3  # cosine at which another source backs a sentence up
_REDUNDANT = 0.45  # a summary never holds two sentences this close
_MEMO_MEMBERS = 8  # events with this many competing members keep their summary in the memo
_NOT_TOLD = (titles.NONE, titles.HEADLINE)  # kinds of line that never enter a summary
_OPENERS = "\"'“‘([ "  # what may stand before a sentence's first letter
_WORDS = re.compile(r"[^\W\d_][\w'’-]*")


@dataclass(slots=True)
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


@dataclass(slots=True)
class _Group:
    lead: _Sentence  # the wording shown: the earliest source's
    index: int
    support: set[int]
    centrality: float


def lead_terms(sentence: str) -> str:
    """A lead sentence's content terms, space-joined in first-occurrence order, or "" when the
    sentence cannot compete for the summary: too short, too long, too few terms, a dateline or
    "Posted at ..." line, a headline line (a subhead, a caption, the headline repeated at the
    top of a text: headlines title the event, the summary is told in sentences), the
    lower-case tail of a badly split sentence, a piece of a longer quotation or a columnist's
    first person (`pipeline.events.voice`)."""
    if not 5 <= len(sentence.split()) <= 60 or titles.kind(sentence) in _NOT_TOLD:
        return ""
    if _title_case(sentence):  # "Lindsay Lohan Checks Out Of Rehab...": a headline all the same
        return ""
    if sentence.lstrip(_OPENERS)[:1].islower():  # "have made an offer [...]": a split's tail
        return ""
    if not stands_alone(sentence):
        return ""
    terms = sentence_term_list(sentence)
    return " ".join(terms) if len(terms) >= 3 else ""


def _title_case(line: str) -> bool:
    words = _WORDS.findall(line)
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def summarize(
    event_id: str,
    members: list[dict[str, Any]],
    numbers: list[int],
    memo: MutableMapping[str, Any] | None,
) -> tuple[list[dict[str, Any]], dict[int, list[float]]]:
    """The summary and each competing member's sentence centralities (for the title).

    Both depend only on which members compete (their position, id and source number): a
    snapshot never changes once stored, so an unchanged set gives the memoized result.
    """
    chosen = _chosen(members, numbers)
    only = members[chosen[0]] if len(chosen) == 1 else {}
    if only.get("solo") is not None and only.get("lead_v") == LEAD_VERSION:
        # One competing source: its summary was picked when its snapshot was built.
        member, source = members[chosen[0]], numbers[chosen[0]]
        solo = [
            {"text": restore_opening_caps(member["sentences"][p]), "sources": [source]}
            for p in member["solo"]
        ]
        return solo, {}
    key = [[index, members[index].get("article_id"), numbers[index]] for index in chosen]
    kept = memo.get(event_id) if memo is not None else None
    if kept is not None and kept[0] == key:
        return kept[1], kept[2]
    sentences = _candidates(members, numbers, chosen)
    matrix, close = _score(sentences)
    summary = _summary(sentences, matrix, close)
    scores: dict[int, list[float]] = defaultdict(list)
    for sentence in sentences:
        scores[sentence.member].append(sentence.centrality)
    if memo is not None and len(chosen) >= _MEMO_MEMBERS:
        memo[event_id] = (key, summary, scores)
    return summary, scores


def competing(members: list[dict[str, Any]], numbers: list[int]) -> list[int]:
    """The members whose lead sentences compete for the summary (and whose headlines for the
    title), in arrival order.

    Args:
        members: member snapshots in arrival order.
        numbers: each member's source number.
    """
    return _chosen(members, numbers)


def _chosen(members: list[dict[str, Any]], numbers: list[int]) -> list[int]:
    """The members whose lead sentences compete for the summary, in arrival order."""
    originals = [i for i, m in enumerate(members) if not m.get("duplicate_of")]
    # One article per source first, so a chatty outlet cannot crowd the others out.
    firsts = {numbers[i]: i for i in reversed(originals)}
    chosen = sorted(firsts.values())
    chosen += [i for i in originals if i not in set(chosen)]
    return sorted(chosen[:_SUMMARY_MEMBERS])


def _candidates(
    members: list[dict[str, Any]], numbers: list[int], chosen: list[int]
) -> list[_Sentence]:
    # Sentence pairs grow with the square of the candidates; leads carry what sources share.
    lead = max(3, min(LEAD_SENTENCES, _SENTENCE_BUDGET // len(chosen)))
    sentences = [
        _Sentence(text, numbers[index], index, position, terms)
        for index in chosen
        for position, text, terms in _lead_sentences(members[index], lead)
    ]
    _weigh(sentences)
    return sentences


def _lead_sentences(member: dict[str, Any], lead: int) -> list[tuple[int, str, frozenset[str]]]:
    """(position, text, terms) of the first `lead` sentences that may enter the summary, from
    its first `LEAD_SENTENCES`; the terms come precomputed from the snapshot (`lead_terms`,
    built in the pool) when it was made under the current rules (`LEAD_VERSION`)."""
    texts = member.get("sentences", [])[:LEAD_SENTENCES]
    stored = member.get("terms") if member.get("lead_v") == LEAD_VERSION else None
    if stored is None:  # stored before these rules, or without terms: apply them now
        stored = [lead_terms(t) for t in texts]
    rows = [(p, t, frozenset(stored[p].split())) for p, t in enumerate(texts) if stored[p]]
    return rows[:lead]


def _weigh(sentences: list[_Sentence]) -> None:
    frequency = Counter(chain.from_iterable(sentence.terms for sentence in sentences))
    # Sums over term sets use fsum: exact, so set order (string hashing) cannot change a tie.
    # A term's weight depends only on how many sentences hold it: one log per count, not term.
    count = len(sentences)
    by_count = [0.0] + [math.log(1 + count / f) ** 2 for f in range(1, count + 1)]
    squares = {t: by_count[f] for t, f in frequency.items()}
    weight = squares.__getitem__
    for sentence in sentences:
        sentence.squares = squares
        sentence.norm = math.sqrt(math.fsum(map(weight, sentence.terms)))


def _cosine(a: _Sentence, b: _Sentence) -> float:
    # Terms are present or not, so the dot product is the sum of shared squared weights.
    shared = a.terms & b.terms
    return math.fsum(map(a.squares.__getitem__, shared)) / (a.norm * b.norm) if shared else 0.0


Matrix = list[list[float | None]]


def _similarity(sentences: list[_Sentence], matrix: Matrix, a: int, b: int) -> float:
    """The cosine of two sentences: from `_score`'s matrix when it was computed there."""
    value = matrix[a][b]
    return _cosine(sentences[a], sentences[b]) if value is None else value


def _score(sentences: list[_Sentence]) -> tuple[Matrix, list[set[int]]]:
    """Fill each sentence's best match in every other source, its support and centrality;
    return the cosines computed (cross-source pairs) and, per sentence, those at `_MERGE`."""
    count = len(sentences)
    matrix: Matrix = [[None] * count for _ in range(count)]
    close: list[set[int]] = [set() for _ in range(count)]
    for i, a in enumerate(sentences):
        a.support = {a.source}
        # `_cosine` inlined (same expression, same rounding): this loop is the build's hot spot.
        terms, norm, best, source, row = a.terms, a.norm, a.best, a.source, matrix[i]
        weight = a.squares.__getitem__
        for j in range(i + 1, count):
            b = sentences[j]
            if source != b.source:
                shared = terms & b.terms
                if not shared:  # nothing in common: no support, no best match
                    row[j] = matrix[j][i] = 0.0
                    continue
                similarity = math.fsum(map(weight, shared)) / (norm * b.norm)
                row[j] = matrix[j][i] = similarity
                if similarity >= _MERGE:
                    close[i].add(j)
                    close[j].add(i)
                if similarity > best.get(b.source, (0.0, -1))[0]:
                    best[b.source] = (similarity, j)
                if similarity > b.best.get(source, (0.0, -1))[0]:
                    b.best[source] = (similarity, i)
    others = max(1, len({s.source for s in sentences}) - 1)
    for sentence in sentences:
        sentence.support.update(n for n, (sim, _) in sentence.best.items() if sim >= _SUPPORT)
        sentence.centrality = sum(sim for sim, _ in sentence.best.values()) / others
    return matrix, close


def _claims(sentences: list[_Sentence], close: list[set[int]]) -> list[set[int]]:
    """For each sentence, the sentences of other sources that say the same thing: very close,
    or each other's best match and close enough to count as support (a symmetric relation)."""
    claims = [set(found) for found in close]
    for i, sentence in enumerate(sentences):
        for similarity, j in sentence.best.values():
            if similarity >= _SUPPORT and sentences[j].best[sentence.source][1] == i:
                claims[i].add(j)
    return claims


def solo_lead(member: dict[str, Any]) -> list[int]:
    """Positions of the sentences that summarize `member` alone (kept in its snapshot, so an
    event with one source skips the summary's work: `summarize` gives the same).

    Args:
        member: a member snapshot (`sentences`, and `terms` when precomputed).
    """
    sentences = _candidates([member], [1], [0])
    return [group.lead.position for group in _picked(sentences, *_score(sentences))]


def _summary(
    sentences: list[_Sentence], matrix: Matrix, close: list[set[int]]
) -> list[dict[str, Any]]:
    picked = _picked(sentences, matrix, close)
    return [
        {"text": restore_opening_caps(g.lead.text), "sources": sorted(g.support)} for g in picked
    ]


def _picked(sentences: list[_Sentence], matrix: Matrix, close: list[set[int]]) -> list[_Group]:
    """The groups that make the summary, in the articles' order."""
    groups = _merge(sentences, _claims(sentences, close))
    groups.sort(key=lambda g: (-len(g.support), -g.centrality, g.lead.position, g.lead.member))
    # What several sources share, plus room for two single-source details.
    wanted = min(6, max(3, sum(1 for g in groups if len(g.support) > 1) + 2))
    picked: list[_Group] = []
    for group in groups:
        if len(picked) == wanted:
            break
        if all(
            _similarity(sentences, matrix, group.index, other.index) < _REDUNDANT
            for other in picked
        ):
            picked.append(group)
    # News puts what matters first; keep the articles' own order.
    picked.sort(key=lambda g: (g.lead.position, g.lead.source, g.lead.member))
    return picked


def _merge(sentences: list[_Sentence], claims: list[set[int]]) -> list[_Group]:
    """Fold sentences of different sources that say the same thing into one, citing them all."""
    groups: list[_Group] = []
    lead_of: dict[int, int] = {}  # lead sentence -> its group's position (creation order)
    order = sorted(
        range(len(sentences)),
        key=lambda i: (sentences[i].source, sentences[i].member, sentences[i].position),
    )
    for index in order:
        sentence = sentences[index]
        # The earliest group whose lead says the same thing.
        claimed = claims[index]
        found = (
            min(map(lead_of.__getitem__, claimed & lead_of.keys()), default=None)
            if claimed
            else None
        )
        home = None if found is None else groups[found]
        if home:
            home.support.update(sentence.support)
            home.centrality = max(home.centrality, sentence.centrality)
        else:
            lead_of[index] = len(groups)
            groups.append(_Group(sentence, index, set(sentence.support), sentence.centrality))
    return groups
