"""Fitting the offline relevance model: a logistic model that separates what answers from
what does not, and the highest threshold that still answers enough questions."""

import numpy as np
import pytest

from ai.relevance import FEATURES
from bench.relevance_fit import Rows, best_scores, fit, required_share, threshold_for


def rows_where_one_feature_decides() -> Rows:
    rows = Rows.empty()
    rng = np.random.default_rng(3)
    for question in range(60):
        start = len(rows.labels)
        for candidate in range(5):
            answers = candidate == 0 and question % 4 != 3
            values = rng.normal(0.0, 1.0, len(FEATURES))
            values[FEATURES.index("term_coverage")] = 2.0 if answers else -1.0
            rows.features.append(list(values))
            rows.labels.append(1.0 if answers else 0.0)
            rows.weights.append(1.0 if question % 4 != 3 else 3.0)
        rows.questions.append((start, len(rows.labels), question % 4 != 3))
    return rows


def test_the_model_learns_the_feature_that_separates_answers():
    model = fit(rows_where_one_feature_decides())

    coverage = FEATURES.index("term_coverage")
    assert model.weights[coverage] == max(model.weights)
    assert model.weights[coverage] > 1.0


def test_in_scope_questions_score_above_out_of_scope_ones():
    rows = rows_where_one_feature_decides()
    scores = best_scores(fit(rows), rows)

    in_scope = [score for score, scoped in scores if scoped]
    out_of_scope = [score for score, scoped in scores if not scoped]
    assert min(in_scope) > max(out_of_scope)


def test_the_threshold_answers_enough_questions_of_every_set_with_a_margin():
    many = [0.1] * 2 + [0.2] * 3 + [0.9] * 95
    strict = [0.5] * 20

    assert required_share(100) == pytest.approx(0.986, abs=0.001)
    assert threshold_for([strict]) == 0.5
    assert threshold_for([many]) == 0.1
    assert threshold_for([many[2:]]) == 0.2
    assert threshold_for([]) == 0.0


def test_the_margin_shrinks_as_the_set_grows():
    assert required_share(20) == 1.0
    assert 0.95 < required_share(400) < required_share(100) < 1.0
