"""Fitting the offline relevance model (`ai.relevance`) on the dev halves of the evaluation
sets, and choosing the site's threshold.

Each dev question is searched in its category; every hybrid candidate is a training row:
positive when it is the expected document, negative otherwise, and every candidate of an
out-of-scope question is negative — which is what makes the score comparable across
questions. A logistic regression (features standardised, classes weighted equally, an L2
penalty) gives the weights; the threshold is the highest that keeps at least
`ANSWERED_TARGET` of each set's in-scope questions answered, with a margin for new
questions: on the dev questions it must answer `ANSWERED_TARGET` plus `CONFIDENCE_Z`
standard errors of a share measured on that many questions (the one-sided 95 % bound of a
binomial share), so that a held-out half of the same size still clears the target unless it
is unusually hard. Nothing here reads a test half: those are for `evaluate`, once the
weights are in.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ai.relevance import FEATURES
from ai.retrieval import described_candidates

ANSWERED_TARGET = 0.95
CONFIDENCE_Z = 1.645
L2 = 0.01
# An out-of-scope question's candidates weigh this much more than an in-scope question's
# wrong ones: what the threshold has to refuse.
OUT_OF_SCOPE_WEIGHT = 10.0
STEPS = 4000
LEARNING_RATE = 0.5


@dataclass
class Rows:
    """Training rows, and per question the indices of its candidates."""

    features: list[list[float]]
    labels: list[float]
    weights: list[float]
    questions: list[tuple[int, int, bool]]  # (first row, end, in scope), counted ones only

    @classmethod
    def empty(cls) -> "Rows":
        return cls(features=[], labels=[], weights=[], questions=[])

    def add(
        self, question: str, *, category_id: int, expected: set[int] | None, counted: bool = True
    ) -> None:
        """`expected`: the documents that answer it; None for an out-of-scope question.
        `counted`: whether it counts when the threshold is chosen (training rows only when
        False)."""
        start = len(self.labels)
        for document_id, values in described_candidates(question, category_ids=[category_id]):
            self.features.append([_measured(values[name]) for name in FEATURES])
            self.labels.append(1.0 if expected and document_id in expected else 0.0)
            self.weights.append(1.0 if expected is not None else OUT_OF_SCOPE_WEIGHT)
        if counted:
            self.questions.append((start, len(self.labels), expected is not None))


@dataclass(frozen=True)
class Fitted:
    means: list[float]
    scales: list[float]
    weights: list[float]
    bias: float

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        z = ((features - self.means) / self.scales) @ np.asarray(self.weights) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))

    def as_python(self, threshold: float) -> str:
        """The constants to paste into ai/relevance.py."""

        def listed(values: Sequence[float]) -> str:
            return "(" + ", ".join(f"{value:.4f}" for value in values) + ")"

        return (
            f"MEANS = {listed(self.means)}\nSCALES = {listed(self.scales)}\n"
            f"WEIGHTS = {listed(self.weights)}\nBIAS = {self.bias:.4f}\n"
            f"DEFAULT_THRESHOLD = {threshold:.2f}"
        )


def _measured(value: float | None) -> float:
    return math.nan if value is None else value


def fit(rows: Rows) -> Fitted:
    """An unmeasured feature (NaN) counts as average, as `ai.relevance.Model` counts it."""
    x = np.asarray(rows.features, dtype=float)
    y = np.asarray(rows.labels, dtype=float)
    weights = np.asarray(rows.weights, dtype=float)
    means = np.nanmean(x, axis=0)
    x = np.where(np.isnan(x), means, x)
    scales = x.std(axis=0) + 1e-9
    standard = np.hstack([(x - means) / scales, np.ones((len(x), 1))])
    positives = max(1.0, float((weights * y).sum()))
    negatives = max(1.0, float((weights * (1 - y)).sum()))
    balance = weights * np.where(y == 1, 0.5 / positives, 0.5 / negatives) * len(y)
    w = np.zeros(standard.shape[1])
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-standard @ w))
        gradient = standard.T @ ((p - y) * balance) / len(y) + L2 * np.r_[w[:-1], 0.0]
        w -= LEARNING_RATE * gradient
    return Fitted(list(means), list(scales), list(w[:-1]), float(w[-1]))


def best_scores(model: Fitted, rows: Rows) -> list[tuple[float, bool]]:
    """Per question, in order: its best candidate's probability, and whether it is in scope."""
    features = np.asarray(rows.features, dtype=float)
    probabilities = model.probabilities(np.where(np.isnan(features), model.means, features))
    return [
        (float(probabilities[start:end].max()) if end > start else 0.0, scoped)
        for start, end, scoped in rows.questions
    ]


def threshold_for(in_scope_per_set: Sequence[Sequence[float]]) -> float:
    """The highest threshold (to 0.01) answering, in every set, ANSWERED_TARGET of its
    questions plus the margin of a share measured on that many questions."""
    candidates = [
        math.floor(lowest_answered(scores, required_share(len(scores))) * 100) / 100
        for scores in in_scope_per_set
        if scores
    ]
    return max(0.0, min(candidates, default=0.0))


def lowest_answered(scores: Sequence[float], share: float) -> float:
    """The score of the last question a threshold must let through to answer `share`."""
    needed = math.ceil(share * len(scores) - 1e-9)
    return sorted(scores, reverse=True)[max(needed, 1) - 1]


def required_share(questions: int) -> float:
    """ANSWERED_TARGET raised by CONFIDENCE_Z standard errors of a share of `questions`."""
    margin = CONFIDENCE_Z * math.sqrt(ANSWERED_TARGET * (1 - ANSWERED_TARGET) / questions)
    return min(1.0, ANSWERED_TARGET + margin)
