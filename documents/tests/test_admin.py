from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import modelform_factory
from django.urls import reverse
from django.utils import timezone

from ai.models import LanguageModel
from documents.admin import DocumentForm
from documents.models import Category, Correction, Document
from documents.tests.factories import CategoryFactory, CorrectionFactory, DocumentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["category", "document", "correction", "foldersync"])
def test_every_model_has_working_admin_pages(admin_client, model):
    CorrectionFactory()
    DocumentFactory()
    assert admin_client.get(reverse(f"admin:documents_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:documents_{model}_add")).status_code == 200


def test_uploading_a_document_in_the_admin_stores_it_and_queues_it(
    admin_client, django_capture_on_commit_callbacks
):
    category = CategoryFactory()
    upload = SimpleUploadedFile("Guide_des_congés.txt", b"Les conges se posent en ligne.")
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(
            reverse("admin:documents_document_add"),
            {"file": upload, "title": "", "category": category.pk, "hints": ""},
        )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.title == "Guide des congés"
    assert document.file.read() == b"Les conges se posent en ligne."
    assert len(callbacks) == 1


def test_a_correction_added_in_the_admin_records_its_author(admin_client, admin_user):
    category = CategoryFactory()
    admin_client.post(
        reverse("admin:documents_correction_add"),
        {"category": category.pk, "question": "Qui valide ?", "answer": "Le chef de service."},
    )
    assert Correction.objects.get().author == admin_user


def test_a_duplicate_correction_is_refused_with_a_message(admin_client):
    correction = CorrectionFactory()
    response = admin_client.post(
        reverse("admin:documents_correction_add"),
        {"category": correction.category.pk, "question": correction.question, "answer": "Autre"},
    )
    assert response.status_code == 200
    assert "existe déjà" in response.content.decode()


def test_a_category_chooses_its_language_model_and_contact_in_the_admin(admin_client):
    language_model = LanguageModel.objects.create(
        name="vLLM interne", kind=LanguageModel.Kind.COMPATIBLE, model="mistral-small"
    )
    admin_client.post(
        reverse("admin:documents_category_add"),
        {
            "name": "Ressources humaines",
            "welcome_message": "",
            "contact": "le service RH (poste 1234)",
            "language_model": language_model.pk,
            "visibility": "internal",
            "system_prompt": "{context}\n{question}",
            "k": 5,
            "relevance_threshold": "",
            "documents-TOTAL_FORMS": 0,
            "documents-INITIAL_FORMS": 0,
        },
    )
    category = Category.objects.get()
    assert (category.language_model, category.contact) == (
        language_model,
        "le service RH (poste 1234)",
    )


def test_a_category_s_readers_are_chosen_on_its_page_groups_and_users_together(
    admin_client, django_user_model
):
    group = Group.objects.create(name="Agents RH")
    user = django_user_model.objects.create_user("nouvelle.recrue")
    admin_client.post(
        reverse("admin:documents_category_add"),
        {
            "name": "Ressources humaines",
            "visibility": "groups",
            "groups": [group.pk],
            "readers": [user.pk],
            "system_prompt": "{context}\n{question}",
            "k": 5,
            "documents-TOTAL_FORMS": 0,
            "documents-INITIAL_FORMS": 0,
        },
    )
    category = Category.objects.get()
    assert (list(category.groups.all()), list(category.readers.all())) == ([group], [user])


def test_a_category_s_readers_are_searched_by_name_as_they_are_typed(
    admin_client, django_user_model
):
    django_user_model.objects.create_user("marie.martin")
    django_user_model.objects.create_user("paul.durand")
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "mar",
            "app_label": "documents",
            "model_name": "category",
            "field_name": "readers",
        },
    ).json()
    assert [result["text"] for result in found["results"]] == ["marie.martin"]


