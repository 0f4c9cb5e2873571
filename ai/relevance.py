"""How relevant a candidate is: one score in [0, 1], the same for every search mode.

The offline reranker describes each candidate (a document, through its best passage, or a
curated correction) by a few features — its place in the fused ranking, the dense and
BM25 evidence of its passage and of its whole document, how many of the question's terms
its passage holds, where the passage sits in the document — and a logistic model turns
them into the probability that it answers the question. The weights were fitted on the
dev halves of the evaluation sets, in-scope questions and out-of-scope ones
(`manage.py fit_relevance`, README "Retrieval quality"): the score is therefore
comparable across questions, which is what a threshold needs. A reranking API, when one is
configured, replaces the score with its own (`ai.rerank`).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings

# The features, in the order of WEIGHTS.
FEATURES = (
    "fused_share",  # fused score / the best candidate's
    "inverse_rank",  # 1 / rank in the fused ranking
    "early_passage",  # 1 / (1 + position of the passage in its document)
    "document_bm25_share",  # whole-document BM25 / the best document's
    "document_bm25",  # whole-document BM25 / number of query terms
    "passage_bm25_share",  # the passage's BM25 / the best passage's
    "passage_bm25",  # the passage's BM25 / number of query terms
    "passage_similarity",  # cosine of the question and the passage
    "document_similarity",  # cosine of the question and the mean of the document's passages
    "term_coverage",  # share of the question's terms found in the passage
    "question_coverage",  # share of the question's terms found in any candidate passage
    "log_length",  # log(1 + the document's length in terms)
)

# Fitted by `manage.py fit_relevance` on the dev halves (README, "Retrieval quality"):
# features standardised with MEANS and SCALES, then a logistic regression.
MEANS = (
    0.2918,
    0.1364,
    0.3594,
    0.4673,
    1.5936,
    0.4861,
    2.1097,
    0.2726,
    0.1649,
    0.4291,
    0.8939,
    5.7894,
)
SCALES = (
    0.2324,
    0.1922,
    0.3160,
    0.3272,
    1.1955,
    0.3322,
    1.5170,
    0.1054,
    0.1237,
    0.2511,
    0.1913,
    1.5289,
)
WEIGHTS = (
    0.4807,
    0.1697,
    0.5796,
    0.1691,
    0.3742,
    -0.0027,
    0.0905,
    0.6412,
    0.6788,
    0.4477,
    0.6256,
    -0.3094,
)
BIAS = -1.6643

# The site's default: under it a candidate does not answer the question ("nothing found").
# Chosen on the dev halves: the highest keeping ≥ 95 % of each set's in-scope questions
# answered.
DEFAULT_THRESHOLD = 0.78


@dataclass(frozen=True)
class Model:
    means: Sequence[float]
    scales: Sequence[float]
    weights: Sequence[float]
    bias: float

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.bias + sum(
            weight * (features[name] - mean) / scale
            for name, mean, scale, weight in zip(
                FEATURES, self.means, self.scales, self.weights, strict=True
            )
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


OFFLINE_MODEL = Model(means=MEANS, scales=SCALES, weights=WEIGHTS, bias=BIAS)


def site_threshold() -> float:
    """RELEVANCE_THRESHOLD, else the threshold chosen on the evaluation sets."""
    configured = settings.RELEVANCE_THRESHOLD
    return DEFAULT_THRESHOLD if configured is None else configured
