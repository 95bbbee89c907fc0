"""Labelled topic data: AG News, BBC-style JSONL, ECB+ with an editor's IPTC codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.nlp.topic_data import (
    AG_CODES,
    clean_ag,
    label_codes,
    read_ag_news,
    read_ecbplus,
    read_examples,
    read_labelled_jsonl,
)

SPORT, POLITICS, ECONOMY = "medtop:15000000", "medtop:11000000", "medtop:04000000"
TECH, ARTS, CRIME, CONFLICT = (
    "medtop:13000000",
    "medtop:01000000",
    "medtop:02000000",
    "medtop:16000000",
)


@pytest.mark.pure
def test_clean_ag_undoes_its_escapes() -> None:
    assert clean_ag(r"A second\team won  #36;10 million") == "A second team won $10 million"
    assert clean_ag("Texas Instruments &lt;TXN.N&gt; said") == "Texas Instruments <TXN.N> said"
    assert clean_ag("it #39;s late  #151; again") == "it's late — again"


@pytest.mark.pure
def test_read_ag_news_gives_each_class_its_codes(tmp_path: Path) -> None:
    path = tmp_path / "ag.csv"
    path.write_text('"2","Cup win","The \\""Reds\\"" won  #36;5 bet"\n"1","Talks","Envoys met"\n')
    examples = read_ag_news(path)
    assert [e.codes for e in examples] == [(SPORT,), AG_CODES["1"]]
    assert examples[1].code == POLITICS and CONFLICT in examples[1].codes
    assert not examples[1].editor  # a class covering several codes, not an editor's label
    assert examples[0].text.startswith("Cup win\n\nThe") and "$5" in examples[0].text
    bad = tmp_path / "bad.csv"
    bad.write_text('"9","x","y"\n')
    with pytest.raises(ValueError, match="not an AG News row"):
        read_ag_news(bad)


@pytest.mark.pure
def test_read_labelled_jsonl_formats(tmp_path: Path) -> None:
    bbc = tmp_path / "anywhere" / "articles.jsonl"
    bbc.parent.mkdir()
    rows = [
        {"label": "tech", "title": "New phone", "text": "A phone."},
        {"label": "entertainment", "title": "Film", "text": "A film."},
    ]
    bbc.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    examples = read_examples(bbc)
    assert [e.code for e in examples] == [TECH, ARTS]
    assert {e.dataset for e in examples} == {"bbc_news"}
    own = tmp_path / "mine" / "data.jsonl"
    own.parent.mkdir()
    own.write_text(
        json.dumps({"label": "medtop:02000000", "title": "Trial", "body": "A verdict."})
        + "\n"
        + json.dumps({"label": "tech", "text": "A chip."})
        + "\n"
    )
    examples = read_labelled_jsonl(own)
    assert [(e.text, e.codes, e.dataset, e.editor) for e in examples] == [
        ("Trial\n\nA verdict.", (CRIME,), "mine", True),
        ("A chip.", (TECH,), "mine", False),  # a class name, not an IPTC name
    ]


@pytest.mark.pure
@pytest.mark.parametrize(
    "record", [{"text": "no label"}, {"label": "sport"}, {"label": "gardening", "text": "Roses."}]
)
def test_read_labelled_jsonl_rejects_bad_records(tmp_path: Path, record: dict[str, str]) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps(record) + "\n")
    with pytest.raises(ValueError):
        read_labelled_jsonl(path)


@pytest.mark.pure
def test_label_codes_maps_names_and_iptc_labels() -> None:
    assert label_codes("Sci/Tech")[0] == TECH and label_codes("business") == (ECONOMY,)
    assert label_codes("crime, law and justice") == (CRIME,)
    assert label_codes("medtop:17000000") == ("medtop:17000000",)


@pytest.mark.pure
def test_read_ecbplus_takes_the_editor_codes_and_groups_by_topic(tmp_path: Path) -> None:
    articles = tmp_path / "articles.jsonl"
    rows = [
        {"doc_id": "3_1ecb", "topic": 3, "cluster_id": "3_ecb", "title": "Escape", "text": "A."},
        {"doc_id": "3_1ecbplus", "topic": 3, "cluster_id": "3_ecbplus", "title": "", "text": "B."},
        {"doc_id": "9_1ecb", "topic": 9, "cluster_id": "9_ecb", "title": "T", "text": "C."},
    ]
    articles.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"events": {"3_ecb": [CRIME], "3_ecbplus": [CRIME, CONFLICT]}}))
    examples = read_examples(articles, labels=labels)
    assert [(e.codes, e.group, e.event, e.editor) for e in examples] == [
        ((CRIME,), "topic:3", "3_ecb", True),
        ((CRIME, CONFLICT), "topic:3", "3_ecbplus", True),
    ]  # the unlabelled cluster is skipped
    assert examples[0].text == "Escape\n\nA."
    articles.write_text(json.dumps({"doc_id": "x", "text": "no cluster"}) + "\n")
    with pytest.raises(ValueError, match="cluster_id"):
        read_ecbplus(articles, labels)
