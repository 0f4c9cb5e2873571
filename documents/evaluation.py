"""Evaluating retrieval on a category: the expected documents of a question file found
among the category's documents, then every question searched in every mode."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from ai.evaluation import DEFAULT_MODES, Case, Evaluation, Question, Scope, evaluate
from ai.relevance import site_threshold
from ai.rerank import reranker_for
from ai.retrieval import Mode
from common.text import normalize_question
from documents.models import Category
from documents.selectors import relevance_thresholds


@dataclass(frozen=True)
class CategoryEvaluation:
    evaluation: Evaluation
    # Left out of the metrics: their expected document is not in the category.
    unknown_documents: list[Question] = field(default_factory=list)


def evaluate_category(
    *,
    category: Category,
    questions: Sequence[Question],
    modes: Sequence[Mode] = DEFAULT_MODES,
    out_of_scope: Sequence[Question] = (),
    on_progress: Callable[[int], None] | None = None,
) -> CategoryEvaluation:
    """Rank each question's expected passage within `category`, in each mode; count the
    questions answered and the `out_of_scope` ones refused, with the category's threshold
    and reranker.

    A question whose expected document matches none of the category's documents is left
    out of the metrics and reported, rather than counted as a miss: a typo in the question
    file is not a retrieval failure.
    """
    names = document_names(category)
    cases, unknown = [], []
    for question in questions:
        if not question.expected_document:
            cases.append(Case(question))
        elif document_ids := names.get(_key(question.expected_document)) or names.get(
            _key(PurePath(question.expected_document.replace("\\", "/")).name)
        ):
            cases.append(Case(question, frozenset(document_ids)))
        else:
            unknown.append(question)
    scope = Scope(
        thresholds=relevance_thresholds([category.pk]),
        default_threshold=site_threshold(),
        reranker=reranker_for(category.rerank_model),
    )
    evaluation = evaluate(
        cases,
        category_ids=[category.pk],
        modes=modes,
        scope=scope,
        out_of_scope=out_of_scope,
        on_progress=on_progress,
    )
    return CategoryEvaluation(evaluation, unknown)


def document_names(category: Category) -> dict[str, set[int]]:
    """The ids of the category's documents by each name an admin may give them: file name,
    file name without extension, title; compared without case, accents or extra spaces."""
    names: dict[str, set[int]] = defaultdict(set)
    documents = category.documents.values_list("pk", "original_filename", "title")
    for pk, filename, title in documents:
        for name in (filename, PurePath(filename).stem if filename else "", title):
            if name:
                names[_key(name)].add(pk)
    return dict(names)


def _key(name: str) -> str:
    return normalize_question(name)
