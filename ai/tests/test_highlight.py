from ai.highlight import highlight


def test_matching_words_are_marked_whatever_their_accents_case_and_form():
    assert highlight("Les Congés annuels", "conge annuel") == (
        "Les <mark>Congés</mark> <mark>annuels</mark>"
    )


def test_the_passage_is_escaped_so_it_is_safe_html():
    marked = highlight('<script>alert("congé")</script> & congé', "congé")
    assert "<script>" not in marked
    assert marked == (
        "&lt;script&gt;alert(&quot;<mark>congé</mark>&quot;)&lt;/script&gt; "
        "&amp; <mark>congé</mark>"
    )


def test_stop_words_of_the_query_mark_nothing():
    assert highlight("le report de la demande", "le la de") == "le report de la demande"
