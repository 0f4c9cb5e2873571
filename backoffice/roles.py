"""Staff roles. Administrators are superusers: everything. Editors are staff in the
"Éditeurs" group: they manage documents, corrections, the glossary and the review queue,
and read conversations — but not categories (access, prompt, models), language or reranking
models, users or API tokens: those permissions are never granted to the group."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

EDITORS = "Éditeurs"
EDITOR_PERMISSIONS = {
    "documents": {
        "document": ("add", "change", "delete", "view"),
        "correction": ("add", "change", "delete", "view"),
        "glossaryentry": ("add", "change", "delete", "view"),
        "category": ("view",),
        "categoryexport": ("view",),
    },
    "chat": {
        "correctionproposal": ("change", "view"),
        "conversation": ("view",),
        "exchange": ("view",),
        "feedback": ("view",),
    },
}


def ensure_editor_group() -> Group:
    """Create the editors' group, or give it back exactly its permissions (idempotent)."""
    group, _ = Group.objects.get_or_create(name=EDITORS)
    wanted = Q(pk__in=[])
    for app_label, models in EDITOR_PERMISSIONS.items():
        for model, actions in models.items():
            codenames = [f"{action}_{model}" for action in actions]
            wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
    group.permissions.set(Permission.objects.filter(wanted))
    return group
