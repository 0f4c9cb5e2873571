"""What an answer is asked with: the category's prompt, or the default one when a prompt
saved before prompts were validated cannot be filled in; the model that answers a question
asked across every category."""

import pytest

from ai.models import LanguageModel
from ai.prompts import DEFAULT_SYSTEM_PROMPT
from chat.answering import Done, answer_question, in_thread
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


async def answer_across_categories(user) -> Done:
    *_, done = [event async for event in answer_question(user_id=user.pk, question=QUESTION)]
    return done


def give_model(category: Category, **fields) -> None:
    category.language_model = LanguageModel.objects.create(name="Modèle RH", **fields)
    category.save()


async def test_asked_across_categories_without_a_site_model_the_categories_model_answers(
    category, user, llm_server, settings
):
    settings.LLM_PROVIDER = LanguageModel.Kind.EXTRACTIVE
    await in_thread(
        give_model,
        category=category,
        kind=LanguageModel.Kind.COMPATIBLE,
        base_url=llm_server.base_url,
        api_key="test-key",
        model="rh-model",
    )

    done = await answer_across_categories(user)

    [request] = llm_server.requests_to("/v1/chat/completions")
    assert request.body["model"] == "rh-model"
    assert "aucun modèle" not in done.answer


async def test_asked_across_categories_the_sites_model_answers_when_there_is_one(
    category, user, llm_server
):
    await in_thread(
        give_model, category=category, kind=LanguageModel.Kind.EXTRACTIVE, model="extraits"
    )

    await answer_across_categories(user)

    [request] = llm_server.requests_to("/v1/chat/completions")
    assert request.body["model"] == "test-model"
