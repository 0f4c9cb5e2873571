"""When a document is in force: its dates, both days included, its repeal, its archiving."""

from datetime import timedelta

import pytest
from django.utils import timezone

from documents.models import Document
from documents.selectors import active_generations
from documents.tests.factories import DocumentFactory
from documents.validity import EXPIRY_WARNING, Validity, validity_on

TODAY = timezone.localdate()
DAY = timedelta(days=1)


def test_a_document_without_dates_nor_repeal_is_in_force():
    assert validity_on(TODAY, valid_from=None, valid_until=None, repealed=False) == (
        Validity.IN_FORCE
    )


def test_both_the_first_and_the_last_day_are_in_force():
    assert validity_on(TODAY, valid_from=TODAY, valid_until=TODAY, repealed=False) == (
        Validity.IN_FORCE
    )


def test_a_document_starting_tomorrow_is_not_yet_in_force():
    assert validity_on(TODAY, valid_from=TODAY + DAY, valid_until=None, repealed=False) == (
        Validity.NOT_YET
    )


def test_a_document_that_ended_yesterday_has_ended():
    assert validity_on(TODAY, valid_from=None, valid_until=TODAY - DAY, repealed=False) == (
        Validity.ENDED
    )


def test_a_repealed_document_has_ended_whatever_its_dates():
    assert validity_on(TODAY, valid_from=None, valid_until=TODAY + DAY, repealed=True) == (
        Validity.ENDED
    )


def test_an_archived_document_has_ended_whatever_its_dates():
    assert validity_on(
        TODAY, valid_from=None, valid_until=TODAY + DAY, repealed=False, archived=True
    ) == (Validity.ENDED)


@pytest.mark.django_db
def test_the_database_sorts_documents_as_the_rule_does():
    in_force = [
        DocumentFactory(),
        DocumentFactory(valid_from=TODAY, valid_until=TODAY),
        DocumentFactory(valid_from=TODAY - DAY),
        DocumentFactory(valid_until=TODAY + DAY),
    ]
    not_yet = [DocumentFactory(valid_from=TODAY + DAY)]
    repealing = in_force[0]
    ended = [
        DocumentFactory(valid_until=TODAY - DAY),
        DocumentFactory(category=repealing.category, repealed_by=repealing),
        DocumentFactory(category=repealing.category, valid_from=TODAY + DAY, repealed_by=repealing),
        DocumentFactory(archived_at=timezone.now()),
        DocumentFactory(valid_from=TODAY + DAY, archived_at=timezone.now()),
    ]
    expected = {Validity.IN_FORCE: in_force, Validity.NOT_YET: not_yet, Validity.ENDED: ended}

    for validity, documents in expected.items():
        assert set(Document.objects.standing(validity, on=TODAY)) == set(documents), validity
    for document in Document.objects.all():
        assert document.validity_on(TODAY) == next(v for v, d in expected.items() if document in d)


@pytest.mark.django_db
def test_documents_expiring_are_those_in_force_that_end_within_the_warning():
    soon = [
        DocumentFactory(valid_until=TODAY),
        DocumentFactory(valid_until=TODAY + EXPIRY_WARNING),
    ]
    DocumentFactory(valid_until=TODAY + EXPIRY_WARNING + DAY)
    DocumentFactory(valid_until=TODAY - DAY)
    DocumentFactory()
    DocumentFactory(repealed_by=soon[0], category=soon[0].category, valid_until=TODAY + DAY)

    assert set(Document.objects.expiring(on=TODAY)) == set(soon)


@pytest.mark.django_db
def test_an_archived_document_is_no_longer_searched_unless_out_of_force_ones_are_asked_for():
    kept = DocumentFactory(index_generation="g1")
    archived = DocumentFactory(index_generation="g1", archived_at=timezone.now())

    assert active_generations([kept.pk, archived.pk]) == {kept.pk: "g1"}
    assert set(active_generations([kept.pk, archived.pk], include_out_of_force=True)) == {
        kept.pk,
        archived.pk,
    }
