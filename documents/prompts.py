"""The system prompt of a category: the default (French, our users' language) and its rules."""

from string import Formatter

from django.core.exceptions import ValidationError

DEFAULT_SYSTEM_PROMPT = """Tu es Cassandre, l'assistant documentaire de l'organisation.
Réponds à la question en français, uniquement à partir des extraits de documents ci-dessous.
Cite tes sources avec leur numéro entre crochets, par exemple [1] ou [2].
Si les extraits ne permettent pas de répondre, dis-le clairement et n'invente rien.

Extraits :
{context}

Question : {question}

Réponse :"""

# The placeholders a system prompt may hold; the first two are required.
REQUIRED_PLACEHOLDERS = ("context", "question")
OPTIONAL_PLACEHOLDERS = ("date",)


def validate_system_prompt(prompt: str) -> None:
    """Refuse a prompt that could not be filled in: unknown placeholders, stray braces."""
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in Formatter().parse(prompt)
            if name is not None
        ]
    except ValueError as error:
        raise ValidationError(
            "Accolade isolée dans le prompt : pour écrire une accolade, doublez-la ({{ ou }}).",
            code="stray_brace",
        ) from error
    allowed = {*REQUIRED_PLACEHOLDERS, *OPTIONAL_PLACEHOLDERS}
    unknown = sorted(
        {"{" + name + "}" for name, spec, conversion in fields if name not in allowed}
        | {"{" + name + "…}" for name, spec, conversion in fields if spec or conversion}
    )
    if unknown:
        raise ValidationError(
            "Variable inconnue dans le prompt : %(unknown)s. Seules {context}, {question} et "
            "{date} sont remplacées ; pour écrire une accolade, doublez-la ({{ ou }}).",
            code="unknown_placeholder",
            params={"unknown": ", ".join(unknown)},
        )
    missing = [name for name in REQUIRED_PLACEHOLDERS if name not in {f[0] for f in fields}]
    if missing:
        raise ValidationError(
            "Le prompt doit contenir %(missing)s.",
            code="missing_placeholder",
            params={"missing": " et ".join("{" + name + "}" for name in missing)},
        )
