"""Topic classifier: scores, confidence thresholds, artifact round trip, weak labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from pipeline.nlp.classifier import TOPIC_LABELS, FeatureSpec, TopicClassifier, topic_text
from pipeline.nlp.classifier_train import log_count_ratio, relabel, targets, train_examples
from pipeline.nlp.topic_data import Example
from pipeline.nlp.topic_thresholds import calibrate, fit_thresholds

SPORT, POLITICS, ECONOMY = "medtop:15000000", "medtop:11000000", "medtop:04000000"
TECH, ARTS, CRIME = "medtop:13000000", "medtop:01000000", "medtop:02000000"
CONFLICT = "medtop:16000000"

# Hand-written fragments; combined they give a small, varied synthetic corpus.
VOCAB = {
    SPORT: [
        "the striker scored twice",
        "coach praised the defence",
        "title race at the stadium",
        "the match ended in a draw",
        "champions league final",
        "the goalkeeper saved a penalty",
    ],
    POLITICS: [
        "parliament passed the bill",
        "the minister resigned",
        "election campaign rally",
        "opposition leader criticised the government",
        "voters at the polls",
        "the senate debated reform",
    ],
    ECONOMY: [
        "shares fell on the stock market",
        "the central bank raised interest rates",
        "quarterly profits beat forecasts",
        "inflation slowed last month",
        "the company announced a merger",
        "investors sold bonds",
    ],
    TECH: [
        "researchers released new software",
        "the chip maker unveiled a processor",
        "scientists sequenced the genome",
        "a security flaw in the browser",
        "the telescope observed a distant galaxy",
        "engineers tested the robot",
    ],
    ARTS: [
        "the film premiered at the festival",
        "the singer released an album",
        "the novel won a literary prize",
        "actors on the red carpet",
        "the gallery opened an exhibition",
        "the band announced a tour",
    ],
}


def corpus(codes: list[str], n: int = 12, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for code in codes:
        for _ in range(n):
            picks = rng.choice(len(VOCAB[code]), size=3, replace=False)
            texts.append(". ".join(VOCAB[code][i] for i in picks).capitalize() + ".")
            labels.append(code)
    return texts, labels


SMALL = FeatureSpec(n_bits=14)
SEEDS = {
    "prior_codes": [CRIME],
    "seeds": {CRIME: ["police", "arrested", "robbery", "court"], POLITICS: ["minister"]},
}


def examples_of(
    codes: list[str], *, n: int = 12, seed: int = 0, dataset: str = "toy"
) -> list[Example]:
    texts, labels = corpus(codes, n=n, seed=seed)
    return [
        Example(t, (c,), dataset, f"{dataset}{i}", editor=True)
        for i, (t, c) in enumerate(zip(texts, labels, strict=True))
    ]


@pytest.fixture(scope="module")
def model() -> TopicClassifier:
    return train_examples(
        examples_of(list(VOCAB)), min_df=1, spec=SMALL, seeds=SEEDS, calibration_folds=0
    )


@pytest.mark.pure
def test_scores_rank_the_right_code_first_with_iptc_names(model: TopicClassifier) -> None:
    tests = {
        "The striker scored in the final match at the stadium.": SPORT,
        "The minister resigned before the election.": POLITICS,
        "Investors sold shares after profits fell.": ECONOMY,
        "Scientists unveiled software for the telescope.": TECH,
        "The singer and the band premiered a film at the festival.": ARTS,
    }
    scores = model.scores(list(tests))
    assert [model.codes[i] for i in scores.argmax(axis=1)] == list(tests.values())
    assert scores.shape == (5, len(model.codes)) and ((scores >= 0) & (scores <= 1)).all()
    assert model.scores([]).shape == (0, len(model.codes))
    assert set(model.codes) <= set(TOPIC_LABELS) and len(TOPIC_LABELS) == 17


@pytest.mark.pure
def test_a_code_is_published_only_at_or_above_its_threshold(model: TopicClassifier) -> None:
    text = "The central bank raised interest rates as inflation slowed."
    row = model.scores([text])[0]
    economy = model.codes.index(ECONOMY)
    model.thresholds = np.full(len(model.codes), 0.0, dtype=np.float32)
    everything = model.classify([text], top_k=20)[0]
    likely = sorted((float(v) for v in row), reverse=True)
    # the best code, then the others that are more likely than not
    assert [t["score"] for t in everything] == pytest.approx(
        [likely[0]] + [v for v in likely[1:] if v >= 0.5], abs=1e-4
    )
    assert everything[0]["code"] == ECONOMY
    assert all(t["label"] == TOPIC_LABELS[t["code"]] for t in everything)
    model.thresholds[:] = 1.0
    model.thresholds[economy] = float(row[economy])
    assert [t["code"] for t in model.classify([text])[0]] == [ECONOMY]
    model.thresholds[economy] = float(row[economy]) + 1e-3
    assert model.classify([text]) == [[]]  # nothing confident: no topic rather than a wrong one
    model.thresholds[:] = 0.0
    model.thresholds[economy] = 1.0
    assert model.classify([text]) == [[]]  # the best code decides, not a weaker one
    model.thresholds[:] = 0.5


@pytest.mark.pure
def test_seed_words_raise_their_code_and_only_theirs() -> None:
    examples = [
        *examples_of(list(VOCAB)),
        Example("Police arrested a man after the robbery.", (CRIME,), "toy", "c1", editor=True),
        Example("The court heard the robbery case.", (CRIME,), "toy", "c2", editor=True),
    ]
    plain = train_examples(
        examples, min_df=1, spec=SMALL, seeds=SEEDS, seed_weight=0.0, calibration_folds=0
    )
    seeded = train_examples(
        examples, min_df=1, spec=SMALL, seeds=SEEDS, seed_weight=2.0, calibration_folds=0
    )
    text = ["Officers arrested two suspects; police said the court meets Monday."]
    crime = plain.codes.index(CRIME)
    assert seeded.scores(text)[0, crime] > plain.scores(text)[0, crime]
    others = [i for i in range(len(plain.codes)) if i != crime]
    assert np.allclose(seeded.scores(text)[0, others], plain.scores(text)[0, others])


@pytest.mark.pure
def test_save_load_round_trip_gives_identical_topics(
    model: TopicClassifier, tmp_path: Path
) -> None:
    texts = ["Parliament debated the budget.", "The goalkeeper saved a penalty.", ""]
    model.thresholds = np.linspace(0.1, 0.6, len(model.codes)).astype(np.float32)
    model.save(tmp_path / "m")
    loaded = TopicClassifier.load(tmp_path / "m")
    assert np.array_equal(model.scores(texts), loaded.scores(texts))
    assert loaded.classify(texts) == model.classify(texts)
    assert loaded.spec == model.spec and loaded.codes == model.codes
    assert np.allclose(loaded.thresholds, model.thresholds, atol=1e-4)
    with np.load(tmp_path / "m" / "topics.npz", allow_pickle=False) as arrays:
        assert all(arrays[name].dtype != object for name in arrays.files)
    model.thresholds[:] = 0.5


@pytest.mark.pure
def test_relabel_needs_clearly_dominant_seed_words() -> None:
    world = [POLITICS, CONFLICT, CRIME]
    assert relabel({CONFLICT: 3, POLITICS: 1}, world) == CONFLICT
    assert relabel({CONFLICT: 1}, world) == POLITICS  # one hit is not enough
    assert relabel({CONFLICT: 3, CRIME: 3}, world) == POLITICS  # a tie is not dominance
    assert relabel({CONFLICT: 2, POLITICS: 2}, world) == POLITICS


@pytest.mark.pure
def test_targets_editor_codes_all_positive_class_candidates_unknown() -> None:
    codes = [CRIME, POLITICS, SPORT, CONFLICT]
    examples = [
        Example("a", (CRIME, CONFLICT), "ecb", "g1", editor=True),
        Example("b", (POLITICS, CONFLICT, CRIME), "ag", "g2"),
        Example("c", (POLITICS, CONFLICT, CRIME), "ag", "g3"),
    ]
    hits = np.array([[0, 0, 0, 0], [0, 0, 0, 4], [0, 0, 0, 0]])
    assert targets(examples, codes, hits).tolist() == [
        [1, 0, 0, 1],
        [-1, -1, 0, 1],
        [-1, 1, 0, -1],
    ]


@pytest.mark.pure
def test_thresholds_keep_what_is_right_more_often_than_wrong() -> None:
    codes = [SPORT, POLITICS]
    # sport is the best code everywhere; right from 0.6 up, wrong below
    values = np.linspace(0.3, 0.9, 20)
    examples = [
        Example(str(i), (SPORT,) if value >= 0.6 else (POLITICS,), "d", str(i))
        for i, value in enumerate(values)
    ]
    scores = np.array([[value, 0.1] for value in values])
    thresholds = fit_thresholds(scores, examples, codes, costs={"d": 1.0})
    assert 0.575 < thresholds[0] <= 0.6
    # a dataset that never lists sport cannot judge it: no wrong counted there
    other = [Example("x", (POLITICS,), "other", "x")]
    both = fit_thresholds(
        np.vstack([scores, [[0.95, 0.1]]]), examples + other, codes, costs={"d": 1.0}
    )
    assert both[0] == thresholds[0]


@pytest.mark.pure
def test_calibrate_holds_the_judged_precision_and_no_more() -> None:
    codes = [SPORT, POLITICS]
    values = np.linspace(0.3, 0.9, 20)
    # real reporting: sport is right from 0.6 up; a dataset class where sport is always right
    judged = [
        Example(f"e{i}", (SPORT,) if v >= 0.6 else (POLITICS,), "ecb", f"e{i}", editor=True)
        for i, v in enumerate(values)
    ]
    easy = [Example(f"a{i}", (SPORT,), "ag", f"a{i}") for i in range(len(values))]
    scores = np.array([[v, 0.1] for v in values] * 2)
    examples = judged + easy

    def sport(precision: float) -> float:
        found = calibrate(
            scores, examples, codes, precision=precision, judge="ecb", wrong_cost=0.25
        )
        return float(found[0])

    assert sport(0.0) == 0.0  # no precision wanted: nothing right is withheld
    assert 0.575 < sport(0.95) < 0.601  # just high enough for the judged texts


@pytest.mark.pure
def test_calibrated_thresholds_need_the_texts_own_evidence() -> None:
    examples = examples_of(list(VOCAB), n=16)
    model = train_examples(examples, min_df=1, spec=SMALL, seeds=SEEDS, evidence=1.0)
    base = 1.0 / (1.0 + np.exp(-(model.intercept + 1.0)))
    assert np.all(model.thresholds >= base - 1e-6)
    assert model.classify(["", "zzz qqq"]) == [[], []]  # no known words: no topic
    sport = model.classify(["The striker scored twice. The match ended in a draw."])[0]
    assert sport and sport[0]["code"] == SPORT


@pytest.mark.pure
def test_log_count_ratio_scales_telling_columns_up() -> None:
    # columns: only in positives, in every text, only in negatives
    features = sp.csr_matrix(np.array([[1, 1, 0], [2, 1, 0], [0, 1, 1], [0, 3, 1]], float))
    scale = log_count_ratio(features, np.array([True, True, False, False]))
    # add-one counts: positives (3, 3, 1) of 7, negatives (1, 3, 3) of 7
    assert scale == pytest.approx([np.log(3.0), 0.0, np.log(3.0)], abs=1e-6)


@pytest.mark.pure
def test_topic_text_puts_the_headline_first() -> None:
    assert topic_text("Cup win", "The Reds won.") == "Cup win\n\nThe Reds won."
    assert topic_text("", "Body only.") == "Body only."


@pytest.mark.pure
def test_shipped_model_publishes_sport_and_abstains_on_noise() -> None:
    model = TopicClassifier.load()
    topics = model.classify(
        [
            "The midfielder scored a late winner as the champions beat the "
            "league leaders at their stadium on Saturday.",
            "Lorem ipsum dolor sit amet.",
        ]
    )
    assert topics[0][0]["code"] == SPORT and topics[0][0]["score"] > 0.5
    assert topics[1] == []
    assert {"medtop:02000000", "medtop:03000000", "medtop:16000000"} <= set(model.codes)
