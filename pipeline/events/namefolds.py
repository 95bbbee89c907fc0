"""The ways sources name one person or team, folded into one entity line.

Sources name one person several ways, and the small NER model labels a bare surname as it
likes ("Teixeira" ORG, "Klitschko" NORP). Person names fold into one line:
- a full name into the fuller form it is part of: "Mark Felt" into "W. Mark Felt", "Brian
  Nichols" into "Brian G. Nichols", "Lo Presti" into "Gaetano Lo Presti", "Fred LaRue" into
  "Frederick Cheney LaRue" (short forms and spellings of a given name count as it:
  `pipeline.events.givennames`); of two with the same words but for initials, a suffix or
  such a form ("Arcade Comeaux", "Arcade Comeaux Jr."; "Katie Jenkin", "Kathryn Jenkin"),
  the less mentioned into the more;
- a lone surname into the full name that ends with it ("Putin" into "Vladimir Putin"), or a
  lone first name into the one that starts with it ("Lindsay" into "Lindsay Lohan"), when
  that name holds at least two thirds of the mentions of all such names (a stray "RB Bush"
  beside "Reggie Bush" does not block it). A surname labelled ORG, NORP or a place folds
  into a name labelled PERSON and counts as the person ("Teixeira" ORG, "Palin" GPE); a
  first name must be labelled PERSON, and a place the gazetteer knows, never labelled a
  person, never folds ("Washington" beside "Denzel Washington").
An organisation's short name folds the same way into the longer name it ends ("Saints" into
"New Orleans Saints"), and the line shows the form the sources use most.
"""

from __future__ import annotations

import functools

from pipeline.events.givennames import given_name
from pipeline.nlp.aliases import gazetteer_places

_PERSON = "PERSON"
_ORG = "ORG"
_PLACES = frozenset({"GPE", "LOC", "FAC"})
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# words that open a surname of two or more ("Lo Presti", "van Gogh", "de la Hoya")
_PARTICLES = frozenset({"lo", "la", "le", "de", "del", "della", "di", "da", "du", "van", "von"})
# words that join two names or a headline's words, never open an organisation's name
_LINKING = frozenset({"and", "or", "of", "for", "on", "in", "at", "to", "the", "a", "an", "with"})
_LINKING |= frozenset({"by", "from", "all", "as", "after", "over", "into", "&"})
_DOMINANT = 2 / 3  # share of the matching full names' mentions the folded-into name must hold

Counts = dict[str, dict[str, int]]  # key -> surface name or label -> mentions


def top_label(labels: dict[str, int]) -> str:
    """The most mentioned label, the first seen of equals.

    Args:
        labels: label -> mentions, in order of first mention.
    """
    if len(labels) == 1:  # most entities carry one label
        return next(iter(labels))
    return max(labels.items(), key=lambda kv: kv[1])[0]


def fold_names(counts: Counts, labels: Counts) -> None:
    """Fold the ways one person is named into one key (see the module docstring).

    Args:
        counts: key -> surface name -> mentions; changed in place.
        labels: key -> label -> mentions; changed in place.
    """
    # a name the model sometimes calls PERSON ("Bettie Page" ORG 31, PERSON 6) is one too
    fulls = [
        k
        for k, kinds in labels.items()
        if _PERSON in kinds
        and " " in k
        and (len(kinds) == 1 or top_label(kinds) not in _PLACES)
        and _name_words(k)
    ]
    if not fulls:
        return
    core = {k: _core(k) for k in fulls}
    persons = {k for k in fulls if top_label(labels[k]) == _PERSON}
    by_last: dict[str, list[str]] = {}
    for key in fulls:  # in first-mention order: no set order reaches the output
        if key in persons:
            by_last.setdefault(core[key][-1], []).append(key)
    into: dict[str, str] = {}
    for short, full in _fuller_forms(by_last, core, counts):
        while full in into:  # its fuller form was folded already: follow it
            full = into[full]
        if full != short:
            into[short] = full
            _fold(short, full, counts, labels)
    ends: dict[str, list[str]] = {}
    starts: dict[str, list[str]] = {}
    for key in fulls:
        if key in counts:
            ends.setdefault(core[key][-1], []).append(key)
            starts.setdefault(core[key][0], []).append(key)
    for word in [k for k in counts if (k in ends or k in starts) and " " not in k]:
        target = _name_owner(word, ends, starts, persons, counts, labels)
        if target is not None:
            _fold(word, target, counts, labels)


def fold_organisations(counts: Counts, labels: Counts) -> None:
    """Fold an organisation's short name into the longer one it ends ("Saints" into "New
    Orleans Saints", "Sox" into "Red Sox" into "Boston Red Sox"), when that name holds
    `_DOMINANT` of the mentions of all organisations ending so.

    Args:
        counts: key -> surface name -> mentions; changed in place.
        labels: key -> label -> mentions; changed in place.
    """
    orgs = [k for k, kinds in labels.items() if _ORG in kinds and top_label(kinds) == _ORG]
    last = {k: k.rpartition(" ")[2] for k in orgs}
    by_last: dict[str, list[str]] = {}
    for key in orgs:
        if " " in key:
            by_last.setdefault(last[key], []).append(key)
    if not by_last:
        return
    shorts = sorted((k for k in orgs if last[k] in by_last), key=lambda k: (k.count(" "), k))
    for short in shorts:
        ending = [
            k
            for k in by_last[last[short]]
            if k != short
            and k in counts
            and k.endswith(" " + short)
            and sum(counts[k].values()) > 1  # "Microsoft Patches IE" once: a headline's words
            and _names_before(k, short)
        ]
        owner = _dominant(ending, counts)
        if owner is not None:
            _fold(short, owner, counts, labels, as_person=False)


