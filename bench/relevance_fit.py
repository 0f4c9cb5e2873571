"""Fitting the offline relevance model (`ai.relevance`) on the dev halves of the evaluation
sets, and choosing the site's threshold.

Each dev question is searched in its category; every hybrid candidate is a training row:
positive when it is the expected document, negative otherwise, and every candidate of an
out-of-scope question is negative — which is what makes the score comparable across
questions. A logistic regression (features standardised, classes weighted equally, an L2
penalty) gives the weights; the threshold is the highest that keeps at least
`ANSWERED_TARGET` of each set's in-scope questions answered. Nothing here reads a test
half: those are for `evaluate`, once the weights are in.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ai.relevance import FEATURES
from ai.retrieval import described_candidates

ANSWERED_TARGET = 0.95
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
            self.features.append([values[name] for name in FEATURES])
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


def fit(rows: Rows) -> Fitted:
    x = np.asarray(rows.features, dtype=float)
    y = np.asarray(rows.labels, dtype=float)
    weights = np.asarray(rows.weights, dtype=float)
    means, scales = x.mean(axis=0), x.std(axis=0) + 1e-9
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
    probabilities = model.probabilities(np.asarray(rows.features, dtype=float))
    return [
        (float(probabilities[start:end].max()) if end > start else 0.0, scoped)
        for start, end, scoped in rows.questions
    ]


def threshold_for(in_scope_per_set: Sequence[Sequence[float]]) -> float:
    """The highest threshold (to 0.01) answering ANSWERED_TARGET of every set's questions."""
    candidates = [
        math.floor(float(np.quantile(scores, 1 - ANSWERED_TARGET)) * 100) / 100
        for scores in in_scope_per_set
        if scores
    ]
    return max(0.0, min(candidates, default=0.0))
