"""What an answer is asked with: the category's prompt, or the default one when a prompt
saved before prompts were validated cannot be filled in."""

import pytest

from ai.prompts import DEFAULT_SYSTEM_PROMPT
from chat.complete_answers import answer_now
from documents.models import Category

QUESTION = "Combien de jours de télétravail par semaine ?"


def prompt_sent(llm_server) -> str:
    [request] = llm_server.requests_to("/v1/chat/completions")
    return request.body["messages"][-1]["content"]


def test_the_categorys_own_prompt_is_used(category, user, llm_server):
    Category.objects.filter(pk=category.pk).update(
        system_prompt="Consigne maison.\n{context}\nQ : {question}"
    )

    answer_now(user_id=user.pk, question=QUESTION, category_slug=category.slug)

    assert prompt_sent(llm_server).startswith("Consigne maison.")


@pytest.mark.parametrize(
    "broken",
    ["Consigne maison.\n{contexte}\nQ : {question}", "Consigne maison { {context} {question}"],
)
def test_a_broken_prompt_saved_before_validation_falls_back_to_the_default(
    category, user, llm_server, broken
):
    # `update` skips the model's validation, as the rows saved before it existed did.
    Category.objects.filter(pk=category.pk).update(system_prompt=broken)

    result = answer_now(user_id=user.pk, question=QUESTION, category_slug=category.slug)

    assert result["citations"] == [1]
    sent = prompt_sent(llm_server)
    assert sent.startswith(DEFAULT_SYSTEM_PROMPT.split("\n")[0])
    assert "Consigne maison" not in sent
