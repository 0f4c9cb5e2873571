import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from documents.glossary import expand_query
from documents.models import GlossaryEntry
from documents.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

SFT = "supplément familial de traitement"
IFF = "indemnité forfaitaire de formation"


def entry(abbreviation: str, expansion: str, category=None) -> GlossaryEntry:
    return GlossaryEntry.objects.create(
        abbreviation=abbreviation, expansion=expansion, category=category
    )


class TestExpandQuery:
    def test_an_abbreviation_is_followed_by_its_expansion(self):
        assert expand_query("montant du sft en 2024", None) == f"montant du sft ({SFT}) en 2024"

    @pytest.mark.parametrize("written", ["sft", "SFT", "Sft", "S.F.T.", "S.F.T"])
    def test_case_and_dots_do_not_matter(self, written):
        assert expand_query(f"le {written} de mars", None) == f"le {written} ({SFT}) de mars"

    def test_accents_do_not_matter(self):
        entry("ETP", "équivalent temps plein")
        assert expand_query("un étp", None) == "un étp (équivalent temps plein)"

    @pytest.mark.parametrize("query", ["le serveur sftp", "asft", "sft2", "www.sft.fr"])
    def test_an_abbreviation_inside_another_word_is_left_alone(self, query):
        assert expand_query(query, None) == query

    def test_an_elided_abbreviation_is_a_word(self):
        assert expand_query("le montant de l'IFF", None) == f"le montant de l'IFF ({IFF})"

    def test_punctuation_after_the_abbreviation_stays_after_the_expansion(self):
        assert expand_query("Le SFT ? Et l'iff.", None) == f"Le SFT ({SFT}) ? Et l'iff ({IFF})."

    def test_a_repeated_abbreviation_is_expanded_once(self):
        assert expand_query("sft ou SFT", None) == f"sft ({SFT}) ou SFT"

    def test_several_abbreviations_are_expanded(self):
        assert expand_query("sft et iff", None) == f"sft ({SFT}) et iff ({IFF})"

    def test_an_expansion_already_in_the_query_is_not_repeated(self):
        query = "le Supplement familial de traitement (SFT)"
        assert expand_query(query, None) == query

    def test_a_query_without_abbreviation_is_unchanged(self):
        assert expand_query("congés annuels", None) == "congés annuels"

    def test_the_glossary_costs_one_query_per_call(self, django_assert_num_queries):
        with django_assert_num_queries(1):
            expand_query("sft, iff et congés", None)

    def test_a_query_without_words_costs_no_query(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert expand_query(" ?! ", None) == " ?! "

    def test_an_edit_applies_to_the_next_query(self):
        seeded = GlossaryEntry.objects.get(normalized="sft")
        seeded.expansion = "supplément familial"
        seeded.save()
        assert expand_query("sft", None) == "sft (supplément familial)"


class TestCategoryScope:
    def test_the_entries_of_the_searched_categories_apply(self):
        rh = CategoryFactory()
        entry("CET", "compte épargne-temps", category=rh)
        assert expand_query("mon cet", [rh.pk]) == "mon cet (compte épargne-temps)"

    def test_the_entries_of_other_categories_are_ignored(self):
        rh, achats = CategoryFactory(), CategoryFactory()
        entry("CET", "compte épargne-temps", category=rh)
        assert expand_query("mon cet", [achats.pk]) == "mon cet"

    def test_global_entries_apply_in_every_category(self):
        assert expand_query("sft", [CategoryFactory().pk]) == f"sft ({SFT})"

    def test_global_entries_apply_when_no_category_is_searched(self):
        assert expand_query("sft", []) == f"sft ({SFT})"

    def test_every_category_is_searched_when_none_is_given(self):
        rh, achats = CategoryFactory(), CategoryFactory()
        entry("CET", "compte épargne-temps", category=rh)
        entry("NBI", "nouvelle bonification indiciaire", category=achats)
        assert expand_query("cet nbi", None) == (
            "cet (compte épargne-temps) nbi (nouvelle bonification indiciaire)"
        )

    def test_an_entry_of_the_category_replaces_the_global_one(self):
        sante = CategoryFactory()
        entry("SFT", "service de formation technique", category=sante)
        assert expand_query("sft", [sante.pk]) == "sft (service de formation technique)"

    def test_the_global_entry_still_serves_categories_without_their_own(self):
        sante, rh = CategoryFactory(), CategoryFactory()
        entry("SFT", "service de formation technique", category=sante)
        assert expand_query("sft", [sante.pk, rh.pk]) == (
            f"sft (service de formation technique ; {SFT})"
        )
        assert expand_query("sft", None) == f"sft (service de formation technique ; {SFT})"

    def test_the_same_expansion_in_several_categories_is_given_once(self):
        rh, achats = CategoryFactory(), CategoryFactory()
        entry("CET", "compte épargne-temps", category=rh)
        entry("CET", "Compte épargne-temps", category=achats)
        assert expand_query("cet", None) == "cet (compte épargne-temps)"


class TestGlossaryEntry:
    def test_the_normalized_abbreviation_ignores_case_accents_and_dots(self):
        assert entry("É.T.P.", "équivalent temps plein").normalized == "etp"

    def test_an_abbreviation_is_unique_in_its_category_whatever_its_spelling(self):
        rh = CategoryFactory()
        entry("RTT", "réduction du temps de travail", category=rh)
        duplicate = GlossaryEntry(abbreviation="r.t.t.", expansion="autre", category=rh)
        with pytest.raises(ValidationError) as error:
            duplicate.full_clean()
        assert error.value.message_dict == {
            "abbreviation": ["Cette abréviation figure déjà dans le glossaire de la catégorie."]
        }
        with pytest.raises(IntegrityError):
            duplicate.save()

    def test_a_global_abbreviation_is_unique(self):
        duplicate = GlossaryEntry(abbreviation="Sft", expansion="autre")
        with pytest.raises(ValidationError, match="toutes les catégories"):
            duplicate.full_clean()
        with pytest.raises(IntegrityError):
            duplicate.save()

    def test_two_categories_may_define_the_same_abbreviation(self):
        entry("RTT", "réduction du temps de travail", category=CategoryFactory())
        other = GlossaryEntry(abbreviation="RTT", expansion="autre", category=CategoryFactory())
        other.full_clean()

    def test_a_category_may_redefine_a_global_abbreviation(self):
        redefined = GlossaryEntry(abbreviation="SFT", expansion="autre", category=CategoryFactory())
        redefined.full_clean()

    def test_an_entry_can_be_saved_again_after_cleaning(self):
        seeded = GlossaryEntry.objects.get(normalized="sft")
        seeded.full_clean()

    @pytest.mark.parametrize("abbreviation", ["S F T", "SFT-IFF", "l'IFF", "."])
    def test_an_abbreviation_is_a_single_word(self, abbreviation):
        with pytest.raises(ValidationError) as error:
            GlossaryEntry(abbreviation=abbreviation, expansion="x").full_clean()
        assert "un seul mot" in error.value.message_dict["abbreviation"][0]

    def test_every_valid_abbreviation_is_found_as_one_word(self):
        for abbreviation in ["B2", "Ph.D.", "A.B.C", "ÉTP", "Réf."]:
            created = entry(abbreviation, "forme développée")
            created.full_clean()
            assert "(forme développée)" in expand_query(f"un {abbreviation} ici", None)
            created.delete()

    def test_the_expansion_is_not_blank(self):
        with pytest.raises(ValidationError) as error:
            GlossaryEntry(abbreviation="RTT", expansion="   ").full_clean()
        assert error.value.message_dict == {
            "expansion": ["La forme développée ne peut pas être vide."]
        }

    def test_deleting_a_category_deletes_its_glossary(self):
        rh = CategoryFactory()
        entry("RTT", "réduction du temps de travail", category=rh)
        rh.delete()
        assert not GlossaryEntry.objects.filter(normalized="rtt").exists()


class TestDefaultGlossary:
    migration = importlib.import_module("documents.migrations.0005_default_glossary")

    def test_the_migrations_seed_the_two_original_global_entries(self):
        seeded = GlossaryEntry.objects.filter(category=None, normalized__in=["sft", "iff"])
        assert sorted(seeded.values_list("abbreviation", "expansion")) == [
            ("IFF", IFF),
            ("SFT", SFT),
        ]

    def test_the_data_migration_is_reversible(self):
        self.migration.remove_default_glossary(apps, None)
        assert not GlossaryEntry.objects.filter(normalized__in=["sft", "iff"]).exists()
        self.migration.add_default_glossary(apps, None)
        assert GlossaryEntry.objects.filter(category=None).count() == 2

    def test_reversing_leaves_the_entries_of_the_categories(self):
        entry("SFT", "autre", category=CategoryFactory())
        self.migration.remove_default_glossary(apps, None)
        assert list(GlossaryEntry.objects.values_list("expansion", flat=True)) == ["autre"]


class TestAdmin:
    def test_the_changelist_and_add_pages_work(self, admin_client):
        entry("RTT", "réduction du temps de travail", category=CategoryFactory())
        changelist = admin_client.get(reverse("admin:documents_glossaryentry_changelist"))
        assert changelist.status_code == 200
        assert "toutes les catégories" in changelist.content.decode()
        assert "réduction du temps de travail" in changelist.content.decode()
        assert admin_client.get(reverse("admin:documents_glossaryentry_add")).status_code == 200

    def test_the_changelist_filters_and_searches(self, admin_client):
        rh = CategoryFactory()
        entry("RTT", "réduction du temps de travail", category=rh)
        url = reverse("admin:documents_glossaryentry_changelist")
        by_category = admin_client.get(url, {"category__id__exact": rh.pk}).content.decode()
        assert "réduction du temps de travail" in by_category and SFT not in by_category
        searched = admin_client.get(url, {"q": "forfaitaire"}).content.decode()
        assert IFF in searched and SFT not in searched

    def test_an_entry_added_in_the_admin_is_normalized(self, admin_client):
        response = admin_client.post(
            reverse("admin:documents_glossaryentry_add"),
            {"category": "", "abbreviation": " R.T.T. ", "expansion": "réduction du temps"},
        )
        assert response.status_code == 302
        assert GlossaryEntry.objects.get(normalized="rtt").abbreviation == "R.T.T."

    def test_a_duplicate_added_in_the_admin_is_refused_with_a_message(self, admin_client):
        response = admin_client.post(
            reverse("admin:documents_glossaryentry_add"),
            {"category": "", "abbreviation": "sft", "expansion": "autre"},
        )
        assert response.status_code == 200
        assert "figure déjà dans le glossaire" in response.content.decode()

    def test_the_category_change_page_shows_its_glossary(self, admin_client):
        rh = CategoryFactory()
        entry("RTT", "réduction du temps de travail", category=rh)
        response = admin_client.get(reverse("admin:documents_category_change", args=[rh.pk]))
        assert response.status_code == 200
        page = response.content.decode()
        assert 'name="glossary-TOTAL_FORMS"' in page and "réduction du temps de travail" in page

    def test_the_category_add_page_keeps_only_the_documents_formset(self, admin_client):
        response = admin_client.get(reverse("admin:documents_category_add"))
        assert response.status_code == 200
        assert "glossary-TOTAL_FORMS" not in response.content.decode()

    def test_entries_added_on_the_category_page_belong_to_it(self, admin_client):
        rh = CategoryFactory()
        response = self.post_category(admin_client, rh, [("CET", "compte épargne-temps")])
        assert response.status_code == 302
        assert GlossaryEntry.objects.get(category=rh).expansion == "compte épargne-temps"

    def test_duplicates_on_the_category_page_are_refused_with_a_message(self, admin_client):
        rh = CategoryFactory()
        response = self.post_category(admin_client, rh, [("CET", "un"), ("c.e.t.", "deux")])
        assert response.status_code == 200
        assert "figure déjà plus haut" in response.content.decode()
        assert not GlossaryEntry.objects.filter(category=rh).exists()

    @staticmethod
    def post_category(client, category, rows: list[tuple[str, str]]):
        data = {
            "name": category.name,
            "welcome_message": "",
            "visibility": "internal",
            "system_prompt": category.system_prompt,
            "k": category.k,
            "documents-TOTAL_FORMS": "0",
            "documents-INITIAL_FORMS": "0",
            "glossary-TOTAL_FORMS": str(len(rows)),
            "glossary-INITIAL_FORMS": "0",
        }
        for index, (abbreviation, expansion) in enumerate(rows):
            data[f"glossary-{index}-abbreviation"] = abbreviation
            data[f"glossary-{index}-expansion"] = expansion
        return client.post(reverse("admin:documents_category_change", args=[category.pk]), data)
