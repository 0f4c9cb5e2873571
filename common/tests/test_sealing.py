"""Sealed text: opened with the site's key, or a former one still listed; never otherwise."""

from common.sealing import seal, unseal

TEXT = "Je suis Marie Dupont, 06 12 34 56 78."


def test_sealed_text_reads_as_nothing_and_opens_again():
    sealed = seal(TEXT)
    # The phone number whole, with or without its spaces: two digits alone ("06") turn up
    # by chance in 3 % of ciphertexts (4,000 sealed), which failed a CI run.
    assert "Dupont" not in sealed
    assert "0612345678" not in sealed and "06 12 34 56 78" not in sealed
    assert unseal(sealed) == TEXT


def test_text_sealed_before_a_key_rotation_opens_with_the_former_key_kept(settings):
    sealed = seal(TEXT)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-0123456789abcdefghijklmn"
    assert unseal(sealed) == TEXT


def test_text_sealed_under_a_key_since_dropped_cannot_be_opened(settings):
    sealed = seal(TEXT)
    settings.SECRET_KEY = "a-new-secret-key-after-rotation-0123456789abcdefghijklmn"
    settings.SECRET_KEY_FALLBACKS = []
    assert unseal(sealed) is None


def test_tampered_or_foreign_text_cannot_be_opened():
    assert unseal(seal(TEXT)[:-4] + "AAAA") is None
    assert unseal("pas un sceau") is None
    assert unseal("é") is None
