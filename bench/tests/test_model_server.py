from bench.model_server import ANSWER, answer_words, model_total_ms


def test_the_answer_cites_a_source_as_a_grounded_model_would():
    assert "[1]" in ANSWER


def test_the_model_takes_its_first_token_delay_then_one_delay_per_further_word():
    words = answer_words()
    assert words > 40
    assert model_total_ms(first_token_ms=200, token_ms=10) == 200 + (words - 1) * 10
