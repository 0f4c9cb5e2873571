from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from common.text import question_hash
from documents.models import Category, Document
from documents.tests.factories import CategoryFactory, CorrectionFactory, DocumentFactory

pytestmark = pytest.mark.django_db


class TestCategory:
    def test_slug_is_made_from_the_name(self):
        assert CategoryFactory(name="Ressources humaines").slug == "ressources-humaines"

    def test_slug_does_not_change_when_the_category_is_renamed(self):
        category = CategoryFactory(name="Ressources humaines")
        category.name = "RH et paie"
        category.save()
        category.refresh_from_db()
        assert category.slug == "ressources-humaines"

    def test_slugs_stay_unique_when_names_slugify_alike(self):
        first = CategoryFactory(name="Santé")
        second = CategoryFactory(name="Sante")
        assert (first.slug, second.slug) == ("sante", "sante-2")

    def test_default_system_prompt_is_french_and_has_both_placeholders(self):
        prompt = Category.objects.create(name="Achats").system_prompt
        assert "{context}" in prompt and "{question}" in prompt
        assert "Réponds" in prompt

    def test_default_number_of_passages(self):
        assert CategoryFactory().k == 5

    def test_number_of_passages_is_bounded(self):
        category = CategoryFactory.build(k=0)
        with pytest.raises(ValidationError):
            category.full_clean()


class TestDocument:
    def test_a_new_document_is_pending(self):
        assert DocumentFactory().status == Document.Status.PENDING

    def test_filename_and_title_come_from_the_upload(self):
        document = DocumentFactory()
        assert document.original_filename == "note.txt"
        assert document.title == "note"

    def test_file_is_stored_under_its_category_in_a_folder_of_its_own(self):
        document = DocumentFactory(category=CategoryFactory(name="Juridique"))
        folder, slug, _random, name = document.file.name.split("/")
        assert (folder, slug, name) == ("documents", "juridique", "note.txt")

    def test_deleting_a_category_deletes_its_documents(self):
        document = DocumentFactory()
        document.category.delete()
        assert not Document.objects.filter(pk=document.pk).exists()


class TestCorrection:
    def test_question_hash_ignores_case_accents_spacing_and_final_punctuation(self):
        correction = CorrectionFactory(question="Combien de jours de télétravail ?")
        assert correction.question_hash == question_hash("  combien de JOURS de teletravail")

    def test_one_correction_per_question_and_category(self):
        correction = CorrectionFactory()
        with pytest.raises(IntegrityError):
            CorrectionFactory(
                category=correction.category, question="COMBIEN de jours de télétravail"
            )

    def test_the_same_question_may_be_corrected_in_another_category(self):
        CorrectionFactory()
        assert CorrectionFactory().pk

    def test_validation_explains_the_duplicate_question(self):
        correction = CorrectionFactory()
        duplicate = CorrectionFactory.build(
            category=correction.category, question=correction.question
        )
        with pytest.raises(ValidationError, match="existe déjà"):
            duplicate.full_clean()


@pytest.mark.django_db
def test_the_category_form_refuses_a_broken_prompt():
    category = CategoryFactory.build(system_prompt="{contexte} {question}")
    with pytest.raises(ValidationError) as refusal:
        category.full_clean()
    assert "system_prompt" in refusal.value.message_dict


# --- Validity --------------------------------------------------------------------------


def test_a_validity_ending_before_it_starts_is_refused_on_its_end():
    document = DocumentFactory(valid_from=date(2026, 6, 1))
    document.valid_until = date(2026, 5, 31)
    with pytest.raises(ValidationError) as refused:
        document.full_clean()
    assert refused.value.message_dict == {
        "valid_until": ["La fin de validité ne peut pas précéder le début de validité."]
    }


def test_the_database_refuses_a_validity_ending_before_it_starts():
    with pytest.raises(IntegrityError):
        DocumentFactory(valid_from=date(2026, 6, 1), valid_until=date(2026, 5, 31))


def test_a_document_cannot_repeal_itself():
    document = DocumentFactory()
    document.repealed_by = document
    with pytest.raises(ValidationError) as refused:
        document.full_clean()
    assert refused.value.message_dict == {
        "repealed_by": ["Un document ne peut pas s'abroger lui-même."]
    }


def test_a_document_is_repealed_only_by_one_of_its_category():
    document = DocumentFactory()
    document.repealed_by = DocumentFactory()
    with pytest.raises(ValidationError) as refused:
        document.full_clean()
    assert refused.value.message_dict == {
        "repealed_by": ["Le document qui abroge doit être de la même catégorie."]
    }


def test_a_repealed_document_comes_back_in_force_when_its_repealing_one_is_deleted():
    repealing = DocumentFactory()
    document = DocumentFactory(category=repealing.category, repealed_by=repealing)
    repealing.delete()
    document.refresh_from_db()
    assert document.repealed_by is None
