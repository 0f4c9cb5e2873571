from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models


class ProviderIdentity(models.Model):
    """The OpenID Connect account a user signs in with, and the groups its provider gave.

    The provider names a person by its subject (`sub`), which never changes, unlike an
    e-mail address. The groups are kept apart from the user's own so that the provider
    takes back only what it gave: a group granted in the admin stays.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="provider_identity",
        verbose_name="utilisateur",
    )
    issuer = models.CharField("fournisseur", max_length=255)
    subject = models.CharField("identifiant chez le fournisseur", max_length=255)
    groups = models.ManyToManyField(
        Group, blank=True, related_name="+", verbose_name="groupes donnés par le fournisseur"
    )

    class Meta:
        verbose_name = "identité OpenID Connect"
        verbose_name_plural = "identités OpenID Connect"
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="one_user_per_provider_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.issuer})"
