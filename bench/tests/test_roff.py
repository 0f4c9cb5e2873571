"""Man pages in roff: the NAME line apart, the rest rendered to Markdown."""

import pytest

from bench.roff import ManPageError, inline, parse_man_page

PAGE = r"""'\" t
.\" Copyright and other comments are dropped
.TH strcpy 3 2023-02-05 "Linux man-pages 6.03"
.SH NAME
stpcpy, strcpy, strcat \- copy or catenate a string
.SH SYNOPSIS
.nf
.B #include <string.h>
.PP
.BI "char *strcpy(char *restrict " dst ", const char *restrict " src );
.fi
.SH DESCRIPTION
The
.BR strcpy ()
function copies the string pointed to by
.IR src ,
including the terminating null byte (\[aq]\e0\[aq]),
to the buffer pointed to by
.IR dst .
.TP
.B EINVAL
\fIdst\fP is too small\(em\fBbeware\fR.
.SS Tables
.TS
tab(:);
l l.
Name:Meaning
_
T{
dst
T}:destination
.TE
.if t \{\
.ft CW
\}
.SH SEE ALSO
.BR strdup (3)
"""

FRENCH = """.TH signal 7 "5 février 2023" "Pages du manuel de Linux 6.03"
.SH NOM
signal \\- Panorama des signaux
.SH DESCRIPTION
Linux prend en charge les signaux POSIX («\\ ci\\-après\\ »).
"""


def test_the_name_line_gives_the_names_and_the_description():
    page = parse_man_page(PAGE, title="strcpy.3")
    assert page.names == "stpcpy, strcpy, strcat"
    assert page.description == "copy or catenate a string"


def test_the_name_section_is_left_out_of_the_text():
    text = parse_man_page(PAGE, title="strcpy.3").text
    assert "catenate" not in text and "NAME" not in text
    assert text.startswith("# strcpy.3\n\n## SYNOPSIS\n\n")


def test_paragraphs_are_joined_and_fonts_and_escapes_resolved():
    text = parse_man_page(PAGE, title="strcpy.3").text
    assert (
        "The strcpy() function copies the string pointed to by src, including the "
        "terminating null byte ('\\0'), to the buffer pointed to by dst."
    ) in text
    assert "\n\nEINVAL\n\ndst is too small—beware.\n\n" in text
    assert "Copyright" not in text and "\\f" not in text and ".TH" not in text


def test_no_fill_blocks_become_fenced_code():
    text = parse_man_page(PAGE, title="strcpy.3").text
    assert (
        "```\n#include <string.h>\nchar *strcpy(char *restrict dst, const char *restrict src);\n```"
    ) in text


def test_tables_keep_one_row_a_line_and_conditionals_are_dropped():
    text = parse_man_page(PAGE, title="strcpy.3").text
    assert "### Tables\n\nName | Meaning\ndst | destination\n\n" in text
    assert "tab(:)" not in text and "ft CW" not in text
    assert text.endswith("## SEE ALSO\n\nstrdup(3)\n")


def test_a_french_page_has_its_nom_section():
    page = parse_man_page(FRENCH, title="signal.7")
    assert page.description == "Panorama des signaux"
    assert "Linux prend en charge les signaux POSIX (« ci-après »)." in page.text
    assert "NOM" not in page.text


@pytest.mark.parametrize(
    ("line", "names", "description"),
    [
        ("mpool\\- shared memory buffer pool", "mpool", "shared memory buffer pool"),
        ("res_init \\-\\ resolver routines", "res_init", "resolver routines"),
        ("signal \u2013 panorama des signaux", "signal", "panorama des signaux"),
        ("ld\\-linux.so \\- dynamic linker", "ld-linux.so", "dynamic linker"),
    ],
)
def test_the_name_line_separators_seen_in_the_wild(line, names, description):
    page = parse_man_page(f".SH NAME\n{line}\n.SH DESCRIPTION\nText.\n", title="x.3")
    assert (page.names, page.description) == (names, description)


def test_a_redirect_is_refused():
    with pytest.raises(ManPageError, match="redirects"):
        parse_man_page('.\\" alias\n.so man3/strcpy.3\n', title="strcat.3")


def test_a_page_without_name_line_is_refused():
    with pytest.raises(ManPageError, match="no NAME"):
        parse_man_page(".TH x 3\n.SH DESCRIPTION\nText.\n", title="x.3")


def test_inline_escapes():
    assert inline(r"a\-b \(lqq\(rq \*(lqs\*(rq x\|y \s-1SMALL\s0 \fB\e\fP") == (
        "a-b “q” “s” xy SMALL \\"
    )
