"""A category's system prompt is checked on save: it must be fillable."""

import pytest
from django.core.exceptions import ValidationError

from documents.prompts import DEFAULT_SYSTEM_PROMPT, validate_system_prompt
from documents.tests.factories import CategoryFactory


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


@pytest.mark.django_db
def test_the_category_form_refuses_a_broken_prompt():
    category = CategoryFactory.build(system_prompt="{contexte} {question}")
    with pytest.raises(ValidationError) as refusal:
        category.full_clean()
    assert "system_prompt" in refusal.value.message_dict
