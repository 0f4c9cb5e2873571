"""The citation check: each sentence of an answer against the passages it cites."""

import time

import pytest

from ai import citation_check
from ai.citation_check import (
    SUPPORT_THRESHOLD,
    Sentence,
    check_answer,
    faithfulness,
    lexical_coverage,
    not_checked,
    split_sentences,
    states_something,
)
from ai.embeddings import EmbeddingUnavailable
from ai.figures import extract_figures, passage_figures
from ai.tests.embedding_spy import embedded_batches

MEALS = (
    "Restauration. L'agent qui déjeune au restaurant administratif bénéficie d'une "
    "prestation repas de 1,50 € par repas, dans la limite d'un repas par jour travaillé. "
    "Les agents en mission hors de la résidence administrative sont remboursés "
    "forfaitairement à hauteur de 20 euros par repas."
)
TELEWORK = (
    "Travail à distance. Le télétravail est autorisé deux jours par semaine pour les agents "
    "à temps plein, après accord écrit du chef de service."
)
SICK_LEAVE = (
    "Congé de maladie. L'agent doit transmettre son arrêt de travail à son service dans un "
    "délai de quarante-huit heures. À défaut, sa rémunération peut être réduite de moitié "
    "pour la période écoulée entre la date de prescription et la date d'envoi."
)
PASSAGES = {1: MEALS, 2: TELEWORK, 3: SICK_LEAVE}


def checked(answer: str) -> list[dict]:
    return check_answer(answer=answer, passages=PASSAGES)["sentences"]


def codes(answer: str) -> list[list[str]]:
    return [[flag["code"] for flag in sentence["flags"]] for sentence in checked(answer)]


# --- Sentences --------------------------------------------------------------------------


def test_an_answer_is_cut_into_sentences_each_with_its_citations():
    sentences = split_sentences("Deux jours [2]. Un accord écrit est requis [2, 1] ! Et ensuite ?")
    assert [(s.text, s.citations) for s in sentences] == [
        ("Deux jours [2].", [2]),
        ("Un accord écrit est requis [2, 1] !", [2, 1]),
        ("Et ensuite ?", []),
    ]


def test_citations_after_the_full_stop_belong_to_the_sentence_before():
    sentences = split_sentences("Deux jours par semaine. [2] Sur accord écrit.")
    assert [(s.text, s.citations) for s in sentences] == [
        ("Deux jours par semaine. [2]", [2]),
        ("Sur accord écrit.", []),
    ]


def test_abbreviations_decimals_and_legal_references_do_not_end_a_sentence():
    answer = "Selon l'art. 5 et l'article L. 1234-5, M. Dupont paie 2.50 euros [1]. Fin."
    assert [s.text for s in split_sentences(answer)] == [
        "Selon l'art. 5 et l'article L. 1234-5, M. Dupont paie 2.50 euros [1].",
        "Fin.",
    ]


def test_list_items_and_headings_are_sentences_without_their_markers_and_code_is_left_out():
    answer = "## Règles\n\n- Deux jours [2]\n1. Un accord **écrit** [2].\n```\nx = 1. Y\n```"
    sentences = split_sentences(answer)
    assert [s.text for s in sentences] == ["Règles", "Deux jours [2]", "Un accord **écrit** [2]."]
    assert sentences[2].claim == "Un accord écrit."


@pytest.mark.parametrize(
    ("text", "checked"),
    [
        ("Voici les cas prévus par la note :", False),
        ("Oui.", False),
        ("Voir [2].", False),
        ("Deux jours.", True),  # a figure
        ("Le télétravail demande un accord écrit.", True),
    ],
)
def test_only_a_sentence_that_states_something_is_checked(text, checked):
    assert states_something(Sentence(text=text, citations=[])) is checked


# --- Support ----------------------------------------------------------------------------


def test_coverage_counts_the_sentence_terms_and_figures_the_passage_holds():
    assert lexical_coverage("Le télétravail est autorisé deux jours par semaine.", TELEWORK) == 1
    assert lexical_coverage("Le repas coûte 20 euros en mission.", TELEWORK) == 0
    # "48 heures" is found in "quarante-huit heures"
    assert lexical_coverage("Transmettre l'arrêt sous 48 heures.", SICK_LEAVE) == 1


def test_a_correct_paraphrase_is_not_flagged():
    sentences = checked(
        "Au restaurant administratif, une prestation de 1.50 euro est versée pour chaque "
        "repas [1]. En cas de retard, votre salaire peut être diminué de moitié [3]."
    )
    assert [s["flags"] for s in sentences] == [[], []]
    assert all(s["support"] >= SUPPORT_THRESHOLD for s in sentences)


def test_a_wrong_amount_is_flagged_with_the_source_it_is_missing_from():
    (sentence,) = checked("La prestation repas est de 2,50 € par repas [1].")
    assert sentence["flags"] == [
        {
            "code": "figure_missing",
            "message": "montant « 2,50 € » introuvable dans la source [1]",
        }
    ]
    assert sentence["support"] >= SUPPORT_THRESHOLD  # the rest of the sentence is right


@pytest.mark.parametrize(
    ("sentence", "message"),
    [
        ("L'arrêt est transmis sous trois jours [3].", "durée « trois jours » introuvable"),
        ("Le télétravail est autorisé depuis le 1er mars 2024 [2].", "date « 1er mars 2024 »"),
        ("Le télétravail concerne 80 % des agents [2].", "pourcentage « 80 % »"),
        ("Le télétravail est régi par la note 12 [2].", "nombre « 12 » introuvable"),
    ],
)
def test_each_kind_of_figure_says_what_is_missing(sentence, message):
    (checked_sentence,) = checked(sentence)
    assert message in checked_sentence["flags"][-1]["message"]


