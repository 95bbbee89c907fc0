"""Text cleaning: HTML to plain text, unicode and whitespace tidying, citation markers."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Elements that never hold article prose.
DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "nav",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "input",
    "textarea",
    "figure",
    "head",
    "title",
    "meta",
    "link",
)
# Containers never dropped by a class/id word ("article-body share-enabled" is still the body).
KEEP_TAGS = frozenset({"html", "body", "article", "main"})
# ARIA landmarks that mark boilerplate regions.
DROP_ROLES = ("navigation", "banner", "contentinfo", "complementary", "dialog", "search")
# class/id words that mark boilerplate; matched as whole words of the attribute.
BOILERPLATE_WORDS = frozenset(
    {
        "nav",
        "navbar",
        "menu",
        "footer",
        "sidebar",
        "cookie",
        "cookies",
        "consent",
        "share",
        "sharing",
        "social",
        "related",
        "newsletter",
        "promo",
        "advert",
        "advertisement",
        "ad",
        "ads",
        "banner",
        "breadcrumb",
        "breadcrumbs",
        "comments",
        "comment",
        "subscribe",
        "paywall",
        "byline",
        "tags",
        "masthead",
        "skip",
    }
)
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "table",
        "tr",
        "br",
        "hr",
        "address",
        "figcaption",
        "caption",
        "summary",
        "details",
    }
)
# Paragraph separator: a real unicode paragraph break, so input copies of it mean the same.
PARA = "\u2029"

_HTML_HINT = re.compile(
    r"<\s*/?\s*(?:p|div|br|html|body|article|span|a|b|i|em|strong|script|style|h[1-6]|li|ul|ol|"
    r"table|tr|td|section|main|header|footer|nav|aside|img|sup|sub|blockquote|figure)\b[^>]*>",
    re.IGNORECASE,
)
_WORD_SPLIT = re.compile(r"[\s_\-]+")
# Zero-width and invisible formatting characters that split words for NLP.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b\u200c\u200d\u2060-\u2064\ufeff\ufff9-\ufffb]")
# C0/C1 controls except tab and newline; lone surrogates cannot reach here after decoding.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[^\S\n\u2028\u2029]+")
_SOURCE_BREAKS = re.compile(r"[\n\r\f\v]")
_BREAKS = re.compile(r"\s*[\n\u2028\u2029]\s*")
_CITATION = re.compile(
    r"[ \t]*\[\s*(?:(?:note|nb|fn)\s*)?\d{1,3}(?:\s*[,;–—-]\s*\d{1,3})*\s*\]"
    r"|[ \t]*\[(?:citation needed|clarification needed|when\?|who\?|by whom\?|"
    r"according to whom\?|dubious\s*[–—-]\s*discuss|failed verification|[a-z])\]",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    """Tell whether a body holds HTML markup rather than plain text.

    Args:
        text: the raw body.
    """
    return _HTML_HINT.search(text) is not None


def html_to_text(markup: str) -> str:
    """Extract article prose from HTML, one paragraph per line, boilerplate dropped.

    Args:
        markup: an HTML document or fragment.
    """
    tree = LexborHTMLParser(markup)
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return ""
    _drop_boilerplate(root)
    root = _content_root(root)
    for node in root.traverse(include_text=False):
        if node.tag in BLOCK_TAGS:
            node.insert_before(PARA)
            node.insert_after(PARA)
    # Line breaks inside HTML source are plain spaces; only block elements break paragraphs.
    text = _SOURCE_BREAKS.sub(" ", root.text(deep=True, separator="", strip=False))
    return tidy_whitespace(text)


def _drop_boilerplate(root: LexborNode) -> None:
    doomed = [node for node in root.traverse(include_text=False) if _is_boilerplate(node)]
    doomed_ids = {node.mem_id for node in doomed}
    # Decompose only the outermost doomed nodes: children of a freed node must not be touched.
    for node in doomed:
        if not _has_ancestor_in(node, doomed_ids):
            node.decompose()


def _is_boilerplate(node: LexborNode) -> bool:
    tag = node.tag or ""
    if tag in DROP_TAGS:
        return True
    if tag in KEEP_TAGS:
        return False
    attributes = node.attributes
    if tag == "header" or attributes.get("role") in DROP_ROLES:
        return tag != "header" or not _has_ancestor_tag(node, "article")
    words = f"{attributes.get('class') or ''} {attributes.get('id') or ''}".lower()
    return not BOILERPLATE_WORDS.isdisjoint(_WORD_SPLIT.split(words))


def _has_ancestor_in(node: LexborNode, ids: set[int]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


def _has_ancestor_tag(node: LexborNode, tag: str) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False


def _content_root(root: LexborNode) -> LexborNode:
    # Prefer the <article> (or <main>) holding the most text; fall back to the whole body.
    for selector in ("article", "main", '[role="main"]'):
        candidates = root.css(selector)
        if candidates:
            best = max(candidates, key=lambda node: len(node.text(deep=True)))
            if len(best.text(deep=True).strip()) > 0:
                return best
    return root


def clean_chars(text: str) -> str:
    """Drop invisible and control characters, unify line ends, apply NFC.

    Args:
        text: any text, entities already decoded.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return unicodedata.normalize("NFC", text)


def tidy_whitespace(text: str) -> str:
    """Collapse runs of spaces, keep one newline between non-empty paragraphs.

    Args:
        text: text whose paragraph breaks are newlines or U+2028/U+2029.
    """
    text = _SPACES.sub(" ", text)
    return _BREAKS.sub("\n", text).strip()


def strip_citations(text: str) -> str:
    """Remove reference markers such as "[1, 2]", "[3]" or "[citation needed]".

    Args:
        text: clean text.
    """
    return _CITATION.sub("", text)


def body_to_text(body: str) -> str:
    """Turn a raw body (HTML, escaped HTML or plain text) into the clean text NLP sees.

    Args:
        body: the raw body from the feed.
    """
    if looks_like_html(body):
        text = html_to_text(body)
    else:
        text = html.unescape(body)
        # Feeds often carry HTML escaped once more ("&lt;p&gt;").
        if looks_like_html(text):
            text = html_to_text(text)
    return tidy_whitespace(strip_citations(clean_chars(text)))


def clean_line(text: str) -> str:
    """Clean a single-line field such as a title or an author name.

    Args:
        text: raw field, may contain tags or entities.
    """
    if looks_like_html(text):
        tree = LexborHTMLParser(f"<p>{text}</p>")
        for node in tree.css("script,style"):  # these cannot nest, so no freed children
            node.decompose()
        text = tree.text(deep=True, separator="")
    else:
        text = html.unescape(text)
    return " ".join(clean_chars(text).split())


def content_hash(text: str) -> str:
    """Return 24 hex chars of sha256 over the casefolded, whitespace-collapsed text.

    Args:
        text: clean article text.
    """
    normalized = " ".join(text.casefold().split())
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()[:24]
