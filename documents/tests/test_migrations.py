"""Data migrations, run on a real database between the states they join."""

from testing.migrations import migrate


def test_thresholds_on_the_former_scale_are_cleared_for_the_site_default(executor):
    old = migrate(executor, ("documents", "0010_category_rerank_model"))
    Category = old.get_model("documents", "Category")
    Category.objects.create(name="RH", slug="rh", relevance_threshold=0.4)
    Category.objects.create(name="Paie", slug="paie")

    new = migrate(executor, ("documents", "0011_relevance_threshold_calibrated"))

    Category = new.get_model("documents", "Category")
    assert list(Category.objects.values_list("relevance_threshold", flat=True)) == [None, None]


def test_documents_uploaded_before_versions_are_version_1_of_their_upload_day(executor):
    old = migrate(executor, ("documents", "0011_relevance_threshold_calibrated"))
    category = old.get_model("documents", "Category").objects.create(name="RH", slug="rh")
    Document = old.get_model("documents", "Document")
    Document.objects.create(category=category, file="documents/rh/a/guide.txt")
    uploaded = Document.objects.get().created_at

    new = migrate(executor, ("documents", "0012_document_versions"))

    document = new.get_model("documents", "Document").objects.get()
    assert (document.version, document.version_date) == (1, uploaded)


def test_documents_titled_after_their_file_name_before_own_titles_are_marked_so(executor):
    old = migrate(executor, ("documents", "0020_document_upload_batch"))
    category = old.get_model("documents", "Category").objects.create(name="RH", slug="rh")
    Document = old.get_model("documents", "Document")
    for title, filename in [
        ("Guide conges evenements familiaux", "Guide_conges_evenements_familiaux.pdf"),
        ("Note de service", "Note  de_service.docx"),
        ("Congés pour événements familiaux", "conges.pdf"),
        ("guide", "guide.md"),
    ]:
        Document.objects.create(
            category=category,
            file=f"documents/rh/a/{filename}",
            original_filename=filename,
            title=title,
            # A typed title equal to the file name's is indistinguishable from it.
            title_from_filename=False,
        )

    new = migrate(executor, ("documents", "0021_document_titles_after_file_names"))

    marked = new.get_model("documents", "Document").objects.filter(title_from_filename=True)
    assert sorted(marked.values_list("title", flat=True)) == [
        "Guide conges evenements familiaux",
        "Note de service",
        "guide",
    ]
