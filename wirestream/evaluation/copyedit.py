"""Copy-editing a wire story the way a newsroom does, for the duplicate evaluation.

Each edit kind takes (title, text) and a seeded random source and returns the edited
(title, text). Word edits pick exactly round(rate x words) positions, spread at random over
the body (the hardest case for word shingles); each is cut, changed to another word, or
followed by an inserted word. The inserted, replacing and appended words are this module's
own; no text of any data set is kept here.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

# Words a desk inserts or swaps in: hedges, attributions, connectives, time words.
EDITOR_WORDS = (
    "also",
    "now",
    "reportedly",
    "later",
    "nearly",
    "about",
    "around",
    "officials",
    "says",
    "told",
    "after",
    "while",
    "new",
    "former",
    "local",
    "major",
    "still",
    "already",
    "however",
    "earlier",
    "some",
    "many",
    "recent",
    "further",
)
TOWNS = ("Harwick", "Lenmouth", "Calder Bay", "Oswin Falls", "Marlow Cross", "Tenby Vale")
LOCAL_PARAGRAPHS = (
    "In {town}, council members said they would discuss what the news means for the area at "
    "their next public meeting, and several shop owners on the high street said they were "
    "following the story closely.",
    "Readers in {town} can follow further updates on our website. A spokesperson for the "
    "{town} chamber of commerce said local firms had not yet been contacted and would wait "
    "for more details before commenting.",
    "The story drew questions at a community event in {town} on the same evening, where "
    "residents asked whether any local services or jobs would be affected. Organisers "
    "promised a fuller briefing next week.",
)
HEADLINE_FORMS = (
    "{title} - latest",
    "What we know: {title}",
    "{title}, reports say",
    "UPDATE: {title}",
)
CITIES = ("LONDON", "NEW YORK", "SINGAPORE", "NAIROBI", "SYDNEY", "TORONTO")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
_SAID = re.compile(r"^(.{3,80}?) (said|says|told reporters|added) (?:that )?(.{12,})$")
_PARAGRAPHS = re.compile(r"\n\s*\n")

Edit = Callable[[str, str, random.Random], tuple[str, str]]


def paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs of a body (blank-line separated; single lines when there are none).

    Args:
        text: the body.
    """
    parts = [p.strip() for p in _PARAGRAPHS.split(text) if p.strip()]
    if len(parts) == 1:
        parts = [p.strip() for p in text.splitlines() if p.strip()]
    return parts


def edit_words(text: str, rate: float, rng: random.Random) -> str:
    """Cut, change or insert after exactly round(rate x words) of the body's words.

    Args:
        text: the body.
        rate: share of words edited.
        rng: random source.
    """
    blocks = [block.split() for block in paragraphs(text)]
    places = [(b, w) for b, block in enumerate(blocks) for w in range(len(block))]
    chosen = set(rng.sample(places, round(rate * len(places))))
    edited = []
    for b, block in enumerate(blocks):
        out: list[str] = []
        for w, token in enumerate(block):
            if (b, w) not in chosen:
                out.append(token)
                continue
            action = rng.random()
            if action < 0.4:  # cut
                continue
            if action < 0.8:  # changed: the replacement keeps the word's trailing punctuation
                tail = token[len(token.rstrip(".,;:!?\"')")) :]
                out.append(_replacement(block, rng) + tail)
            else:  # a word inserted after it
                out += [token, rng.choice(EDITOR_WORDS)]
        edited.append(" ".join(out))
    return "\n\n".join(p for p in edited if p)


def _replacement(block: list[str], rng: random.Random) -> str:
    """Another word: a desk's word, or one from the same paragraph."""
    if rng.random() < 0.5:
        return rng.choice(EDITOR_WORDS)
    return rng.choice(block).strip(".,;:!?\"'()")


def reorder_clauses(text: str, rng: random.Random, *, share: float = 0.5) -> str:
    """Turn "X said Y." into "Y, X said." and "A, B." into "B, A." in a share of sentences.

    Args:
        text: the body.
        rng: random source.
        share: chance that a sentence is rewritten.
    """
    out = []
    for paragraph in paragraphs(text):
        sentences = _SENTENCE.split(paragraph)
        out.append(" ".join(_reordered(s) if rng.random() < share else s for s in sentences))
    return "\n\n".join(out)


def _reordered(sentence: str) -> str:
    body, stop = (sentence[:-1], sentence[-1]) if sentence[-1:] in ".!?" else (sentence, ".")
    said = _SAID.match(body)
    if said:
        who, verb, what = said.groups()
        return f"{what[:1].upper()}{what[1:]}, {who[:1].lower()}{who[1:]} {verb}{stop}"
    head, comma, tail = body.partition(", ")
    if comma and len(tail.split()) >= 3:
        return f"{tail[:1].upper()}{tail[1:]}, {head[:1].lower()}{head[1:]}{stop}"
    return sentence


def local_paragraph(title: str, text: str, rng: random.Random) -> tuple[str, str]:
    """The story with a paragraph of local reaction appended."""
    extra = rng.choice(LOCAL_PARAGRAPHS).format(town=rng.choice(TOWNS))
    return title, f"{text.rstrip()}\n\n{extra}"


def new_lead(title: str, text: str, rng: random.Random) -> tuple[str, str]:
    """A new headline, and the first paragraph rewritten under a dateline (a third of its
    words edited, its clauses turned round)."""
    parts = paragraphs(text)
    lead = reorder_clauses(edit_words(parts[0], 0.35, rng), rng, share=1.0)
    parts[0] = f"{rng.choice(CITIES)} - {lead}"
    return rng.choice(HEADLINE_FORMS).format(title=title), "\n\n".join(parts)


def words5(title: str, text: str, rng: random.Random) -> tuple[str, str]:
    """One word in twenty cut, changed or followed by another."""
    return title, edit_words(text, 0.05, rng)


def words10(title: str, text: str, rng: random.Random) -> tuple[str, str]:
    """One word in ten cut, changed or followed by another."""
    return title, edit_words(text, 0.10, rng)


def clauses(title: str, text: str, rng: random.Random) -> tuple[str, str]:
    """Clauses turned round in half of the sentences."""
    return title, reorder_clauses(text, rng)


def mixed(title: str, text: str, rng: random.Random) -> tuple[str, str]:
    """A full desk edit: new headline and lead, one word in twenty edited, the last one or
    two sentences cut, a local paragraph appended."""
    title, text = new_lead(title, text, rng)
    head, *rest = paragraphs(text)
    if rest:
        sentences = _SENTENCE.split(rest[-1])
        rest[-1] = " ".join(sentences[: max(1, len(sentences) - rng.randint(1, 2))])
        body = edit_words("\n\n".join(rest), 0.05, rng)
        text = f"{head}\n\n{body}"
    return local_paragraph(title, text, rng)


def exact(title: str, text: str, rng: random.Random) -> tuple[str, str]:
    """The same body under another headline (a content-hash duplicate)."""
    return rng.choice(HEADLINE_FORMS).format(title=title), text


EDITS: dict[str, Edit] = {
    "words5": words5,
    "words10": words10,
    "clauses": clauses,
    "local": local_paragraph,
    "lead": new_lead,
    "mixed": mixed,
    "exact": exact,
}