def test_a_broken_category_prompt_is_refused_on_the_admin_form(admin_client):
    response = admin_client.post(
        reverse("admin:documents_category_add"),
        {
            "name": "Ressources humaines",
            "visibility": "internal",
            "system_prompt": "{contexte} {question}",
            "k": 5,
            "documents-TOTAL_FORMS": 0,
            "documents-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "Variable inconnue dans le prompt" in response.content.decode()
    assert not Category.objects.exists()


# --- Validity ---------------------------------------------------------------------------


def test_the_document_list_filters_by_validity(admin_client):
    today = timezone.localdate()
    in_force = DocumentFactory(title="En vigueur")
    DocumentFactory(title="Pas encore", valid_from=today + timedelta(days=1))
    DocumentFactory(title="Expirée", valid_until=today - timedelta(days=1))
    DocumentFactory(title="Abrogée", category=in_force.category, repealed_by=in_force)
    DocumentFactory(title="Bientôt finie", valid_until=today + timedelta(days=30))
    expected = {
        "in_force": {"En vigueur", "Bientôt finie"},
        "not_yet": {"Pas encore"},
        "ended": {"Expirée", "Abrogée"},
        "expiring": {"Bientôt finie"},
    }
    for value, titles in expected.items():
        response = admin_client.get(
            reverse("admin:documents_document_changelist"), {"validite": value}
        )
        shown = {str(document) for document in response.context["cl"].result_list}
        assert shown == titles, value


def test_the_document_list_filters_the_archived_documents_and_counts_them_as_ended(
    admin_client,
):
    DocumentFactory(title="Suivie")
    DocumentFactory(title="Retirée du dossier", archived_at=timezone.now())
    expected = {
        ("archive", "yes"): {"Retirée du dossier"},
        ("archive", "no"): {"Suivie"},
        ("validite", "ended"): {"Retirée du dossier"},
    }
    for (parameter, value), titles in expected.items():
        response = admin_client.get(
            reverse("admin:documents_document_changelist"), {parameter: value}
        )
        shown = {str(document) for document in response.context["cl"].result_list}
        assert shown == titles, (parameter, value)
    page = admin_client.get(reverse("admin:documents_document_changelist")).content.decode()
    assert 'field-end_of_validity">archivé<' in page


def test_the_document_list_shows_when_each_ends(admin_client):
    repealing = DocumentFactory(title="Circulaire 2026", valid_until=date(2026, 12, 31))
    DocumentFactory(title="Circulaire 2024", category=repealing.category, repealed_by=repealing)
    page = admin_client.get(reverse("admin:documents_document_changelist")).content.decode()
    assert "En vigueur jusqu&#x27;au" in page
    assert 'field-end_of_validity nowrap">31 décembre 2026<' in page
    assert 'field-end_of_validity">abrogé<' in page


def test_the_document_form_groups_the_validity_fields(admin_client):
    document = DocumentFactory()
    page = admin_client.get(
        reverse("admin:documents_document_change", args=[document.pk])
    ).content.decode()
    validity = page[page.index(">Validité</h2>") : page.index(">Indexation</h2>")]
    for field in ["valid_from", "valid_until", "repealed_by"]:
        assert f'name="{field}"' in validity


def test_a_document_is_repealed_in_the_admin_by_another_of_its_category(admin_client):
    repealing = DocumentFactory(title="Circulaire 2026")
    document = DocumentFactory(category=repealing.category)
    response = admin_client.post(
        reverse("admin:documents_document_change", args=[document.pk]),
        {
            "title": document.title,
            "category": document.category.pk,
            "hints": "",
            "valid_from": "01/01/2024",
            "valid_until": "",
            "repealed_by": repealing.pk,
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.valid_from, document.repealed_by) == (date(2024, 1, 1), repealing)


def test_the_admin_form_refuses_a_repeal_by_another_categorys_document(admin_client):
    document = DocumentFactory()
    response = admin_client.post(
        reverse("admin:documents_document_change", args=[document.pk]),
        {
            "title": document.title,
            "category": document.category.pk,
            "hints": "",
            "valid_from": "",
            "valid_until": "",
            "repealed_by": DocumentFactory().pk,
        },
    )
    assert response.status_code == 200
    assert "doit être de la même catégorie" in response.content.decode()


def test_a_title_typed_in_the_admin_is_a_person_s_and_an_emptied_one_the_file_s_again():
    document = DocumentFactory(file=ContentFile(b"Texte.", name="Guide_conges.txt"))
    assert document.title_from_filename is True
    form_class = modelform_factory(Document, form=DocumentForm, fields=["title"])

    form_class({"title": "Congés pour événements familiaux"}, instance=document).save()
    document.refresh_from_db()
    assert (document.title, document.title_from_filename) == (
        "Congés pour événements familiaux",
        False,
    )

    form_class({"title": ""}, instance=document).save()
    document.refresh_from_db()
    assert (document.title, document.title_from_filename) == ("Guide conges", True)
