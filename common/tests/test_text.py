from common.text import normalize_question, question_hash


def test_normalized_question_is_lowercase_without_accents_or_extra_spaces():
    assert normalize_question("  Où   déposer\tla DEMANDE ? ") == "ou deposer la demande"


def test_inner_punctuation_is_kept():
    assert normalize_question("Congé : quel délai, en jours ?") == "conge : quel delai, en jours"


def test_question_hash_is_stable_hex_sha256():
    digest = question_hash("Quel délai ?")
    assert digest == question_hash("quel delai")
    assert len(digest) == 64 and int(digest, 16) >= 0