def test_a_figure_found_in_any_of_the_cited_passages_is_enough():
    assert codes("Les missions sont remboursées 20 euros par repas [2, 1].") == [[]]
    (sentence,) = checked("Les repas coûtent 3 euros [2, 1].")
    assert sentence["flags"][-1]["message"].endswith("introuvable dans les sources [2, 1]")


def test_a_wrong_citation_number_is_flagged_as_not_supporting_the_sentence():
    (sentence,) = checked("Votre salaire peut être réduit de moitié en cas de retard [2].")
    assert sentence["support"] < SUPPORT_THRESHOLD
    assert sentence["flags"] == [
        {
            "code": "unsupported",
            "message": "la source [2] ne semble pas appuyer cette phrase",
        }
    ]


def test_a_citation_of_no_source_is_flagged_even_in_a_short_sentence():
    assert codes("Voir [7].") == [["unknown_source"]]
    assert checked("Voir [7].")[0]["flags"][0]["message"] == "la source [7] n'existe pas"


def test_a_sentence_without_citation_is_flagged():
    assert codes("Le télétravail est autorisé deux jours par semaine.") == [["no_citation"]]
    assert checked("Le télétravail est possible sur demande.")[0]["flags"][0]["message"] == (
        "phrase sans citation"
    )


def test_the_checks_count_the_sentences_checked_and_flagged():
    checks = check_answer(
        answer="Voici la règle :\n\n- Deux jours par semaine [2].\n- Il faut l'accord du maire.",
        passages=PASSAGES,
    )
    assert (checks["status"], checks["checked"], checks["flagged"]) == ("checked", 2, 1)
    assert faithfulness(checks) == 0.5


def test_sentences_their_passages_words_support_ask_no_embedding(monkeypatch):
    batches = embedded_batches(monkeypatch)

    checks = check_answer(
        answer="Le télétravail est autorisé deux jours par semaine [2]. Sans citation ici.",
        passages=PASSAGES,
    )

    assert batches == []
    assert checks["sentences"][0]["support"] >= SUPPORT_THRESHOLD


def test_the_sentences_coverage_leaves_open_and_only_their_passages_are_embedded_at_once(
    monkeypatch,
):
    batches = embedded_batches(monkeypatch)
    paraphrase = "En cas de retard, votre salaire peut être diminué de moitié [3]."

    checks = check_answer(
        answer=f"Le télétravail est autorisé deux jours par semaine [2]. {paraphrase}",
        passages=PASSAGES,
    )

    assert len(batches) == 1
    assert not any(TELEWORK in text or "Travail à distance" in text for text in batches[0])
    assert SICK_LEAVE in batches[0]
    assert [s["flags"] for s in checks["sentences"]] == [[], []]


def test_a_passage_s_stored_vector_stands_for_the_whole_passage_instead_of_embedding_it(
    monkeypatch,
):
    batches = embedded_batches(monkeypatch)
    claim = "En cas de retard, votre salaire peut être diminué de moitié"
    asked = []

    def stored_vectors(numbers: list[int]) -> dict[int, list[float]]:
        asked.append(numbers)
        # The claim's own vector: whatever the text, the stored vector is what is compared.
        return {3: citation_check.get_embedder().embed([claim])[0]}

    checks = check_answer(answer=f"{claim} [3].", passages=PASSAGES, stored_vectors=stored_vectors)

    assert asked == [[3]]
    assert SICK_LEAVE not in batches[-1]
    assert checks["sentences"][0]["support"] > 0.95  # its own sentence, the period aside


def test_without_the_embedder_the_lexical_view_alone_decides(monkeypatch):
    def unavailable():
        raise EmbeddingUnavailable("down")

    monkeypatch.setattr(
        citation_check,
        "get_embedder",
        lambda: type("Down", (), {"embed": lambda s, t: unavailable()})(),
    )

    assert codes("Le télétravail est autorisé deux jours par semaine [2].") == [[]]
    assert codes("Votre salaire peut être réduit de moitié en cas de retard [2].") == [
        ["unsupported"]
    ]


def test_an_answer_that_is_not_generated_is_marked_as_such():
    assert not_checked("extractive") == {
        "status": "extractive",
        "checked": 0,
        "flagged": 0,
        "sentences": [],
    }
    assert faithfulness(not_checked("correction")) is None


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "text",
    [
        "un" + " " * 100_000 + "x",
        "cinq" + " " * 100_000 + "millions",
        " " * 100_000 + "[1]",
        "A. " * 30_000,
        "a" * 100_000 + ". B",
        "[1, " * 30_000,
        "1 000" * 20_000,
    ],
)
def test_a_pathological_answer_or_passage_is_read_in_linear_time(text):
    """Each took from seconds to minutes with adjacent optional spaces in a pattern
    (`\\s*(millions)?\\s*`: 570 s for the first) or a search restarted at each space."""
    started = time.monotonic()
    sentences = split_sentences(text)
    extract_figures(text)
    passage_figures(text)
    lexical_coverage(text[:20_000], text)
    assert [states_something(sentence) for sentence in sentences[:100]]
    assert time.monotonic() - started < 20
