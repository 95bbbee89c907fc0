"""Text cleaning: HTML extraction, unicode, whitespace, citation markers, content hash."""

from __future__ import annotations

import time

import pytest

from pipeline.text.clean import (
    MarkupTooDeep,
    body_to_text,
    clean_chars,
    clean_line,
    content_hash,
    html_to_text,
    looks_like_html,
    markup_depth,
    strip_citations,
    tidy_whitespace,
)

pytestmark = pytest.mark.pure

PAGE_NEWS = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour bridge reopens | The Coastal
Ledger</title>
<style>body{font-family:serif} .nav a{color:red}</style>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}</script>
<script type="application/ld+json">{"@type":"NewsArticle","headline":"Harbour bridge
reopens"}</script>
</head><body>
<header class="site-header"><a href="/">The Coastal Ledger</a>
<nav class="nav"><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a
href="/weather">Weather</a></li></ul></nav></header>
<div class="cookie-banner" role="dialog">We use cookies to improve your experience. <button>Accept
all</button></div>
<main>
<article>
<h1>Harbour bridge reopens after six months of repairs</h1>
<p class="byline">By <a href="/authors/m-okafor">Miriam Okafor</a> &middot; 14 March 2025</p>
<p>The Eastgate harbour bridge reopened to traffic on Friday morning, two weeks ahead of schedule,
after engineers replaced
   corroded cables that had forced its closure last autumn.</p>
<p>&ldquo;We were lucky with the weather,&rdquo; said project lead Tomasz Wiśniewski, adding that
the final
   load tests finished on Wednesday night.</p>
<div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
<p>The closure had added up to forty minutes to commutes between the port district and the city
centre, according to the
   regional transport authority.</p>
<figure><img src="bridge.jpg" alt="The bridge at dawn"><figcaption>The bridge at dawn. Photo: L.
Brandt</figcaption></figure>
<p>City councillors will vote next month on whether to keep the temporary ferry service
running.</p>
</article>
<aside class="related"><h2>Related stories</h2><ul><li><a href="/a">Ferry fares frozen for
2025</a></li><li><a href="/b">Council budget passes</a></li></ul></aside>
</main>
<div id="newsletter-signup"><h3>Get the morning briefing</h3><form><input type="email"><button>Sign
up</button></form></div>
<footer><p>&copy; 2025 The Coastal Ledger. All rights reserved.</p><a href="/privacy">Privacy</a>
<a href="/terms">Terms</a></footer>
<script src="/static/app.js"></script>
</body></html>"""

PAGE_DIVS = """<html><head><title>Rates</title><script>var ads = [];</script></head>
<body><div id="menu"><a href="/">Home</a> | <a href="/markets">Markets</a> | <a
href="/opinion">Opinion</a></div>
<div class="container"><div class="content">
<h2>Central bank holds rates at 3.25%</h2>
<div class="story-body">
<div>The central bank left its benchmark interest rate unchanged at 3.25% on Thursday, citing
persistent services inflation.<br><br>
Governor Ana Lucía Ferreira told reporters that policymakers had discussed a cut but judged it
premature.</div>
<div>Markets had priced in a 40% chance of a reduction; the currency rose 0.4% against the dollar
after the announcement.</div>
</div>
<div class="ad-slot">ADVERTISEMENT</div>
<div class="comments"><h4>Comments (12)</h4><div>first!!</div><div>rates too high</div></div>
</div></div>
<div class="footer">Contact us &nbsp;|&nbsp; Careers &nbsp;|&nbsp; Advertise</div>
<noscript>Enable JavaScript to see comments.</noscript>
</body></html>"""

PAGE_FRAGMENT = """<p>Volunteers planted 1,200 saplings along the river bank on Sunday&#8212;the
largest single-day effort since the
flood.<sup>[1]</sup></p><p>Organisers said another planting day is planned for
<b>October</b>.</p><script>track()</script>"""


def test_news_page_keeps_prose_and_drops_boilerplate() -> None:
    text = html_to_text(PAGE_NEWS)
    for kept in (
        "two weeks ahead of schedule",
        "Tomasz Wiśniewski",
        "forty minutes",
        "temporary ferry service",
        "Harbour bridge reopens after six months",
    ):
        assert kept in text
    for dropped in (
        "dataLayer",
        "font-family",
        "Sport",
        "cookies",
        "Share on",
        "Related stories",
        "morning briefing",
        "All rights reserved",
        "NewsArticle",
        "Ferry fares frozen",
        "Brandt",
        "Miriam Okafor",
    ):
        assert dropped not in text


def test_paragraphs_become_lines_and_source_line_breaks_become_spaces() -> None:
    lines = html_to_text(PAGE_NEWS).split("\n")
    assert lines[1] == (
        "The Eastgate harbour bridge reopened to traffic on Friday morning, two weeks ahead of "
        "schedule, after engineers replaced corroded cables that had forced its closure last "
        "autumn."
    )
    assert lines[2].startswith("“We were lucky with the weather,” said project lead")
    assert len(lines) == 5


def test_div_soup_page_without_article_element() -> None:
    text = html_to_text(PAGE_DIVS)
    assert text.split("\n") == [
        "Central bank holds rates at 3.25%",
        "The central bank left its benchmark interest rate unchanged at 3.25% on Thursday, "
        "citing persistent services inflation.",
        "Governor Ana Lucía Ferreira told reporters that policymakers had discussed a cut but "
        "judged it premature.",
        "Markets had priced in a 40% chance of a reduction; the currency rose 0.4% against the "
        "dollar after the announcement.",
    ]


def test_fragment_with_entities_inline_tags_and_citation() -> None:
    assert body_to_text(PAGE_FRAGMENT) == (
        "Volunteers planted 1,200 saplings along the river bank on Sunday—the largest single-day "
        "effort since the flood.\nOrganisers said another planting day is planned for October."
    )


def test_class_word_does_not_drop_the_article_container() -> None:
    markup = (
        '<article class="story share-enabled"><p>Council approves the new library.</p>'
        '<div class="share-bar">Share this</div></article>'
    )
    assert html_to_text(markup) == "Council approves the new library."


def test_header_inside_article_is_kept_site_header_is_not() -> None:
    markup = (
        "<header><a>Site name</a></header><article><header><h1>Dam inspection passed</h1>"
        "</header><p>Inspectors signed off the dam on Monday.</p></article>"
    )
    assert html_to_text(markup) == "Dam inspection passed\nInspectors signed off the dam on Monday."


def test_nested_boilerplate_is_removed_safely() -> None:
    markup = (
        '<body><nav><form><button>Go</button><nav class="menu">x</nav></form></nav>'
        '<div class="comments"><div class="comment"><aside>y</aside></div></div>'
        "<p>The ferry timetable changes on 1 May.</p></body>"
    )
    assert html_to_text(markup) == "The ferry timetable changes on 1 May."


def test_broken_markup_is_handled_like_a_browser() -> None:
    markup = "<p>Unclosed <b>bold <i>and italic<p>Second paragraph</div></span>"
    assert html_to_text(markup) == "Unclosed bold and italic\nSecond paragraph"


def test_plain_text_body_keeps_paragraphs_and_unescapes_entities() -> None:
    body = (
        "Rates rose 0.25%.\r\n\r\nAT&amp;T shares fell &#8212; briefly.   \n\n\n Analysts shrugged."
    )
    assert (
        body_to_text(body) == "Rates rose 0.25%.\nAT&T shares fell — briefly.\nAnalysts shrugged."
    )


def test_escaped_html_body_is_parsed_once_unescaped() -> None:
    body = "&lt;p&gt;The museum reopens in June.&lt;/p&gt;&lt;p&gt;Entry stays free.&lt;/p&gt;"
    assert body_to_text(body) == "The museum reopens in June.\nEntry stays free."


def test_text_that_merely_mentions_a_less_than_sign_is_not_html() -> None:
    assert not looks_like_html("Inflation stayed < 2% while growth was > 1%.")
    assert looks_like_html("Intro<br/>more")
    assert body_to_text("Inflation stayed < 2% while growth was > 1%.") == (
        "Inflation stayed < 2% while growth was > 1%."
    )


def test_zero_width_and_control_characters_are_removed() -> None:
    dirty = "Prime\u200b Minister\u00ad's\ufeff visit\x00to\x07 Oslo\u2060"
    assert tidy_whitespace(clean_chars(dirty)) == "Prime Minister's visit to Oslo"


def test_unicode_is_nfc() -> None:
    decomposed = "Cafe\u0301 Zu\u0308rich"
    cleaned = clean_chars(decomposed)
    assert cleaned == "Café Zürich"
    assert len(cleaned) == len("Café Zürich")


def test_whitespace_variants_are_collapsed() -> None:
    text = "Wind\u00a0speeds\u2003reached\t\t90 km/h.\u2028Schools closed.\u2029\u2029Trains ran."
    assert tidy_whitespace(text) == "Wind speeds reached 90 km/h.\nSchools closed.\nTrains ran."


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("The treaty was signed in 1921.[1]", "The treaty was signed in 1921."),
        ("Turnout rose [1, 2] in both cities.", "Turnout rose in both cities."),
        ("Exports fell sharply [3][4] last year.", "Exports fell sharply last year."),
        ("It was the wettest June on record [12–14].", "It was the wettest June on record."),
        ("The bridge cost £40m.[citation needed]", "The bridge cost £40m."),
        ("He resigned in March.[note 2]", "He resigned in March."),
        ("A second vote followed.[a]", "A second vote followed."),
    ],
)
def test_citation_markers_are_removed(dirty: str, clean: str) -> None:
    assert strip_citations(dirty) == clean


@pytest.mark.parametrize(
    "kept",
    [
        "The letter read: 'we [sic] refuse'.",
        "The 2024 report [PDF] is online.",
        "The archive from [2019] was reopened.",
        "Ministers [from both parties] objected.",
    ],
)
def test_brackets_that_are_not_citations_stay(kept: str) -> None:
    assert strip_citations(kept) == kept


def test_body_to_text_removes_citations_from_html() -> None:
    body = "<p>The river burst its banks<sup><a href='#cite-1'>[1]</a></sup> overnight.</p>"
    assert body_to_text(body) == "The river burst its banks overnight."


def test_clean_line_flattens_titles() -> None:
    assert clean_line("  Rates &amp; <b>Markets</b>:\n\tthe week\u200b ahead ") == (
        "Rates & Markets: the week ahead"
    )
    assert clean_line("<i>Kyiv</i>-based ministry") == "Kyiv-based ministry"
    assert clean_line("Flood <script>alert(1)</script>warning") == "Flood warning"


def test_content_hash_ignores_case_and_whitespace_only() -> None:
    one = content_hash("The Port reopened.\nTrade resumed.")
    assert one == content_hash("the port   REOPENED. trade resumed.")
    assert one != content_hash("The port reopened. Trade resumed!")
    assert len(one) == 24
    assert all(char in "0123456789abcdef" for char in one)


def test_markup_depth_counts_only_elements_that_stay_open() -> None:
    markup = (
        "<div><section><p>One<p>Two<br><img src='a.png'/><ul><li>x<li>y</ul></section>"
        "<script>var s = '<div><div><div>';</script><!-- <div><div><div> --></div>"
    )
    assert markup_depth(markup, limit=10) == 3
    # an end tag that closes nothing open does not lower the depth
    assert markup_depth("<div></span>" * 5, limit=10) == 5
    with pytest.raises(MarkupTooDeep):
        markup_depth("<div>" * 11, limit=10)


def test_hostile_markup_is_refused_or_handled_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(MarkupTooDeep):
        body_to_text('<div class="share">' * 50_000 + "x")
    with pytest.raises(MarkupTooDeep):
        clean_line("<ul>" * 50_000)
    # inputs that used to be quadratic in a naive regex or walk
    assert body_to_text("<p " * 100_000) == ""  # one unterminated tag: markup, not text
    assert body_to_text("&lt;p " * 100_000) == ""
    assert body_to_text("a" + " " * 300_000 + "b") == "a b"
    assert body_to_text("[ " * 100_000).startswith("[ [")
    assert body_to_text("<article>" + "<header>h</header>" * 20_000).startswith("h\nh")
    assert body_to_text("<article><p>a</p></article>" * 20_000) == "a"
    assert time.perf_counter() - started < 15  # about 1 s on an idle core


@pytest.mark.pure
def test_bidi_controls_are_removed_everywhere_text_is_cleaned() -> None:
    spoofed = "Invoice \u202eFDP.exe\u202c from \u2066ACME\u2069 \u200fCorp\u200e"
    assert clean_chars(spoofed) == "Invoice FDP.exe from ACME Corp"
