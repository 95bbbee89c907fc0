"""A seeded generator of hostile raw inputs: one line per record, a family name per line.

Every line is what a careless or malicious producer could put on ``news.raw.v1``: broken
bytes, broken JSON, wrong types, huge or empty fields, markup tricks, bad URLs and dates,
plus a share of valid articles so the good path (NLP, clustering) runs too. Lines never hold
a raw ``\\n`` and are never blank, so ``read_lines`` returns exactly one input per line.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Family = Callable[[random.Random], bytes]

GOOD = "good"
HUGE = "huge_10mb"
HUGE_BYTES = 10 * 1024 * 1024
DEEP_MIN = 10_000
# Families whose outcome does not depend on the random draw.
EXPECTED_REASON = {
    "invalid_utf8": "invalid_utf8",
    "overlong_utf8": "invalid_utf8",
    "surrogate_bytes": "invalid_utf8",
    "deep_json": "invalid_json",
    "escaped_surrogate": "invalid_json",
    "nan_infinity": "invalid_json",
    "truncated_json": "invalid_json",
    "raw_control_chars": "invalid_json",
    "not_an_object": "schema_violation",
    "wrong_types": "schema_violation",
    "deep_html": "markup_too_deep",
    "over_max_body_chars": "too_large",
    "over_max_bytes": "too_large",
    HUGE: "too_large",
}

_PLACES = ("Eastgate", "Larkspur", "Norvale", "Port Aster", "Kestrel Bay", "Ouberg", "Tamsin")
_PEOPLE = ("Miriam Okafor", "Jonas Velde", "Priya Raman", "Tomas Ek", "Ada Lindqvist", "Rui Sato")
_ORGS = ("the Harbour Authority", "Velde Rail", "the city council", "Aster Water", "Norvale Bank")
_OUTLETS = ("harbortimes", "norvale-post", "kestrel-daily", "aster-wire", "ouberg-herald")
_STORIES = (
    (
        "{org} approves {n} million plan for {place} waterfront",
        "{org} voted on {day} to spend {n} million on the {place} waterfront. "
        "{person} said the work would start next spring and take two years. "
        "Residents asked for more green space and a safer crossing near the ferry pier.",
    ),
    (
        "Storm cuts power to {n} thousand homes in {place}",
        "A storm brought down lines across {place} late on {day}. "
        "{org} said crews had restored power to most streets by the morning. "
        "{person} asked drivers to avoid the coast road while trees are cleared.",
    ),
    (
        "{person} named head of {org}",
        "{org} appointed {person} as its new chief on {day}. "
        "The board said the choice followed a search that lasted {n} weeks. "
        "{person} previously ran the port of {place} and will start in January.",
    ),
    (
        "{place} school opens new science wing",
        "Pupils in {place} moved into a new science wing on {day}. "
        "The building cost {n} million and was paid for by {org}. "
        "Head teacher {person} said the labs would also be open to evening classes.",
    ),
    (
        "Rail strike in {place} enters day {n}",
        "Trains between {place} and the capital stayed in their depots on {day}. "
        "Talks between the union and {org} broke off without a date to meet again. "
        "{person}, a commuter, said the trip to work now takes twice as long.",
    ),
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_FIELDS = ("url", "title", "body", "published_at", "source", "language", "authors", "id")
# Values of a type `raw_article.v1` does not allow for the field (bool is not a number there).
_WRONG_TYPES: dict[str, tuple[Any, ...]] = {
    "url": (0, 3.5, True, None, [], {}, ["https://x.example/a"]),
    "title": (0, True, None, [], {"t": "x"}, ["a title"]),
    "body": (0, 2.5, False, None, [], {"p": "x"}),
    "published_at": (True, False, [], {}, ["2025-01-01"]),
    "authors": ("Jo Smith", 5, {"name": "x"}, [1, None], [["a"]]),
    "id": (1.5, True, [], {}),
    "source": (0, True, [], {"n": "x"}),
    "language": (1, False, ["en"], {}),
}
_BAD_URLS = (
    "javascript:alert(1)",
    "ftp://files.example/a",
    "http://",
    "https://",
    "http:///path",
    "http://:80/a",
    "http://host.example:99999/a",
    "http://host.example:-1/a",
    "http://host.example:port/a",
    "http://user:pass@host.example/a",
    "http://@/a",
    "http://xn--/a",
    "http://xn--zz-zzzz.example/a",
    "http://例え.テスト/記事",
    "http://[::1/a",
    "http://[zz::1]/a",
    "http://256.256.256.256/a",
    "http://-bad-.example/",
    "http://a..b.example/",
    "http://" + "a" * 300 + ".example/",
    "http://host .example/a",
    "https://host.example/" + "%" * 50,
    "http://\u202ehost.example/a",
    "http://h\u200bost.example/",
    "HTTP://HOST.EXAMPLE/A?utm_source=x#frag",
    "http://host.example/\x00a",
    "http://0x7f.1/",
)
_BAD_DATES: tuple[Any, ...] = (
    "2999-01-01T00:00:00Z",
    "0000-00-00",
    "9999-99-99T99:99:99",
    "-1",
    "yesterday",
    "",
    "2026-02-30T10:00:00",
    "Mon, 32 Foo 2024 25:61:00 +9999",
    "1e20",
    1e20,
    -1e20,
    1e308,
    -62135596800,
    253402300800,
    10**18,
    0,
    "NaN",
    "Infinity",
    "2024-06-01T12:00:00+25:00",
    "\u0661\u0669\u0669\u0660-01-01",
    "1899-12-31",
    "   ",
    "2024-06-01\x00",
    "T",
)
_INVALID_UTF8 = (
    b"\xff",
    b"\xfe",
    b"\x80",
    b"\xbf\xbf",
    b"\xc3",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    b"\xf8\x88\x80\x80\x80",
    b"\xfc\x84\x80\x80\x80\x80",
    b"\xf4\x90\x80\x80",
    b"\xc3\x28",
)
_OVERLONG = (b"\xc0\x80", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf", b"\xc1\xbf")
_SURROGATE_BYTES = (b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xed\xa0\xbd\xed\xb8\x80")
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
_CONTROLS = "".join(chr(c) for c in (*range(0, 9), 11, 12, *range(14, 32), *range(127, 160)))
_SCRIPT = (
    "<script>document.write('<p>injected</p>')</script>",
    "<script src=//evil.example/x.js></script>",
    "<style>p{display:none}</style>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<svg><script>alert(1)</script></svg>",
    "<!-- <p>hidden comment</p> -->",
    "<script>/*</script><p>after</p>",
    "<noscript><p>enable js</p></noscript>",
    "<p>unclosed <b>bold <i>italic",
)
_ENTITIES = (
    "&amp;",
    "&lt;script&gt;",
    "&#0;",
    "&#x0;",
    "&#x110000;",
    "&#xD800;",
    "&#55296;",
    "&nbsp;",
    "&#8203;",
    "&zwj;",
    "&notanentity;",
    "&amp;amp;amp;",
    "&#99999999999;",
    "&",
    "&#",
    "&#x;",
    "&rlo;",
    "&#x202e;",
)


def _story(rng: random.Random) -> tuple[str, str]:
    title, body = rng.choice(_STORIES)
    slots = {
        "place": rng.choice(_PLACES),
        "person": rng.choice(_PEOPLE),
        "org": rng.choice(_ORGS),
        "day": rng.choice(_DAYS),
        "n": str(rng.randint(2, 900)),
    }
    return title.format(**slots), body.format(**slots)


def story_article(rng: random.Random, **fields: Any) -> dict[str, Any]:
    """A valid raw article told from the generator's templates; ``fields`` replace its own.

    Args:
        rng: the random source.
        fields: field values to set.
    """
    title, body = _story(rng)
    outlet = rng.choice(_OUTLETS)
    record = {
        "id": f"h{rng.getrandbits(40):010x}",
        "url": f"https://www.{outlet}.example/news/{rng.getrandbits(48):012x}",
        "title": title,
        "body": f"<p>{body}</p>" if rng.random() < 0.5 else body,
        "source": outlet.replace("-", " ").title(),
        "published_at": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
        "language": "en",
        "authors": [rng.choice(_PEOPLE)],
    }
    record.update(fields)
    return record


def _dump(record: Any, rng: random.Random) -> bytes:
    # ensure_ascii=True escapes everything (lone surrogates too); False writes raw UTF-8.
    return json.dumps(record, ensure_ascii=rng.random() < 0.5).encode("utf-8")


def _splice(data: bytes, insert: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + insert + data[at:]


def good(rng: random.Random) -> bytes:
    """A valid, realistic article (own text)."""
    return _dump(story_article(rng), rng)


def invalid_utf8(rng: random.Random) -> bytes:
    """A valid article with invalid UTF-8 sequences spliced in."""
    data = _dump(story_article(rng), rng)
    for _ in range(rng.randint(1, 3)):
        data = _splice(data, rng.choice(_INVALID_UTF8), rng)
    return data


def overlong_utf8(rng: random.Random) -> bytes:
    """Overlong encodings of ASCII (``/``, NUL) inside a string."""
    data = _dump(story_article(rng), rng)
    return data.replace(b'"title": "', b'"title": "' + rng.choice(_OVERLONG), 1)


def surrogate_bytes(rng: random.Random) -> bytes:
    """UTF-16 surrogates encoded as 3-byte sequences (CESU-8), which UTF-8 forbids."""
    data = _dump(story_article(rng), rng)
    return data.replace(b'"body": "', b'"body": "' + rng.choice(_SURROGATE_BYTES), 1)


def escaped_surrogate(rng: random.Random) -> bytes:
    """Lone surrogate escapes such as ``"\\ud800"`` in a JSON string."""
    field = rng.choice(("title", "body", "source", "url"))
    record = story_article(rng)
    record[field] = str(record[field]) + rng.choice(("\ud800", "\udfff", "\udc00x", "\ud83d"))
    return json.dumps(record).encode("ascii")


def truncated_json(rng: random.Random) -> bytes:
    """A valid article cut short."""
    data = _dump(story_article(rng), rng)
    return data[: rng.randrange(1, len(data) - 1)]


def deep_json(rng: random.Random) -> bytes:
    """Arrays or objects nested 10,000+ deep, alone or under an article field."""
    depth = rng.randint(DEEP_MIN, 2 * DEEP_MIN)
    opener, closer = rng.choice(((b"[", b"]"), (b'{"a":', b"}"), (b'[{"k":', b"}]")))
    nested = opener * depth + b"1" + closer * depth * rng.choice((0, 1))
    if rng.random() < 0.5:
        return nested
    return _dump(story_article(rng), rng)[:-1] + b', "extra": ' + nested + b"}"


def nan_infinity(rng: random.Random) -> bytes:
    """``NaN`` / ``Infinity`` literals, which JSON does not have."""
    literal = rng.choice((b"NaN", b"Infinity", b"-Infinity", b"nan", b"inf"))
    data = _dump(story_article(rng, published_at=0), rng)
    return data.replace(b'"published_at": 0', b'"published_at": ' + literal, 1)


def huge_numbers(rng: random.Random) -> bytes:
    """Integers and floats far outside 64 bits in date and id fields."""
    value = rng.choice(("9" * 400, "1e308", "-1e308", "1e-400", str(2**70), str(-(2**64)), "-0"))
    record = _dump(story_article(rng, published_at=0, id=0), rng)
    field = rng.choice((b'"published_at": 0', b'"id": 0'))
    return record.replace(field, field[:-1] + value.encode(), 1)


def wrong_types(rng: random.Random) -> bytes:
    """One field with a type the raw schema does not allow."""
    field = rng.choice(sorted(_WRONG_TYPES))
    return _dump(story_article(rng, **{field: rng.choice(_WRONG_TYPES[field])}), rng)


def not_an_object(rng: random.Random) -> bytes:
    """JSON that is valid but not an object."""
    return rng.choice((b"[]", b"[1,2]", b'"text"', b"0", b"true", b"null", b'[{"url":"x"}]'))


def duplicate_keys(rng: random.Random) -> bytes:
    """The same key twice; the second (good or bad) value wins."""
    data = _dump(story_article(rng), rng)
    field = rng.choice(_FIELDS)
    extra = json.dumps({field: rng.choice(("", None, "http://other.example/x", 7))})[1:-1]
    return data[:-1] + b", " + extra.encode() + b"}"


def huge_body(rng: random.Random) -> bytes:
    """A 10 MB body: far over the 1 MiB message limit."""
    record = _dump(story_article(rng, body=""), rng)
    chunk = b"<p>" + rng.choice(_STORIES)[1].encode() + b"</p>"
    filler = chunk * (HUGE_BYTES // len(chunk) + 1)
    return record.replace(b'"body": ""', b'"body": "' + filler[:HUGE_BYTES] + b'"', 1)


def over_max_body_chars(rng: random.Random) -> bytes:
    """Clean text over 200,000 characters but under 1 MiB of bytes."""
    sentence = rng.choice(_STORIES)[1] + " "
    return _dump(story_article(rng, body=sentence * (210_000 // len(sentence) + 1)), rng)


def over_max_bytes(rng: random.Random) -> bytes:
    """Just over 1 MiB, mostly in a field that is ignored."""
    return _dump(story_article(rng, padding="x" * (1024 * 1024 + rng.randint(0, 5000))), rng)


def long_title(rng: random.Random) -> bytes:
    """Titles over the 1,000-character limit, raw or once cleaned."""
    title = rng.choice(("Headline ", "<b>x</b>", "&amp;")) * rng.randint(300, 3000)
    return _dump(story_article(rng, title=title), rng)


def html_scripts(rng: random.Random) -> bytes:
    """Script, style, comments and event handlers around (or instead of) the text."""
    record = story_article(rng)
    parts = [rng.choice(_SCRIPT) for _ in range(rng.randint(1, 6))]
    if rng.random() < 0.7:
        parts.insert(rng.randrange(len(parts) + 1), f"<p>{record['body']}</p>")
    record["body"] = "".join(parts)
    record["title"] = rng.choice((record["title"], f"<script>x</script>{record['title']}"))
    return _dump(record, rng)


def html_entities(rng: random.Random) -> bytes:
    """Valid, invalid and dangerous character references in title and body."""
    record = story_article(rng)
    for field in ("title", "body"):
        words = str(record[field]).split(" ")
        for _ in range(rng.randint(1, 8)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(_ENTITIES))
        record[field] = " ".join(words)
    return _dump(record, rng)


def deep_html(rng: random.Random) -> bytes:
    """HTML nested thousands of elements deep."""
    depth = rng.randint(500, 5000)
    tag = rng.choice(("div", "span", "b", "section", "blockquote"))
    body = f"<{tag}>" * depth + "text" + f"</{tag}>" * depth * rng.choice((0, 1))
    return _dump(story_article(rng, body=body), rng)


def _sprinkle(text: str, alphabet: str, rng: random.Random, count: int) -> str:
    chars = list(text)
    for _ in range(count):
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(alphabet))
    return "".join(chars)


def invisible_chars(rng: random.Random) -> bytes:
    """Zero-width characters inside words, or making up a whole field."""
    record = story_article(rng)
    for field in ("title", "body", "source"):
        record[field] = _sprinkle(str(record[field]), _INVISIBLE, rng, rng.randint(1, 40))
    if rng.random() < 0.3:
        record[rng.choice(("title", "body"))] = _INVISIBLE * rng.randint(1, 5)
    return _dump(record, rng)


def bidi_overrides(rng: random.Random) -> bytes:
    """Right-to-left overrides and isolates in title, source, authors and URL path."""
    record = story_article(rng)
    for field in ("title", "source", "body"):
        record[field] = _sprinkle(str(record[field]), _BIDI, rng, rng.randint(1, 6))
    record["authors"] = [_sprinkle(a, _BIDI, rng, 2) for a in record["authors"]]
    record["url"] += "/\u202egpj.exe"
    return _dump(record, rng)


def control_chars(rng: random.Random) -> bytes:
    """Escaped C0/C1 control characters in every string field."""
    record = story_article(rng)
    for field in ("title", "body", "source", "language", "id"):
        record[field] = _sprinkle(str(record[field]), _CONTROLS, rng, rng.randint(1, 10))
    return _dump(record, rng)


def raw_control_chars(rng: random.Random) -> bytes:
    """Unescaped control bytes inside JSON strings, which JSON forbids."""
    data = _dump(story_article(rng), rng)
    control = bytes([rng.choice((0, 1, 7, 8, 11, 12, 27, 31))])
    return data.replace(b'"title": "', b'"title": "' + control, 1)


def null_bytes(rng: random.Random) -> bytes:
    """NUL in every field: escaped in JSON, or raw at the edges of the message."""
    record = story_article(rng)
    for field in ("url", "title", "body", "source", "language", "id", "published_at"):
        record[field] = _sprinkle(str(record[field]), "\x00", rng, rng.randint(1, 3))
    record["authors"] = ["\x00", "A\x00B"]
    data = _dump(record, rng)
    return rng.choice((data, b"\x00" + data, data + b"\x00", b"\x00" * rng.randint(1, 64)))


def empty_values(rng: random.Random) -> bytes:
    """Empty messages, objects and strings."""
    field = rng.choice(("title", "body", "url", "source", "language", "id", "authors"))
    empty: Any = [] if field == "authors" else ""
    record = _dump(story_article(rng, **{field: empty}), rng)
    return rng.choice((b'""', b"{}", b"[]", b"\xef\xbb\xbf", b'{"":""}', record, record))


def whitespace_only(rng: random.Random) -> bytes:
    """Titles or bodies made only of (unicode) whitespace."""
    blank = "".join(rng.choice(" \t\r\u00a0\u2002\u2003\u3000\u2028\u2029\u0085") for _ in range(9))
    field = rng.choice(("title", "body", "source", "language"))
    return _dump(story_article(rng, **{field: blank}), rng)


def bad_urls(rng: random.Random) -> bytes:
    """Bad schemes, hosts, ports, userinfo, IDNA and invisible characters in the URL."""
    return _dump(story_article(rng, url=rng.choice(_BAD_URLS)), rng)


def bad_dates(rng: random.Random) -> bytes:
    """Dates in the future, before 1990, absurd or unparseable."""
    return _dump(story_article(rng, published_at=rng.choice(_BAD_DATES)), rng)


def bom(rng: random.Random) -> bytes:
    """Byte-order marks: one in front (allowed), two, or inside the JSON."""
    data = _dump(story_article(rng), rng)
    mark = b"\xef\xbb\xbf"
    return rng.choice((mark + data, mark * 2 + data, data[:1] + mark + data[1:], data + mark))


def crlf(rng: random.Random) -> bytes:
    """Carriage returns between tokens and escaped CRLF inside strings."""
    record = story_article(rng)
    record["body"] = str(record["body"]).replace(". ", ".\r\n", 2)
    record["title"] = str(record["title"]) + "\r\n"
    return _dump(record, rng).replace(b", ", b",\r ")


def random_bytes(rng: random.Random) -> bytes:
    """Short runs of random bytes."""
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300)))


def mutated(rng: random.Random) -> bytes:
    """A valid article with a few random bytes flipped, dropped or repeated."""
    data = bytearray(_dump(story_article(rng), rng))
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(data))
        action = rng.randrange(3)
        if action == 0:
            data[at] = rng.getrandbits(8)
        elif action == 1:
            del data[at]
        else:
            data[at:at] = data[at : at + rng.randint(1, 8)]
    return bytes(data)


# family name -> (generator, weight); `good` and `huge_10mb` are placed by share and count.
FAMILIES: dict[str, tuple[Family, int]] = {
    "invalid_utf8": (invalid_utf8, 6),
    "overlong_utf8": (overlong_utf8, 3),
    "surrogate_bytes": (surrogate_bytes, 3),
    "escaped_surrogate": (escaped_surrogate, 4),
    "truncated_json": (truncated_json, 6),
    "deep_json": (deep_json, 2),
    "nan_infinity": (nan_infinity, 3),
    "huge_numbers": (huge_numbers, 3),
    "wrong_types": (wrong_types, 7),
    "not_an_object": (not_an_object, 2),
    "duplicate_keys": (duplicate_keys, 4),
    "over_max_body_chars": (over_max_body_chars, 0),
    "over_max_bytes": (over_max_bytes, 0),
    "long_title": (long_title, 2),
    "html_scripts": (html_scripts, 6),
    "html_entities": (html_entities, 5),
    "deep_html": (deep_html, 2),
    "invisible_chars": (invisible_chars, 5),
    "bidi_overrides": (bidi_overrides, 4),
    "control_chars": (control_chars, 4),
    "raw_control_chars": (raw_control_chars, 3),
    "null_bytes": (null_bytes, 5),
    "empty_values": (empty_values, 5),
    "whitespace_only": (whitespace_only, 4),
    "bad_urls": (bad_urls, 7),
    "bad_dates": (bad_dates, 5),
    "bom": (bom, 3),
    "crlf": (crlf, 3),
    "random_bytes": (random_bytes, 4),
    "mutated": (mutated, 6),
}
# Big records cost memory and time at any N: a fixed number per corpus, not a share.
FIXED_COUNTS = {"over_max_body_chars": 5, "over_max_bytes": 3}
ALL_FAMILIES = (GOOD, HUGE, *FAMILIES)


def line_safe(data: bytes) -> bytes:
    """Make a record fit on one line that ``read_lines`` keeps as it is.

    Args:
        data: the record bytes.
    """
    # Raw LF would split the record; as the two bytes `\n` it is an escape or a JSON error.
    data = data.replace(b"\n", b"\\n").rstrip(b"\r")
    return data if data.strip() else b"\x00" + data


def plan(count: int, *, seed: int, good_share: float, huge: int) -> list[str]:
    """The family of each line, in order.

    Args:
        count: number of lines.
        seed: random seed.
        good_share: share of valid articles.
        huge: number of 10 MB records.
    """
    rng = random.Random(f"plan-{seed}")
    fixed = {HUGE: huge, **FIXED_COUNTS, GOOD: round(count * good_share)}
    families = [name for name, n in fixed.items() for _ in range(n)][:count]
    names = [name for name, (_, weight) in FAMILIES.items() if weight]
    weights = [FAMILIES[name][1] for name in names]
    families += rng.choices(names, weights=weights, k=count - len(families))
    rng.shuffle(families)
    return families


def generate(
    count: int, *, seed: int = 0, good_share: float = 0.05, huge: int = 3
) -> Iterator[tuple[str, bytes]]:
    """Yield ``(family, line)`` for ``count`` hostile inputs; the same seed gives the same lines.

    Args:
        count: number of inputs.
        seed: random seed.
        good_share: share of valid, realistic articles.
        huge: number of 10 MB records.
    """
    builders: dict[str, Family] = {GOOD: good, HUGE: huge_body}
    builders.update({name: builder for name, (builder, _) in FAMILIES.items()})
    for index, family in enumerate(plan(count, seed=seed, good_share=good_share, huge=huge)):
        rng = random.Random(f"{seed}-{index}")
        yield family, line_safe(builders[family](rng))


def families_path(corpus: Path) -> Path:
    """The side file holding one family name per corpus line.

    Args:
        corpus: the corpus file.
    """
    return corpus.with_name(corpus.name + ".families")


def write_corpus(
    corpus: Path, count: int, *, seed: int = 0, good_share: float = 0.05, huge: int = 3
) -> Counter[str]:
    """Write ``count`` lines to ``corpus`` and their families to the side file; return counts.

    Args:
        corpus: the output file.
        count: number of inputs.
        seed: random seed.
        good_share: share of valid articles.
        huge: number of 10 MB records.
    """
    counts: Counter[str] = Counter()
    corpus.parent.mkdir(parents=True, exist_ok=True)
    with corpus.open("wb") as lines, families_path(corpus).open("w") as names:
        for family, line in generate(count, seed=seed, good_share=good_share, huge=huge):
            lines.write(line + b"\n")
            names.write(family + "\n")
            counts[family] += 1
    return counts


def read_families(corpus: Path) -> list[str]:
    """The family of each line of a corpus written by ``write_corpus``.

    Args:
        corpus: the corpus file.
    """
    return families_path(corpus).read_text().split()
