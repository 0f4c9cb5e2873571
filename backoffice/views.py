from base64 import b64encode

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

from ai.evaluation import (
    ANSWER_COLUMN,
    CUTOFFS,
    DEPTH,
    DOCUMENT_COLUMN,
    Evaluation,
    QuestionFileError,
    read_questions,
    report_csv,
)
from backoffice.forms import EvaluationForm, UploadForm
from common.accounts import staff_required
from common.ratelimit import UPLOADS, allowed, refusal, requester
from documents.evaluation import evaluate_category
from documents.progress import progress_of, progress_strings
from documents.uploads import IncomingFile, upload_files


@staff_required
@permission_required("documents.add_document", raise_exception=True)
def upload_documents(request):
    """Upload files and ZIP archives into a category, then list what became of each."""
    report, category, status = None, None, 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid() and not allowed(UPLOADS, requester(request)):
            form.add_error(None, refusal(UPLOADS))
            status = 429
        if form.is_valid():
            category = form.cleaned_data["category"]
            report = upload_files(
                category=category,
                files=[IncomingFile(file, file.name) for file in form.cleaned_data["files"]],
                hints=form.cleaned_data["hints"],
            )
            form = UploadForm(initial={"category": category})
    else:
        form = UploadForm(initial={"category": request.GET.get("category")})
    context = {
        "form": form,
        "report": report,
        "category": category,
        "progress_strings": progress_strings(),
        "upload_strings": {"chosen": gettext("{count} fichier(s) prêt(s) à déposer :")},
    }
    return render(request, "backoffice/upload.html", context, status=status)


# A changelist page shows at most a few hundred documents.
MAX_PROGRESS_IDS = 500
MAX_ID_DIGITS = 18


@staff_required
@permission_required("documents.view_document", raise_exception=True)
def document_progress(request: HttpRequest) -> JsonResponse:
    """`?ids=1,2,3` → the indexing progress of those documents (the admin list polls it)."""
    parts = (part.strip() for part in request.GET.get("ids", "").split(","))
    # An id longer than a database integer is no document (and would overflow the query).
    ids = [int(part) for part in parts if part.isdigit() and len(part) <= MAX_ID_DIGITS]
    return JsonResponse({"documents": progress_of(ids[:MAX_PROGRESS_IDS])})


@staff_required
def evaluate_retrieval(request):
    """Rank the expected passages of an uploaded question file in a category, per mode."""
    context: dict[str, object] = {"cutoffs": CUTOFFS, "depth": DEPTH}
    if request.method == "POST":
        form = EvaluationForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                questions = read_questions(
                    data["questions"].read(),
                    filename=data["questions"].name,
                    question_column=data["question_column"],
                    document_column=data["document_column"] or DOCUMENT_COLUMN,
                    answer_column=data["answer_column"] or ANSWER_COLUMN,
                )
            except QuestionFileError as error:
                form.add_error("questions", error.message)
            else:
                result = evaluate_category(category=data["category"], questions=questions)
                context.update(
                    _evaluation_tables(result.evaluation),
                    category=data["category"],
                    unknown_documents=result.unknown_documents,
                    report_url="data:text/csv;charset=utf-8;base64,"
                    + b64encode(report_csv(result.evaluation).encode()).decode(),
                )
    else:
        form = EvaluationForm(initial={"category": request.GET.get("category")})
    return render(request, "backoffice/evaluation.html", {"form": form, **context})


def _evaluation_tables(evaluation: Evaluation) -> dict[str, object]:
    """The metrics and the per-question ranks as rows, in the order of the modes."""
    modes = evaluation.modes
    return {
        "modes": modes,
        "metrics": [
            {
                "mode": metrics.mode,
                "questions": metrics.questions,
                "recalls": [metrics.recall[cutoff] for cutoff in CUTOFFS],
                "mrr": metrics.mrr,
            }
            for metrics in evaluation.metrics
        ],
        "outcomes": [
            {
                "question": outcome.question,
                "ranks": [outcome.ranks[mode] for mode in modes],
                "tops": [outcome.top_documents[mode] for mode in modes],
            }
            for outcome in evaluation.outcomes
        ],
    }
