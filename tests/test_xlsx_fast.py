"""The reader's fast path (one regular-expression pass over a plain, well-formed sheet) against the streaming
parser: on every hostile workbook, the committed corpus and hand-written sheets in every shape we could think
of, both give the same cells or the same finding; the plain shapes really take the fast path, the others
really decline to the streaming parser."""
import io
import zipfile

import pytest

from etl import xlsx
from tests.conftest import CORPUS
from tests.hostile.generate import generate

LIMITS = xlsx.Limits(max_row=40, max_col=8)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _book(sheet_data: str, strings: list[str] | None = None, *, head: str = '<?xml version="1.0" encoding="UTF-8"?>',
          root: str = f"<worksheet {NS}>", tail: str = "</worksheet>", sst: str | None = None) -> bytes:
    """A minimal workbook of one sheet whose <sheetData> body (or whole text) is given."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", f'<workbook {NS} xmlns:r="{RELS_NS}"><sheets>'
                                      '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{RELS_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{RELS_NS}/sharedStrings" Target="sharedStrings.xml"/>'
                   '</Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f"{head}{root}<sheetData>{sheet_data}</sheetData>{tail}")
        if sst is not None or strings:
            body = sst if sst is not None else "".join(f"<si><t>{s}</t></si>" for s in strings)
            z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst {NS}>{body}</sst>')
    return out.getvalue()


def _outcome(data: bytes, limits: xlsx.Limits = LIMITS):
    try:
        return [(s.name, s.cells, s.outside, s.first_outside) for s in xlsx.read_xlsx(data, limits)]
    except xlsx.XlsxError as exc:
        return ("error", exc.rule, exc.detail, exc.cell, exc.sheet)


def _streamed(data: bytes, monkeypatch, limits: xlsx.Limits = LIMITS):
    with monkeypatch.context() as m:
        m.setattr(xlsx, "_fast_sheet", lambda *a: None)
        m.setattr(xlsx, "_fast_strings", lambda *a: None)
        return _outcome(data, limits)


def _took_fast(data: bytes) -> bool:
    arc = xlsx._Archive(data, LIMITS)
    return xlsx._fast_sheet(arc, "S", "xl/worksheets/sheet1.xml", ["a", "b"], LIMITS, set()) is not None


ROW = '<row r="1">{}</row>'
# (name, sheetData body, shared strings, takes the fast path)
SHAPES = [
    ("plain numbers and shared strings", ROW.format('<c r="A1" t="s"><v>0</v></c><c r="B1" s="3"><v>12.5</v></c>'), ["a", "b"], True),
    ("styled empty cells", ROW.format('<c r="A1" s="2"/><c r="B1" s="2"></c><c r="C1"><v>1</v></c>'), [], True),
    ("negative, exponent, huge", ROW.format('<c r="A1"><v>-3</v></c><c r="B1"><v>1E+300</v></c><c r="C1"><v>1e999</v></c>'), [], True),
    ("text that is not a number", ROW.format('<c r="A1"><v>12,5</v></c><c r="B1"><v> 7 </v></c>'), [], True),
    ("formula with and without a cached value", ROW.format('<c r="A1"><f>1+1</f><v>2</v></c><c r="B1"><f>A1*2</f></c>'), [], True),
    ("shared formula", ROW.format('<c r="A1"><f t="shared" ref="A1:A2" si="0">1+1</f><v>2</v></c>'
                                  '<c r="B1"><f t="shared" si="0"/><v>3</v></c>'), [], True),
    ("str, bool, error, date types", ROW.format('<c r="A1" t="str"><v>a &amp; b</v></c><c r="B1" t="b"><v>1</v></c>'
                                                '<c r="C1" t="e"><v>#DIV/0!</v></c><c r="D1" t="d"><v>2021-01-01</v></c>'), [], True),
    ("inline strings, rich text, phonetic runs", ROW.format(
        '<c r="A1" t="inlineStr"><is><t xml:space="preserve"> x </t></is></c>'
        '<c r="B1" t="inlineStr"><is><r><rPr><b/></rPr><t>Lê</t></r><r><t>&lt;Hà&gt;</t></r><rPh sb="0" eb="1"><t>ZZ</t></rPh></is></c>'
        '<c r="C1" t="inlineStr"><is/></c><c r="D1" t="inlineStr"><is><t/></is></c>'), [], True),
    ("character references and line ends", ROW.format('<c r="A1" t="inlineStr"><is><t>a&#13;b\r\nc&#x110;</t></is></c>'), [], True),
    ("shared string out of range", ROW.format('<c r="A1" t="s"><v>9</v></c>'), ["a"], True),
    ("cells beyond the kept area", ROW.format('<c r="Z1"><v>1</v></c>') + '<row r="900"><c r="A900"><v>1</v></c></row>', [], True),
    ("row zero", '<row r="0"><c r="A0"><v>1</v></c></row>', [], True),
    ("self-closing row and empty sheet rows", '<row r="1"/><row r="2"></row>' + '<row r="3"><c r="A3"><v>5</v></c></row>', [], True),
    ("extra attributes after the type", ROW.format('<c r="A1" s="1" t="s" cm="1"><v>1</v></c>'), ["a", "b"], True),
    ("type before style", ROW.format('<c r="A1" t="s" s="1"><v>1</v></c>'), ["a", "b"], False),
    ("single quotes", ROW.format("<c r='A1'><v>1</v></c>"), [], False),
    ("cells without a reference", '<row r="2"><c><v>1</v></c><c><v>2</v></c></row>', [], False),
    ("an entity in the reference", ROW.format('<c r="A&#49;"><v>1</v></c>'), [], False),
    ("a comment among the cells", ROW.format('<!-- <c r="A1"><v>666</v></c> --><c r="B1"><v>1</v></c>'), [], False),
    ("CDATA value", ROW.format('<c r="A1" t="str"><v><![CDATA[1<2]]></v></c>'), [], False),
    ("a value inside the inline string", ROW.format('<c r="A1" t="inlineStr"><is><v>5</v><t>x</t></is></c>'
                                                    '<c r="B1"><is><v>5</v></is></c>'), [], True),
    ("a cell outside any row", '<c r="A1"><v>1</v></c>' + ROW.format('<c r="B1"><v>2</v></c>'), [], False),
    ("a cell inside another element", ROW.format('<x><c r="A1"><v>1</v></c></x>'), [], False),
    ("namespace prefix on cells", ROW.format('<x:c xmlns:x="urn:other" r="A1"><x:v>1</x:v></x:c>'), [], False),
    ("default namespace changed", '<row r="1" xmlns="urn:other"><c r="A1"><v>1</v></c></row>', [], False),
    ("whitespace inside a cell", ROW.format('<c r="A1">\n  <v>1</v>\n</c>'), [], False),
    ("a '>' inside an attribute", ROW.format('<c r="A1" foo="a>b"><v>1</v></c>'), [], True),
    ("broken XML", ROW.format('<c r="A1"><v>1</v>'), [], False),
    ("a bad reference", ROW.format('<c r="1A"><v>1</v></c>'), [], False),
    ("markup inside <t>", ROW.format('<c r="A1" t="inlineStr"><is><t>a<b/>c</t></is></c>'), [], False),
]


@pytest.mark.parametrize("name,body,strings,fast", SHAPES, ids=[s[0] for s in SHAPES])
def test_each_shape_reads_the_same_either_way(name, body, strings, fast, monkeypatch):
    data = _book(body, strings)
    assert _outcome(data) == _streamed(data, monkeypatch)
    assert _took_fast(data) is fast or (fast and _outcome(data)[0] == "error")


@pytest.mark.parametrize("head,root", [
    ('<?xml version="1.0" encoding="ISO-8859-1"?>', f"<worksheet {NS}>"),
    ("<?xml version='1.0'?><?pi x?>", f"<worksheet {NS}>"),
    ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e "1">]>', f"<worksheet {NS}>"),
    ("", f'<x:worksheet xmlns:x="{NS[7:-1]}">'),
], ids=["latin-1", "processing instruction", "dtd", "prefixed root"])
def test_documents_the_fast_path_cannot_read_go_to_the_parser(head, root, monkeypatch):
    tail = "</x:worksheet>" if root.startswith("<x:") else "</worksheet>"
    body = ROW.format('<c r="A1"><v>1</v></c>')
    if root.startswith("<x:"):
        body = body.replace("<row", "<x:row").replace("</row", "</x:row").replace("<c", "<x:c").replace("</c", "</x:c") \
            .replace("<v", "<x:v").replace("</v", "</x:v")
        body = f"<x:sheetData>{body}</x:sheetData>"
    data = _book(body, head=head, root=root, tail=tail)
    assert not _took_fast(data)
    assert _outcome(data) == _streamed(data, monkeypatch)


@pytest.mark.parametrize("sst", [
    "<si><t>a</t></si><si><t/></si><si/><si><t xml:space=\"preserve\"> b </t></si>",
    "<si><r><t>Lê</t></r><r><rPr/><t> Hà</t></r><rPh sb=\"0\" eb=\"1\"><t>x</t></rPh></si>",
    "<si><t>&amp;&#272;\r\n</t></si>",
    "<!-- c --><si><t>a</t></si>",
    "<si><t>a<b/></t></si>",
    "<x:si xmlns:x=\"urn:o\"><x:t>a</x:t></x:si><si><t>b</t></si>",
], ids=["simple", "rich", "references", "comment", "markup", "foreign"])
def test_shared_strings_read_the_same_either_way(sst, monkeypatch):
    data = _book('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', sst=sst)
    assert _outcome(data) == _streamed(data, monkeypatch)


def test_every_hostile_and_corpus_workbook_reads_the_same_either_way(tmp_path, monkeypatch):
    paths = [p for p in generate(tmp_path).values() if p.suffix == ".xlsx" and p.stat().st_size < 5_000_000]
    paths += sorted(CORPUS.glob("*.xlsx"))
    assert len(paths) > 40
    limits = xlsx.Limits(max_row=1000, max_col=64)
    declined = []
    real = xlsx._streamed_sheet
    read = sheets = 0
    for path in paths:
        data = path.read_bytes()
        expected = _streamed(data, monkeypatch, limits)
        with monkeypatch.context() as m:
            m.setattr(xlsx, "_streamed_sheet", lambda arc, name, *a: declined.append(name) or real(arc, name, *a))
            got = _outcome(data, limits)
        assert got == expected, path.name
        if got[0] != "error":
            read, sheets = read + 1, sheets + len(got)
    assert read > 40 and len(declined) < sheets // 10  # the plain workbooks never reach the streaming parser
