"""Generated event records for ``bench events``: a stream shaped like ``news.events.v1``.

Every text is made of pseudo-words from a fixed syllable list (no dataset text). Names are
drawn with a Zipf-like law, so a few entities appear in many events, as real names do. The
stream mixes new events, updates of recent ones (a higher version, more sources), and
re-sends of an older version, which a consumer must drop.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

SYLLABLES = (
    "ba", "ko", "ri", "tan", "mel", "dor", "vi", "sa", "lun", "pe", "gra", "to", "nel",
    "fi", "ur", "ost", "ka", "lem", "dra", "si", "mon", "ve", "hal", "quo",
)  # fmt: skip
TOPICS = (
    ("medtop:11000000", "politics"),
    ("medtop:04000000", "economy, business and finance"),
    ("medtop:15000000", "sport"),
    ("medtop:13000000", "science and technology"),
    ("medtop:01000000", "arts, culture, entertainment and media"),
    ("medtop:03000000", "disaster, accident and emergency incident"),
    ("medtop:07000000", "health"),
    ("medtop:16000000", "conflict, war and peace"),
)
LABELS = ("PERSON", "GPE", "ORG", "PERSON", "GPE", "NORP", "EVENT")
START = datetime(2026, 1, 1, tzinfo=UTC)
# share of records that update a recent event, and that re-send an older version
UPDATES, RESENDS = 0.25, 0.03


def word(rng: random.Random, syllables: int) -> str:
    """One pseudo-word."""
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables))


def hex_id(*parts: object) -> str:
    """A 24-hex id, as the pipeline's article and event ids."""
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:24]


class Vocabulary:
    """Words, names and outlets of one seeded run."""

    def __init__(self, rng: random.Random, *, words: int = 5000, names: int = 20000) -> None:
        self.words = [word(rng, rng.randint(1, 3)) for _ in range(words)]
        self.names = [
            (f"{word(rng, 2).title()} {word(rng, 3).title()}", rng.choice(LABELS))
            for _ in range(names)
        ]
        self.outlets = [f"The {word(rng, 2).title()} {word(rng, 2).title()}" for _ in range(60)]
        self._tables: dict[int, list[int]] = {}

    def zipf(self, rng: random.Random, items: list[Any]) -> Any:
        """An item drawn with weight ~ 1 / (rank + 50): index 0 is the most common.

        With the shift, the most common name is in ~5 % of events, not in most of them.
        """
        table = self._tables.get(len(items))
        if table is None:
            table = self._tables[len(items)] = _rank_table(len(items))
        return items[table[rng.getrandbits(16)]]

    def sentence(self, rng: random.Random, length: int) -> str:
        """Pseudo-words with a name in them, capitalised, with a full stop."""
        words = [self.zipf(rng, self.words) for _ in range(length)]
        words.insert(rng.randrange(len(words)), self.zipf(rng, self.names)[0])
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."


def _rank_table(size: int, shift: int = 50) -> list[int]:
    """65,536 ranks below ``size`` spread as 1 / (rank + shift), by inverting the CDF."""
    steps = 1 << 16
    return [
        min(int(shift * ((size + shift) / shift) ** ((k + 0.5) / steps)) - shift, size - 1)
        for k in range(steps)
    ]


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with +00:00, as the schemas require."""
    return moment.isoformat()


def event_record(vocab: Vocabulary, rng: random.Random, n: int, version: int) -> dict[str, Any]:
    """Version ``version`` of generated event ``n`` (the same n gives the same story)."""
    story = random.Random(n)  # the story's fixed parts
    first = START + timedelta(minutes=n)
    count = min(1 + version + story.randint(0, 2), 12)
    outlets = story.sample(vocab.outlets, 12)
    sources = [
        {
            "n": k + 1,
            "name": outlets[k],
            "url": f"https://www.site{k}.example/{n}/{k}",
            "article_id": hex_id("article", n, k),
            "published_at": iso(first + timedelta(minutes=17 * k)),
        }
        for k in range(min(count, 4))
    ]
    entities = [vocab.zipf(story, vocab.names) for _ in range(story.randint(5, 15))]
    topic = story.choice(TOPICS)
    record: dict[str, Any] = {
        "event_id": hex_id("event", n),
        "version": version,
        "title": vocab.sentence(story, story.randint(6, 10))[:-1],
        "summary": [
            {
                "text": vocab.sentence(story, story.randint(12, 22)),
                "sources": [1 + k % len(sources)],
            }
            for k in range(3)
        ],
        "sources": sources,
        "articles": [hex_id("article", n, k) for k in range(count)],
        "entities": [
            {"name": name, "label": label, "count": story.randint(1, 9)}
            for name, label in dict(entities).items()
        ],
        "topics": [{"code": topic[0], "label": topic[1], "score": round(story.random(), 4)}],
        "first_seen": iso(first),
        "last_seen": iso(first + timedelta(minutes=17 * (count - 1))),
        "article_count": count,
        "disagreements": [],
        "updated_at": iso(first + timedelta(minutes=20 * version)),
    }
    if len(sources) > 1 and story.random() < 0.1:
        record["disagreements"] = [
            {
                "field": "time",
                "description": "sources differ on the time of the arrival",
                "values": [
                    {"value": f"{story.randint(1, 12)} o'clock", "sources": [1]},
                    {"value": f"{story.randint(1, 12)} o'clock", "sources": [2]},
                ],
            }
        ]
    return record


def event_stream(total: int, *, seed: int = 11) -> Iterator[dict[str, Any]]:
    """``total`` event records: new events, updates of recent ones, stale re-sends.

    Args:
        total: records to yield.
        seed: the generator seed (the same seed gives the same stream).
    """
    rng = random.Random(seed)
    vocab = Vocabulary(rng)
    versions: list[int] = []  # version sent last, per event number
    for _ in range(total):
        roll = rng.random()
        if versions and roll < UPDATES:
            n = max(len(versions) - 1 - int(rng.expovariate(1 / 200)), 0)
            versions[n] += 1
            yield event_record(vocab, rng, n, versions[n])
        elif versions and roll < UPDATES + RESENDS:
            n = rng.randrange(len(versions))
            yield event_record(vocab, rng, n, max(versions[n] - 1, 1))
        else:
            versions.append(1)
            yield event_record(vocab, rng, len(versions) - 1, 1)


def article_rows(event: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Article records (the fields the service stores) for an event's members."""
    for k, article_id in enumerate(event["articles"]):
        yield {
            "article_id": article_id,
            "origin": {"topic": "news.raw.v1", "partition": 0, "offset": k},
            "event_id": event["event_id"],
            "duplicate_of": None,
            "duplicate_kind": None,
            "source": f"Outlet {k}",
            "title": event["title"],
            "url": f"https://www.site{k}.example/{event['event_id']}",
            "published_at": event["first_seen"],
            "ingested_at": event["first_seen"],
        }
