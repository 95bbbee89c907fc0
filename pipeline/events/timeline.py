"""Facts compared across an event's members: conflicts, and updates told apart from them.

Counts that grow as a story develops (killed, injured, missing, arrested, evacuated,
displaced) conflict only between sources published within `SAME_TIME` of each other; a
member without a trusted publication time cannot show that, so it never conflicts on them.
A later value that replaces an earlier one is an update: published more than `SAME_TIME`
later, or stated as a change ("the toll rose to 9"). Magnitudes conflict whatever the times
unless such an update explains them; days, times and places never change, so sources that
give different ones conflict. A source whose own counts cannot all be true, none of them given
by another source, tells of several incidents and takes no part in a conflict.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

from pipeline.events import counts

Fact = dict[str, Any]
Field = tuple[str, str]

SAME_TIME = timedelta(hours=1)
EVOLVING = frozenset({"killed", "injured", "missing", "arrested", "evacuated", "displaced"})
_MAX_REPORTS = 60  # members compared per fact (the first ones): bounds a big event's cost
_AFTERSHOCK_GAP = 1.0  # a magnitude this far under the main shock's is another tremor


@dataclass(slots=True)
class Report:
    """What one member says on one fact."""

    source: int
    time: datetime | None
    facts: list[Fact]


def reports_by_field(
    members: list[dict[str, Any]], numbers: list[int], facts: list[list[Fact]]
) -> dict[Field, list[Report]]:
    """Each fact's reports, one per member that states it (copies of an article left out).

    Args:
        members: member snapshots in arrival order.
        numbers: each member's source number.
        facts: each member's facts.
    """
    grouped: dict[Field, list[Report]] = defaultdict(list)
    for member, number, found in zip(members, numbers, facts, strict=True):
        if member.get("duplicate_of") or not found:
            continue
        time = published(member)
        by_field: dict[Field, list[Fact]] = defaultdict(list)
        for fact in found:
            by_field[(fact["kind"], fact["anchor"])].append(fact)
        for field, stated in by_field.items():
            if len(grouped[field]) < _MAX_REPORTS:
                grouped[field].append(Report(number, time, stated))
    if ("number", "magnitude") in grouped:
        grouped[("number", "magnitude")] = _main_shock(grouped[("number", "magnitude")])
    return grouped


def _main_shock(reports: list[Report]) -> list[Report]:
    """Magnitude reports without values far under the main shock's (aftershocks, tremors)."""
    sources: dict[float, set[int]] = defaultdict(set)
    for report in reports:
        for fact in report.facts:
            sources[fact["norm"]["n"]].add(report.source)
    shared = [n for n, given_by in sources.items() if len(given_by) > 1]
    floor = max(shared or sources) - _AFTERSHOCK_GAP
    kept = [
        Report(r.source, r.time, [f for f in r.facts if f["norm"]["n"] > floor]) for r in reports
    ]
    return [report for report in kept if report.facts]


def conflicting(
    field: Field,
    reports: list[Report],
    agree: Callable[[Fact, Fact, int, int], bool],
    *,
    named: Callable[[int], set[str]],
) -> list[Report]:
    """The reports that take part in a conflict on `field` (empty: none).

    Args:
        field: (kind, anchor).
        reports: the field's reports.
        agree: `agree(a, b, source_of_a, source_of_b)` for facts that are not counts.
        named: a source's lowered words (a magnitude it names is not one it disputes).
    """
    kind, anchor = field
    if kind == "number":
        several = _several_incidents(reports, anchor)
        reports = [r for r in reports if r.source not in several]
    involved: dict[int, Report] = {}
    for (i, a), (j, b) in combinations(enumerate(reports), 2):
        if a.source == b.source:
            continue
        if kind == "number":
            if not _counts_may_conflict(anchor, a, b):
                continue
            together = _counts_agree(anchor, a, b, named)
        else:
            together = any(agree(x, y, a.source, b.source) for x in a.facts for y in b.facts)
        if not together:
            involved[i], involved[j] = a, b
    return [involved[i] for i in sorted(involved)]


def _several_incidents(reports: list[Report], anchor: str) -> set[int]:
    """The sources whose counts cannot all be true and include none another source gives:
    they tell of several incidents (tremors, attacks, two stories in one event), so they are
    no evidence that sources disagree on one."""
    stated: dict[int, set[str]] = defaultdict(set)
    norms: dict[str, dict[str, Any]] = {}
    for report in reports:
        for fact in report.facts:
            if not fact.get("cue"):
                stated[report.source].add(_key(fact))
                norms[_key(fact)] = fact["norm"]
    several = set()
    for source, keys in stated.items():
        pairs = combinations(sorted(keys), 2)
        if not any(not counts.compatible(norms[x], norms[y], anchor=anchor) for x, y in pairs):
            continue
        if not any(keys & given for other, given in stated.items() if other != source):
            several.add(source)
    return several


