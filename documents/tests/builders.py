"""Documents built in memory for the extraction tests, so no binary fixture is committed."""

import io
import re
import zipfile

import docx
import openpyxl
import pypdfium2 as pdfium
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from fpdf import FPDF
from odf import draw, style, table, text
from odf.namespaces import PRESENTATIONNS
from odf.opendocument import (
    OpenDocumentPresentation,
    OpenDocumentSpreadsheet,
    OpenDocumentText,
)
from PIL import Image


def pdf(*pages: str | Image.Image, password: str = "") -> bytes:
    """One page per item: a string is printed as text, an image fills the page (a scan)."""
    document = FPDF()
    if password:
        document.set_encryption(owner_password="propriétaire", user_password=password)
    document.set_font("Helvetica", size=16)  # a core font: Latin-1 text, accents included
    for page in pages:
        document.add_page()
        if isinstance(page, str):
            document.multi_cell(0, 10, page)
        else:
            document.image(page, x=0, y=0, w=document.w, h=document.h)
    return bytes(document.output())


def scan_of(printed: str) -> Image.Image:
    """A page of `printed` text as a scanner sees it: a 150 dpi grey picture, no text layer."""
    page = pdfium.PdfDocument(pdf(printed))[0]
    return page.render(scale=150 / 72, grayscale=True).to_pil()


def word_document() -> bytes:
    document = docx.Document()
    document.add_paragraph("Guide interne", style="Title")
    document.add_heading("Congés", level=1)
    document.add_paragraph("Les congés se posent dans l'outil RH.")
    document.add_heading("Congés annuels", level=2)
    document.add_paragraph("Vingt-cinq jours ouvrés par an.")
    grid = document.add_table(rows=2, cols=2)
    for cell, value in zip(grid._cells, ["Ancienneté", "Jours", "5 ans", "27"], strict=True):
        cell.text = value
    document.add_paragraph("Le tableau ci-dessus donne les jours par ancienneté.")
    document.add_heading("Report", level=3)
    document.add_paragraph("Jusqu'au 31 mai", style="List Bullet")
    document.add_paragraph("Avec l'accord du chef de service", style="List Bullet")
    document.add_heading("Télétravail", level=1)
    document.add_paragraph("Deux jours par semaine.")
    return _saved(document)


def word_document_with_custom_headings() -> bytes:
    """Headings as LibreOffice in French names them, and one set by outline level only."""
    document = docx.Document()
    document.styles.add_style("Titre 1", docx.enum.style.WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Temps de travail", style="Titre 1")
    document.add_paragraph("Trente-cinq heures par semaine.")
    outlined = document.add_paragraph("Horaires variables")
    outline_level = OxmlElement("w:outlineLvl")
    outline_level.set(qn("w:val"), "1")
    outlined._p.get_or_add_pPr().append(outline_level)
    document.add_paragraph("Plages fixes de 10 h à 16 h.")
    return _saved(document)


def _saved(document: docx.document.Document) -> bytes:
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def odf_text_document() -> bytes:
    document = OpenDocumentText()
    body = document.text
    body.addElement(text.H(outlinelevel=1, text="Congés"))
    body.addElement(text.P(text="Les congés se posent dans l'outil RH."))
    body.addElement(text.H(outlinelevel=2, text="Report"))
    items = text.List()
    for value in ("Jusqu'au 31 mai", "Avec accord"):
        item = text.ListItem()
        item.addElement(text.P(text=value))
        items.addElement(item)
    body.addElement(items)
    body.addElement(_odf_table([["Ancienneté", "Jours"], ["5 ans", "27"]]))
    return _odf_saved(document)


def odf_spreadsheet() -> bytes:
    document = OpenDocumentSpreadsheet()
    agents = _odf_table([["Nom", "Service"], ["Dupont", "Paie"], ["Martin", "Achats"]])
    agents.setAttribute("name", "Agents")
    empty = _odf_table([])
    empty.setAttribute("name", "Vide")
    budget = _odf_table([["Poste", "", "Montant"], ["Formation", "", "12 500 €"]])
    budget.setAttribute("name", "Budget")
    for sheet in (agents, empty, budget):
        document.spreadsheet.addElement(sheet)
    return _odf_saved(document)


def odf_presentation(*slides: tuple[str, str]) -> bytes:
    """One slide per (title, body) pair."""
    document = OpenDocumentPresentation()
    layout = style.PageLayout(name="diapositive")
    document.automaticstyles.addElement(layout)
    master = style.MasterPage(name="standard", pagelayoutname=layout)
    document.masterstyles.addElement(master)
    for title, body in slides:
        slide = draw.Page(masterpagename=master)
        for role, value in (("title", title), ("outline", body)):
            frame = draw.Frame(width="20cm", height="4cm")
            frame.setAttrNS(PRESENTATIONNS, "class", role)
            box = draw.TextBox()
            box.addElement(text.P(text=value))
            frame.addElement(box)
            slide.addElement(frame)
        document.presentation.addElement(slide)
    return _odf_saved(document)


def password_protected(odf_document: bytes) -> bytes:
    """The same document as LibreOffice saves it with a password: content encrypted."""
    source = zipfile.ZipFile(io.BytesIO(odf_document))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as protected:
        for name in source.namelist():
            content = source.read(name)
            if name == "content.xml":
                content = bytes(range(256)) * 4
            elif name == "META-INF/manifest.xml":
                content = re.sub(
                    rb'(<manifest:file-entry[^>]*"content.xml"[^>]*)/>',
                    rb'\1><manifest:encryption-data manifest:checksum-type="SHA1/1K" '
                    rb'manifest:checksum="AAAA"/></manifest:file-entry>',
                    content,
                )
            protected.writestr(name, content)
    return output.getvalue()


def _odf_table(rows: list[list[str]]) -> table.Table:
    grid = table.Table()
    for values in rows:
        row = table.TableRow()
        for value in values:
            cell = table.TableCell(valuetype="string")
            if value:
                cell.addElement(text.P(text=value))
            row.addElement(cell)
        # Spreadsheet applications pad each row with a run of empty cells to the last column.
        row.addElement(table.TableCell(numbercolumnsrepeated=1020))
        grid.addElement(row)
    return grid


def _odf_saved(document: OpenDocumentText) -> bytes:
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def zip_archive(files: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return output.getvalue()
