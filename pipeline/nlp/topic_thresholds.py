"""Topic thresholds: per code, the score its best-scored texts need to be published, calibrated
on out-of-fold scores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from pipeline.nlp.topic_data import Example

# What a wrong topic may cost in the judged dataset while its precision target is sought.
JUDGE_COSTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
# Without texts of the judged dataset: a wrong topic costs this much everywhere.
FALLBACK_COST = 1.5


def fit_thresholds(
    scores: np.ndarray,
    examples: Sequence[Example],
    codes: Sequence[str],
    *,
    costs: Mapping[str, float],
) -> np.ndarray:
    """Per code, the threshold its best-scored texts must reach to be published: the one that
    maximizes right minus ``costs[dataset]`` x wrong publications, summed over the datasets that
    can express the code (some example lists it), each dataset weighted by 1 / its size.

    Args:
        scores: out-of-fold scores ``(examples, codes)``.
        examples: the examples scored (their ``codes`` say what is right).
        codes: the model's codes.
        costs: what a wrong topic costs next to a right one, per dataset (an abstention costs
            0; a dataset not listed: 1).
    """
    right = np.array([[code in e.codes for code in codes] for e in examples])
    datasets = np.array([e.dataset for e in examples])
    best, confidence = scores.argmax(axis=1), scores.max(axis=1)
    grid = np.round(np.arange(0.0, 0.976, 0.025), 3)
    thresholds = np.zeros(len(codes), dtype=np.float32)
    for j in range(len(codes)):
        # a dataset whose labels cannot say this code cannot tell whether it is right
        names = sorted(set(datasets[right[:, j]].tolist()))
        gains = []
        for value in grid:
            published = (best == j) & (confidence >= value)
            gain = 0.0
            for name in names:
                hits = right[published & (datasets == name), j]
                cost = costs.get(name, 1.0)
                gain += (hits.sum() - cost * (~hits).sum()) / (datasets == name).sum()
            gains.append(gain)
        thresholds[j] = grid[int(np.argmax(gains))]  # ties: the lowest threshold
    return thresholds


def calibrate(
    scores: np.ndarray,
    examples: Sequence[Example],
    codes: Sequence[str],
    *,
    precision: float,
    judge: str,
    wrong_cost: float,
    floors: np.ndarray | None = None,
) -> np.ndarray:
    """Thresholds that lose the least accuracy while the ``judge`` dataset's first topics keep
    ``precision``: a wrong topic costs ``wrong_cost`` everywhere except in ``judge``, whose
    cost rises until its out-of-fold precision reaches ``precision`` (the highest tried if
    none does; without ``judge`` data a wrong topic costs ``FALLBACK_COST`` everywhere).

    Args:
        scores: out-of-fold scores ``(examples, codes)``.
        examples: the examples scored.
        codes: the model's codes.
        precision: the precision wanted on ``judge``'s texts.
        judge: the dataset name whose precision is held (real reporting, an editor's labels).
        wrong_cost: what a wrong topic costs in the other datasets.
        floors: the lowest threshold allowed per code (default 0).
    """
    lowest = np.zeros(len(codes), dtype=np.float32) if floors is None else floors
    judged = np.array([e.dataset == judge for e in examples])
    names = {e.dataset for e in examples}
    if not judged.any():
        costs = dict.fromkeys(names, FALLBACK_COST)
        return np.asarray(np.maximum(fit_thresholds(scores, examples, codes, costs=costs), lowest))
    best, confidence = scores[judged].argmax(axis=1), scores[judged].max(axis=1)
    gold = [e.codes for e in examples if e.dataset == judge]
    right = np.array([codes[i] in ok for i, ok in zip(best, gold, strict=True)])
    for cost in JUDGE_COSTS:
        costs = dict.fromkeys(names, wrong_cost) | {judge: cost}
        found = fit_thresholds(scores, examples, codes, costs=costs)
        thresholds = np.asarray(np.maximum(found, lowest), dtype=np.float32)
        published = confidence >= thresholds[best]
        if right[published].sum() >= precision * max(published.sum(), 1):
            break
    return thresholds