def updates(field: Field, reports: list[Report]) -> list[dict[str, Any]]:
    """The values of a count in the order later reports replaced them ([] if none did).

    Args:
        field: ("number", anchor).
        reports: the field's reports.
    """
    anchor = field[1]
    facts = [(report, fact) for report in reports for fact in report.facts]
    steps = set()  # (earlier value, later value) with evidence that the later replaced it
    for (a, x), (b, y) in combinations(facts, 2):
        for (early, first), (late, second) in (((a, x), (b, y)), ((b, y), (a, x))):
            if _later(anchor, early, first, late, second):
                steps.add((_key(first), _key(second)))
    if not steps:
        return []
    replaced = {key for step in steps for key in step}
    values: dict[str, dict[str, Any]] = {}
    for report, fact in facts:
        key = _key(fact)
        if key not in replaced:
            continue
        entry = values.setdefault(key, {"fact": fact, "sources": set(), "time": None})
        entry["sources"].add(report.source)
        if report.time and (entry["time"] is None or report.time < entry["time"]):
            entry["time"] = report.time
    ordered = sorted(values.values(), key=lambda e: _order(e, anchor))
    chain = [ordered[0]]
    for entry in ordered[1:]:
        if (_key(chain[-1]["fact"]), _key(entry["fact"])) in steps:
            chain.append(entry)
    if len(chain) < 2:
        return []
    return [
        {
            "field": f"number:{anchor}",
            "value": entry["fact"]["value"],
            "sources": sorted(entry["sources"]),
            "first_reported_at": entry["time"].isoformat() if entry["time"] else None,
        }
        for entry in chain
    ]


def published(member: dict[str, Any]) -> datetime | None:
    """A member's trusted publication time (normalize keeps only trusted ones), or None.

    Args:
        member: a member snapshot.
    """
    stamp = member.get("published_at")
    if not isinstance(stamp, str):
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _counts_may_conflict(anchor: str, a: Report, b: Report) -> bool:
    apart = a.time - b.time if a.time and b.time else None
    if anchor in EVOLVING:
        return apart is not None and abs(apart) <= SAME_TIME
    return apart is None or abs(apart) <= SAME_TIME


def _counts_agree(anchor: str, a: Report, b: Report, named: Callable[[int], set[str]]) -> bool:
    stated_a = [f for f in a.facts if not f.get("cue")]
    stated_b = [f for f in b.facts if not f.get("cue")]
    if not stated_a or not stated_b:
        return True  # a report of a change is an update, never a conflict
    pairs = [(x["norm"], y["norm"]) for x in stated_a for y in stated_b]
    if any(counts.compatible(x, y, anchor=anchor) for x, y in pairs):
        return True
    if anchor == "magnitude":
        named_b, named_a = named(b.source), named(a.source)
        return any(_numeral(x) in named_b for x in stated_a) or any(
            _numeral(y) in named_a for y in stated_b
        )
    return False


def _later(anchor: str, early: Report, first: Fact, late: Report, second: Fact) -> bool:
    """Whether `second` (in `late`) is a later value that replaces `first` (in `early`)."""
    if not _replaces(first, second, anchor):
        return False
    if early.time and late.time:
        if late.time - early.time > SAME_TIME:
            return True
        if late.time < early.time:
            return False
    rising = anchor not in EVOLVING or second["norm"]["n"] > first["norm"]["n"]
    return bool(second.get("cue")) and not first.get("cue") and rising


def _replaces(first: Fact, second: Fact, anchor: str) -> bool:
    # Another figure that the first did not already allow; "three" after "at least three"
    # only restates it.
    if first["norm"]["n"] == second["norm"]["n"]:
        return False
    return counts.replaces(first["norm"], second["norm"], anchor=anchor)


def _order(entry: dict[str, Any], anchor: str) -> tuple[Any, ...]:
    time, fact = entry["time"], entry["fact"]
    # Without times, a stated change comes after what it changed, and a toll rises.
    untimed = (bool(fact.get("cue")), fact["norm"]["n"] if anchor in EVOLVING else 0.0)
    return (time is None, time or datetime.min.replace(tzinfo=UTC), *untimed)


def _key(fact: Fact) -> str:
    return f"{fact['norm']['n']}|{fact['norm'].get('q', 'exact')}"


def _numeral(fact: Fact) -> str:
    return str(fact["value"]).split()[-1].lower()
