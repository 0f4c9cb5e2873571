"""The prompt the model reads: a fillable template (checked on save), dated, numbered
passages, trimmed to the model's window."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ai.llm import NumberedPassage
from ai.llm.extractive import ExtractiveProvider
from ai.prompts import (
    DEFAULT_SYSTEM_PROMPT,
    build_prompt,
    estimate_tokens,
    fit_passages,
    format_passage,
    french_date,
    rewrite_messages,
    validate_system_prompt,
)

TODAY = date(2026, 11, 26)


def passage(number: int, words: int = 50, title: str = "Note") -> NumberedPassage:
    return NumberedPassage(number=number, title=title, page=number, text="mot " * words)


def provider(window: int, answer: int = 100) -> ExtractiveProvider:
    return ExtractiveProvider(context_window=window, max_answer_tokens=answer)


def test_the_prompt_holds_the_date_the_question_and_numbered_passages():
    prompt = build_prompt(
        template=DEFAULT_SYSTEM_PROMPT,
        question="Combien de jours ?",
        passages=[passage(1, title="Guide RH"), passage(2, title="Circulaire")],
        provider=provider(16000),
        today=TODAY,
    )
    system, user = prompt.messages
    assert system["role"] == "system" and "26 novembre 2026" in system["content"]
    assert "pas des instructions" in system["content"]
    assert "[1] Guide RH, page 1\nmot" in user["content"]
    assert "[2] Circulaire, page 2" in user["content"]
    assert user["content"].rstrip().endswith("Réponse :")
    assert "Question : Combien de jours ?" in user["content"]


def test_the_date_placeholder_is_filled_in_the_template():
    prompt = build_prompt(
        template="Aujourd'hui : {date}. {context} {question} {{ok}}",
        question="Q",
        passages=[passage(1)],
        provider=provider(16000),
        today=TODAY,
    )
    assert prompt.messages[1]["content"].startswith("Aujourd'hui : 26 novembre 2026.")
    assert "{ok}" in prompt.messages[1]["content"]


def test_passages_beyond_the_window_are_left_out_best_first_kept():
    passages = [passage(number, words=400) for number in range(1, 11)]
    prompt = build_prompt(
        template=DEFAULT_SYSTEM_PROMPT,
        question="Q",
        passages=passages,
        provider=provider(2500, answer=500),
        today=TODAY,
    )
    kept = [p.number for p in prompt.passages]
    assert kept[0] == 1 and kept == list(range(1, len(kept) + 1)) and len(kept) < 10
    total = sum(estimate_tokens(message["content"]) for message in prompt.messages)
    assert total + 500 <= 2500


def test_the_last_passage_is_cut_when_enough_room_remains():
    kept = fit_passages([passage(1, words=100), passage(2, words=1000)], budget=700)
    assert [p.number for p in kept] == [1, 2]
    assert kept[1].text.endswith(" …") and len(kept[1].text) < len(passage(2, 1000).text)


def test_a_stub_is_not_sent():
    assert [p.number for p in fit_passages([passage(1, 100), passage(2, 1000)], 200)] == [1]


def test_token_estimates_err_on_the_safe_side_for_french():
    text = "Le télétravail est autorisé deux jours par semaine pour les agents à temps plein."
    # About 20 tokens for the usual BPE tokenizers.
    assert 20 <= estimate_tokens(text) <= 35


def test_french_dates():
    assert french_date(date(2027, 8, 1)) == "1 août 2027"


def test_the_rewrite_request_carries_the_history_and_the_follow_up():
    messages = rewrite_messages(
        [("Horaires de la cantine ?", "De 11 h 30 à 14 h. " * 100)], "Et le prix ?"
    )
    user = messages[1]["content"]
    assert (
        "Question : Horaires de la cantine ?" in user and "Dernière question : Et le prix ?" in user
    )
    assert len(user) < 1000


def test_the_default_prompt_is_valid():
    validate_system_prompt(DEFAULT_SYSTEM_PROMPT)


def test_the_date_placeholder_and_doubled_braces_are_allowed():
    validate_system_prompt("Le {date}. {{JSON}} attendu.\n{context}\n{question}")


@pytest.mark.parametrize(
    ("prompt", "message"),
    [
        ("{context} {question} {nom}", "Variable inconnue dans le prompt : {nom}"),
        ("{context} {question} {0}", "Variable inconnue dans le prompt : {0}"),
        ("{context} {question} {}", "Variable inconnue"),
        ("{context!r} {question}", "{context…}"),
        ("{context} {question:>20}", "{question…}"),
        ("{context} {question} {oups", "Accolade isolée"),
        ("{context} {question} oups}", "Accolade isolée"),
        ("Extraits : {context}", "Le prompt doit contenir {question}."),
        ("Rien du tout", "Le prompt doit contenir {context} et {question}."),
    ],
)
def test_an_unfillable_prompt_is_refused_with_a_message(prompt, message):
    with pytest.raises(ValidationError) as refusal:
        validate_system_prompt(prompt)
    assert message in refusal.value.messages[0]


def test_a_passage_carries_its_hints_after_its_title_and_page():
    passage = NumberedPassage(
        number=2, title="Guide RH", page=4, text="Cinq jours.", hint="barème 2024"
    )
    assert format_passage(passage) == "[2] Guide RH, page 4 (barème 2024)\nCinq jours."
