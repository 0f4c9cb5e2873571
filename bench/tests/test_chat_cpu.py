"""What `bench.chat_cpu` compares: two settings of this checkout, or another checkout's code."""

from pathlib import Path

from bench.chat_cpu import FRAMES, variants
from testing.processes import BASE_DIR


def test_by_default_one_frame_per_token_is_the_reference_for_joined_tokens():
    assert variants(None) == FRAMES
    (reference, _), (measured, _) = FRAMES.values()
    assert reference == measured == BASE_DIR


def test_a_baseline_checkout_is_the_reference_for_this_one_both_on_their_defaults():
    earlier = Path("/tmp/before")
    assert list(variants(earlier).values()) == [(earlier, {}), (BASE_DIR, {})]