def _name_words(key: str) -> bool:
    # "yukos - to", a span the model read across a dash, is no name to fold others into
    return all(word[:1].isalpha() and word not in _LINKING for word in key.split())


def _names_before(longer: str, short: str) -> bool:
    """Whether the words before `short` in `longer` can be part of a name ("new orleans", not
    "microsoft launches emergency patch for", "interior and")."""
    before = longer[: -len(short)].split()
    return not any(word in _LINKING or word.endswith(",") for word in before)


def _fuller_forms(
    by_last: dict[str, list[str]], core: dict[str, tuple[str, ...]], counts: Counts
) -> list[tuple[str, str]]:
    """(name, the fuller form it folds into), shortest names first: the name's words, less
    initials and suffixes, are in order within other names' that all end in one, with the same
    last word and the same first name or a short form of it ("mark felt" in "w. mark felt",
    "mark heller" in "mark jay heller", "fred larue" in "frederick cheney larue"), or end them
    ("lo presti" in "gaetano lo presti")."""
    pairs = []
    for same_last in by_last.values():
        if len(same_last) < 2:
            continue
        size = {k: sum(counts[k].values()) for k in same_last}
        ordered = sorted(same_last, key=lambda k: (len(core[k]), size[k], k))
        options: dict[str, list[str]] = {}
        for short in ordered:
            words = core[short]
            if len(words) < 2:
                continue
            options[short] = [
                k
                for k in same_last
                if k != short
                and (
                    (
                        given_name(core[k][0]) == given_name(words[0])
                        and _in_order(words[1:], core[k][1:])
                    )
                    or (words[0] in _PARTICLES and core[k][-len(words) :] == words)
                )
                and (len(core[k]), size[k], k) > (len(words), size[short], short)
            ]
        # Fuller forms come later in `ordered`: where each ends up is known first. A name folds
        # when all its fuller forms end in one ("Frederick C. LaRue" and "Fred LaRue" both in
        # "Frederick Cheney LaRue").
        root: dict[str, str] = {}
        for short in reversed(ordered):
            ends_in = {root[k] for k in options.get(short, [])}
            root[short] = ends_in.pop() if len(ends_in) == 1 else short
        pairs += [(short, root[short]) for short in ordered if root[short] != short]
    return sorted(pairs, key=lambda pair: (len(core[pair[0]]), pair[0]))


@functools.lru_cache(maxsize=65536)
def _core(key: str) -> tuple[str, ...]:
    """A name's words without initials ("w."), suffixes ("jr.") or quote marks."""
    words = [w.strip("\"'“”‘’,") for w in key.split()]
    return tuple(w for w in words if len(w.rstrip(".")) > 1 and w not in _SUFFIXES) or (key,)


def _in_order(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
    remaining = iter(whole)
    return all(word in remaining for word in part)


def _name_owner(
    word: str,
    ends: dict[str, list[str]],
    starts: dict[str, list[str]],
    persons: set[str],
    counts: Counts,
    labels: Counts,
) -> str | None:
    """The full name a lone word stands for: by its surname, or failing that its first name,
    the dominant one. A word the model did not call a person joins only a name it did, and
    only as a surname ("Teixeira" ORG: yes; "Windows" into "Windows Server", "Nationals" into
    "Washington Nationals": no)."""
    kinds = labels[word]
    person = top_label(kinds) == _PERSON
    place = _PERSON not in kinds and top_label(kinds) in _PLACES
    if place and word in gazetteer_places():
        return None  # "Washington" the place beside "Denzel Washington"
    named = ends.get(word, [])
    if not person:
        return _dominant([k for k in named if k in persons], counts)
    return _dominant(named or starts.get(word, []), counts)


def _dominant(keys: list[str], counts: Counts) -> str | None:
    """The most mentioned key, when it holds `_DOMINANT` of all their mentions."""
    if not keys:
        return None
    mentions = {k: sum(counts[k].values()) for k in keys}
    best = max(keys, key=lambda k: (mentions[k], k))
    return best if mentions[best] >= _DOMINANT * sum(mentions.values()) else None


def _fold(short: str, full: str, counts: Counts, labels: Counts, *, as_person: bool = True) -> None:
    """Count `short`'s mentions under `full`: a person's under its usual surface name, and
    its other labels as PERSON; an organisation's under their own names, so that the
    form the sources use most is shown ("Red Sox" over "Boston Red Sox")."""
    names = counts[full]
    if as_person:
        surface = max(names, key=names.__getitem__)
        names[surface] += sum(counts.pop(short).values())
    else:
        for name, count in counts.pop(short).items():
            names[name] = names.get(name, 0) + count
    kinds = labels[full]
    for label, count in labels.pop(short).items():
        # a surname the model labelled ORG, NORP or a place is the person all the same
        label = _PERSON if as_person else label
        kinds[label] = kinds.get(label, 0) + count
