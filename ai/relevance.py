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
    # How far apart the question's candidates are (standard deviation over them):
    "passage_similarity_spread",
    "document_similarity_spread",
    "document_bm25_spread",
    "passage_bm25_spread",
)

# Fitted by `manage.py fit_relevance` on the dev halves (README, "Retrieval quality"):
# features standardised with MEANS and SCALES, then a logistic regression.
MEANS = (
    0.2560,
    0.1426,
    0.3655,
    0.3168,
    1.4413,
    0.3267,
    1.8853,
    0.2372,
    0.1555,
    0.3136,
    0.8140,
    4.9550,
    0.0279,
    0.0569,
    1.4076,
    1.8325,
)
SCALES = (
    0.2380,
    0.1969,
    0.3240,
    0.3680,
    2.0451,
    0.3755,
    2.6012,
    0.1211,
    0.1271,
    0.3516,
    0.3479,
    1.6529,
    0.0160,
    0.0237,
    0.9460,
    1.1510,
)
WEIGHTS = (
    0.2874,
    -0.0056,
    0.3293,
    0.5418,
    0.6014,
    0.3748,
    0.6960,
    0.9788,
    0.4710,
    0.3467,
    0.1260,
    -0.2302,
    -0.1420,
    -0.4077,
    -0.4345,
    0.0660,
)
BIAS = -2.8655

# The site's default: under it a candidate does not answer the question ("nothing found").
# Chosen on the dev halves: the highest keeping ≥ 95 % of each set's in-scope questions
# answered, with a margin for new questions (`bench.relevance_fit.required_share`).
DEFAULT_THRESHOLD = 0.59


@dataclass(frozen=True)
class Model:
    means: Sequence[float]
    scales: Sequence[float]
    weights: Sequence[float]
    bias: float

    def probability(self, features: Mapping[str, float | None]) -> float:
        """A feature that could not be measured (None: no embedding model for this search)
        counts as average: it neither helps nor hurts."""
        z = self.bias + sum(
            weight * (value - mean) / scale
            for name, mean, scale, weight in zip(
                FEATURES, self.means, self.scales, self.weights, strict=True
            )
            if (value := features[name]) is not None
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


OFFLINE_MODEL = Model(means=MEANS, scales=SCALES, weights=WEIGHTS, bias=BIAS)


def site_threshold() -> float:
    """RELEVANCE_THRESHOLD, else the threshold chosen on the evaluation sets."""
    configured = settings.RELEVANCE_THRESHOLD
    return DEFAULT_THRESHOLD if configured is None else configured
