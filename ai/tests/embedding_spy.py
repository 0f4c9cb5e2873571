"""A spy on the citation check's embedder, for the tests that ask what it embeds."""

from ai import citation_check


def embedded_batches(monkeypatch) -> list[list[str]]:
    """The batches the citation check embeds, recorded as the real embedder serves them."""
    batches: list[list[str]] = []
    embedder = citation_check.get_embedder()
    monkeypatch.setattr(
        citation_check,
        "get_embedder",
        lambda: type(
            "Recording", (), {"embed": lambda self, t: batches.append(t) or embedder.embed(t)}
        )(),
    )
    return batches
