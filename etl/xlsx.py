"""Reading an .xlsx archive safely, in one pass: bounded unzip, hardened streaming XML, bounded cell area.

Nothing here trusts the file: every zip member is size- and ratio-checked before it is inflated (zipfile
never returns more than a member's declared size and checks its CRC), XML is parsed by a streaming parser
that refuses DTDs and never resolves entities, and only cells inside the template's own area are kept —
cells beyond it are counted, never allocated. Every way the archive can be damaged becomes an XlsxError
with a rule code that etl/findings.py words in Vietnamese.
"""
from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

from core.numbers import ExcelError
from core.text import a1

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CHUNK = 1 << 16


class XlsxError(Exception):
    """The archive cannot be read: rule (a Finding rule) and a detail for the message."""

    def __init__(self, rule: str, detail: str = "", cell: str = "", sheet: str = ""):
        super().__init__(f"{rule}: {detail}")
        self.rule, self.detail, self.cell, self.sheet = rule, detail, cell, sheet


@dataclass(frozen=True)
class Limits:
    """What one archive may cost: members, inflated bytes, ratio, and the cell area kept per sheet."""

    max_members: int = 2000
    max_member_bytes: int = 32 << 20
    max_total_bytes: int = 128 << 20
    max_ratio: float = 100.0  # inflated / compressed, checked for members larger than ratio_from bytes
    ratio_from: int = 4 << 20
    max_row: int = 1000  # 0-based bounds of the kept area (exclusive)
    max_col: int = 64


@dataclass(slots=True)
class Cell:
    """One cell: its value (float, str, bool, ExcelError, or None when a formula has no cached value)."""

    value: object
    formula: bool = False
    cached: bool = True


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    outside: int = 0  # non-empty cells beyond the kept area (counted, not stored)
    first_outside: str = ""

    def get(self, row: int, col: int) -> Cell | None:
        return self.cells.get((row, col))

    @property
    def n_rows(self) -> int:
        return max((r for r, _ in self.cells), default=-1) + 1


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class _Archive:
    """The zip with every member read through the limits."""

    def __init__(self, data: bytes, limits: Limits):
        self.limits = limits
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, IndexError) as exc:
            raise XlsxError("damaged_zip", type(exc).__name__) from exc
        if len(infos) > limits.max_members:
            raise XlsxError("too_many_members", str(len(infos)))
        self.infos = {}
        total = 0
        for info in infos:  # every member is checked from its header before any is inflated
            name = info.filename
            if info.flag_bits & 0x1:
                raise XlsxError("password_protected")
            if name in self.infos or name.startswith("/") or ".." in name.split("/") or "\\" in name:
                raise XlsxError("damaged_zip", f"thành phần '{name[:60]}'")
            if info.file_size > limits.max_member_bytes:
                raise XlsxError("member_too_large", f"{name[:60]}: {info.file_size / 2**20:,.0f} MB")
            if info.file_size > limits.ratio_from and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise XlsxError("zip_bomb", f"{info.file_size / max(info.compress_size, 1):,.0f}×")
            if name.lower().endswith("vbaproject.bin"):
                raise XlsxError("macro_workbook")
            total += info.file_size
            self.infos[name] = info
        if total > limits.max_total_bytes:
            raise XlsxError("member_too_large", f"{total / 2**20:,.0f} MB")

    def has(self, name: str) -> bool:
        return name in self.infos

    def open(self, name: str):
        """A stream of one member, refused before inflating when its declared size breaks a limit."""
        info = self.infos.get(name)
        if info is None:
            raise XlsxError("missing_member", name)
        try:
            return self.zip.open(info)
        except NotImplementedError as exc:  # compression method zipfile does not know
            raise XlsxError("zip_method", str(info.compress_type)) from exc
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            raise XlsxError("damaged_zip", f"{name}: {type(exc).__name__}") from exc


def _events(stream, *tags: str):
    """(event, element) for the elements with these local names, from a hardened streaming parser.

    DTDs (and so entity declarations) are refused outright; entities are never resolved; nothing is fetched.
    """
    parser = etree.XMLPullParser(events=("end",), tag=[f"{{*}}{t}" for t in tags], resolve_entities=False, no_network=True,
                                 load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True)
    tail = b""
    first = True
    try:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            if first:
                if chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in chunk[:64]:
                    raise XlsxError("xml_encoding")
                first = False
            probe = tail + chunk
            if b"<!DOCTYPE" in probe or b"<!ENTITY" in probe:
                raise XlsxError("xml_dtd")
            tail = chunk[-16:]
            parser.feed(chunk)
            yield from parser.read_events()
        parser.close()
        yield from parser.read_events()
    except etree.XMLSyntaxError as exc:
        raise XlsxError("xml_broken", str(exc).split(",")[0][:120]) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:  # CRC, corrupt deflate data, cut member
        raise XlsxError("damaged_zip", type(exc).__name__) from exc


def _text(el) -> str:
    """Text of an <si>/<is>: every <t> run, without the phonetic (<rPh>) runs."""
    out = []
    for t in el.iter("{*}t"):
        parent = t.getparent()
        if parent is not None and _local(parent.tag) == "rPh":
            continue
        out.append(t.text or "")
    return "".join(out)


def _release(el) -> None:
    """Free an element and the finished siblings before it (constant memory while streaming)."""
    el.clear()
    parent = el.getparent()
    if parent is not None:
        while el.getprevious() is not None:
            del parent[0]


def _workbook(arc: _Archive) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """[(sheet name, member)], and the relationship targets by type suffix (sharedStrings)."""
    rels: dict[str, tuple[str, str]] = {}
    if arc.has("xl/_rels/workbook.xml.rels"):
        with arc.open("xl/_rels/workbook.xml.rels") as f:
            for _, el in _events(f, "Relationship"):
                target = el.get("Target") or ""
                member = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target))
                rels[el.get("Id") or ""] = (member, (el.get("Type") or "").rsplit("/", 1)[-1])
                _release(el)
    sheets = []
    with arc.open("xl/workbook.xml") as f:
        for _, el in _events(f, "sheet"):
            rid = el.get(f"{{{REL_NS}}}id") or el.get("id") or ""
            member = rels.get(rid, ("", ""))[0]
            sheets.append((el.get("name") or "", member))
            _release(el)
    extra = {kind: member for member, kind in rels.values()}
    return sheets, extra


_DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | {45, 46, 47} | set(range(50, 59))
_BRACKETS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def date_serial(serial: float) -> str:
    """An Excel date serial as dd/mm/yyyy ('ngày 15/01/2023'), to say in a message what the cell holds."""
    from datetime import datetime, timedelta
    try:
        return "ngày " + (datetime(1899, 12, 30) + timedelta(days=float(serial))).strftime("%d/%m/%Y")
    except (OverflowError, ValueError):
        return f"ngày (số {serial})"


def _date_styles(arc: _Archive, member: str) -> set[str]:
    """Indices (as the `s` attribute spells them) of the cell styles that show a number as a date or time."""
    if not member or not arc.has(member):
        return set()
    custom: dict[str, str] = {}
    xfs: list[str] = []
    with arc.open(member) as f:
        for _, el in _events(f, "numFmt", "cellXfs"):
            if _local(el.tag) == "numFmt":
                custom[el.get("numFmtId") or ""] = el.get("formatCode") or ""
            else:
                xfs = [xf.get("numFmtId") or "0" for xf in el if _local(xf.tag) == "xf"]
            _release(el)
    out = set()
    for i, fmt_id in enumerate(xfs):
        code = _BRACKETS.sub("", custom.get(fmt_id, "")).lower()
        if (fmt_id.isdigit() and int(fmt_id) in _DATE_FORMATS) or (fmt_id in custom and any(ch in code for ch in "dmyhs")
                                                                   and "general" not in code):
            out.add(str(i))
    return out


def _shared_strings(arc: _Archive, member: str) -> list[str]:
    if not member or not arc.has(member):
        return []
    fast = _fast_strings(arc, member)
    if fast is not None:
        return fast
    out = []
    with arc.open(member) as f:
        for _, el in _events(f, "si"):
            out.append(_text(el))
            _release(el)
    return out


_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})$")
_REFS: dict[str, tuple[int, int]] = {}  # the template's cell references recur in every file: parsed once
_REFS_MAX = 200_000


def _col_index(ref: str) -> tuple[int, int]:
    """(row, col), 0-based, of an A1 reference; ValueError when it is not one."""
    hit = _REFS.get(ref)
    if hit is not None:
        return hit
    m = _REF.match(ref)
    if m is None:
        raise ValueError(ref)
    letters, digits = m.groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    out = (int(digits) - 1, col - 1)
    if len(_REFS) < _REFS_MAX:
        _REFS[ref] = out
    return out


def _cell_value(c, tags: dict, strings: list[str], where, sheet: str) -> tuple[object, bool, bool]:
    """(value, is formula, has cached value) of a <c> element."""
    v = f = is_ = None
    for child in c:
        name = tags.get(child.tag)
        if name == "v":
            v = child
        elif name == "f":
            f = child
        elif name == "is":
            is_ = child
    inline = (_text(is_) if is_ is not None else "") if c.get("t") == "inlineStr" else None
    return _value(c.get("t") or "n", v.text if v is not None else None, f is not None, inline, strings, where, sheet)


def _value(kind: str, text: str | None, formula: bool, inline: str | None, strings: list[str], where,
           sheet: str) -> tuple[object, bool, bool]:
    """(value, is formula, has cached value) of a cell of type `kind` whose <v> holds `text` (None: none)."""
    if kind == "inlineStr":
        return inline or "", formula, True
    if text is None:
        return None, formula, not formula
    if kind == "n":
        try:
            number = float(text)
        except ValueError:
            return text, formula, True
        return (number if math.isfinite(number) else text), formula, True
    if kind == "s":
        try:
            return strings[int(text)], formula, True
        except (ValueError, IndexError):
            raise XlsxError("bad_shared_string", text[:20], cell=a1(*where), sheet=sheet) from None
    if kind == "b":
        return text.strip() in ("1", "true"), formula, True
    if kind == "e":
        return ExcelError(text.strip()), formula, True
    return text, formula, True  # str (a formula's text result), d (ISO date) and unknown types stay text


def _sheet(arc: _Archive, name: str, member: str, strings: list[str], limits: Limits,
           dates: set[str] = frozenset()) -> Sheet:
    """One sheet's cells inside the limits' area (a broken sheet names the last cell read before the damage).

    A plain sheet (as Excel, LibreOffice and openpyxl write them) is read by the fast path below; any other
    sheet, and every damaged one, by the streaming parser, which words the exact finding."""
    fast = _fast_sheet(arc, name, member, strings, limits, dates)
    if fast is not None:
        return fast
    return _streamed_sheet(arc, name, member, strings, limits, dates)


def _streamed_sheet(arc: _Archive, name: str, member: str, strings: list[str], limits: Limits,
                    dates: set[str] = frozenset()) -> Sheet:
    sheet = Sheet(name)
    with arc.open(member) as f:
        try:
            _read_rows(f, sheet, strings, limits, dates)
        except XlsxError as exc:
            if exc.rule == "xml_broken" and sheet.cells:
                exc.detail = f"{exc.detail}; sau ô {a1(*max(sheet.cells))}"
            raise
    return sheet


def _read_rows(stream, sheet: Sheet, strings: list[str], limits: Limits, dates: set[str]) -> None:
    cells, name = sheet.cells, sheet.name
    max_row, max_col = limits.max_row, limits.max_col
    row_index = -1
    tags: dict = {}
    for _, row in _events(stream, "row"):
        if not tags:  # the namespace (transitional, strict or none) as the file spells it
            ns = row.tag[: -len("row")]
            tags = {ns + "c": "c", ns + "v": "v", ns + "f": "f", ns + "is": "is"}
        r = row.get("r")
        row_index = int(r) - 1 if r and r.isdigit() else row_index + 1
        col = -1
        for c in row:
            if tags.get(c.tag) != "c":
                continue
            ref = c.get("r")
            try:
                ri, col = _col_index(ref) if ref else (row_index, col + 1)
            except ValueError:
                raise XlsxError("bad_cell_ref", (ref or "")[:20], sheet=name) from None
            if len(c) == 0:  # a styled empty cell
                continue
            if ri >= max_row or col >= max_col or ri < 0:
                if sheet.outside == 0:
                    sheet.first_outside = a1(ri, col) if ri >= 0 else str(ref)
                sheet.outside += 1
                continue
            value, formula, cached = _cell_value(c, tags, strings, (ri, col), name)
            if value is None and not formula:
                continue
            if isinstance(value, float) and dates and c.get("s") in dates:
                value = date_serial(value)  # a date where a number belongs: Excel turned "15/1" into a date
            cells[(ri, col)] = Cell(value, formula, cached)
        _release(row)


# ---- the fast path: one regular-expression pass over a plain, already well-formed sheet ----------------------
# The streaming parser costs a Python object per element. A sheet as spreadsheet programs write it — UTF-8,
# no comments, CDATA, processing instructions, DTD, namespace prefixes or redeclarations inside <sheetData>,
# rows holding only cells, cells holding at most <f>, <v> (text only) and <is> — says the same thing to a
# regular expression as to the parser. libxml2 first checks the whole member is well-formed (a parser target
# with no callbacks: no tree, no Python per element); then the cells are read from the text. Anything
# outside that shape returns None and the streaming parser reads the sheet (and words any damage).

_ATTRS = r"""((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*"""
_T_RE = re.compile(r"<t\b" + _ATTRS + r"(?:/>|>([^<]*)</t\s*>)", re.S)
_RPH_RE = re.compile(r"<rPh\b" + _ATTRS + r"(?:/>|>.*?</rPh\s*>)", re.S)
# A cell as spreadsheet programs write it: r, then s and t when given (in that order, double quotes), any
# other attribute after them; then optionally <f>, <v> with text only, <is>. Groups: ref, style, type,
# the whole <f…> (non-empty when there is one), the whole <v…>, the whole <is…>.
_ANY = r"""(?: [A-Za-z][\w:.-]*="[^"<&\t\n\r]*")*"""
_EXTRA = r"""(?: (?![rst]=)[A-Za-z][\w:.-]*="[^"<&\t\n\r]*")*"""
_CELL = (r"""<c r="([A-Z]{1,3}[0-9]{1,7})"(?: s="([0-9]{1,9})")?(?: t="([A-Za-z]{1,12})")?""" + _EXTRA +
         r"""\s*(?:/>|>(<f""" + _ANY + r"""\s*(?:/>|>[^<]*</f>))?(<v>[^<]*</v>|<v/>)?(<is>.*?</is>|<is/>)?</c>)""")
_CELL_RE = re.compile(_CELL, re.S)
_ROWS = re.compile(r"""<row""" + _ANY + r"""\s*(?:/>|>(?:\s*""" + _CELL + r""")*\s*</row>)""", re.S)
_SI = re.compile(r"""<si>(?:<t(?: xml:space="preserve")?>([^<]*)</t></si>|(.*?)</si>)|<si/>""", re.S)
_NUMBER = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,17})?(?:[eE][-+]?[0-9]{1,2})?")  # finite: float() of it is exact
_ROW_TAG = re.compile(r"<row[\s/>]")
_PREFIXED = re.compile(r"</?[A-Za-z_][\w.-]*:|xmlns")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


class _Decline(Exception):
    """The sheet is not plain: the streaming parser reads it."""


class _NoTree:
    """A parser target that keeps nothing: libxml2 checks the document, Python sees no element."""

    def close(self) -> None:
        return None


def _entity(m) -> str:
    name = m.group(1)
    if name[0] == "#":
        return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
    return _NAMED[name]


def _xml_text(text: str) -> str:
    """Character data as the parser reports it: line ends normalised, character and predefined entities."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ENTITY.sub(_entity, text) if "&" in text else text


def _inline(body: str | None) -> str:
    """The text of an <is> body: its <t> runs outside the phonetic runs."""
    if not body:
        return ""
    body = _RPH_RE.sub("", body)
    runs = _T_RE.findall(body)
    if len(runs) != body.count("<t"):  # a <t> with markup inside, or another element starting with t
        raise _Decline
    return "".join(_xml_text(text) for _, text in runs)


def _plain_text(data: bytes) -> str | None:
    """The member as text when it is plain, well-formed UTF-8 XML, else None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:64] or b"<!" in data:
        return None  # encodings, DTDs, comments and CDATA: the streaming parser's business
    enc = _ENCODING.match(data)
    if enc and enc.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return None
    if data.count(b"<?") > (1 if data.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml") else 0):
        return None
    try:
        etree.fromstring(data, etree.XMLParser(target=_NoTree(), resolve_entities=False, no_network=True,
                                               load_dtd=False, huge_tree=False))
        return data.decode("utf-8-sig")
    except (etree.XMLSyntaxError, UnicodeDecodeError, ValueError):
        return None


def _fast_sheet(arc: _Archive, name: str, member: str, strings: list[str], limits: Limits,
                dates: set[str]) -> Sheet | None:
    """The sheet read by the fast path, or None when it is not plain (or not readable whole)."""
    try:
        with arc.open(member) as f:
            data = f.read()
    except (XlsxError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        return None
    text = _plain_text(data)
    if text is None:
        return None
    sheet = Sheet(name)
    try:
        _fast_rows(text, sheet, strings, limits, dates)
    except (_Decline, XlsxError):  # an error is worded by the streaming parser, at the same cell
        return None
    return sheet


def _fast_strings(arc: _Archive, member: str) -> list[str] | None:
    """The shared strings by the fast path, or None when the member is not plain (see _fast_sheet)."""
    try:
        with arc.open(member) as f:
            text = _plain_text(f.read())
    except (XlsxError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        return None
    start = text.find("<sst") if text is not None else -1
    if start < 0 or text.find("<sst", start + 1) >= 0:
        return None
    open_end = text.index(">", start)
    body = "" if text[open_end - 1] == "/" else text[open_end + 1:text.index("</sst", open_end)]
    if _PREFIXED.search(body) or _SI.sub("", body).strip() or text.count("<si") != body.count("<si"):
        return None
    try:
        return [_xml_text(simple) if simple or not rich else _inline(rich) for simple, rich in _SI.findall(body)]
    except _Decline:
        return None


def _fast_rows(text: str, sheet: Sheet, strings: list[str], limits: Limits, dates: set[str]) -> None:
    start = text.find("<sheetData")
    if start < 0:  # no sheet data, or prefixed: the streaming parser says what it is
        raise _Decline
    open_end = text.index(">", start)
    if text.find("<sheetData", start + 1) >= 0 or text[start:open_end].rstrip("/ ") != "<sheetData":
        raise _Decline
    body = "" if text[open_end - 1] == "/" else text[open_end + 1:text.index("</sheetData", open_end)]
    # the whole body is rows of such cells, nothing else: checked by the regular expression engine, not Python
    if len(_ROW_TAG.findall(text)) != len(_ROW_TAG.findall(body)) or _PREFIXED.search(body) or _ROWS.sub("", body).strip():
        raise _Decline
    found = _CELL_RE.findall(body)
    if len(found) != body.count("<c"):
        raise _Decline
    cells, name = sheet.cells, sheet.name
    max_row, max_col = limits.max_row, limits.max_col
    refs = _REFS
    for ref, style, kind, f, v, is_ in found:
        if not (f or v or is_):  # a styled empty cell
            continue
        ri, col = refs.get(ref) or _col_index(ref)
        if ri >= max_row or col >= max_col or ri < 0:
            if sheet.outside == 0:
                sheet.first_outside = a1(ri, col) if ri >= 0 else ref
            sheet.outside += 1
            continue
        value = None
        if not f and not is_ and len(v) > 7 and "&" not in v and "\r" not in v:  # the common cells, inline
            text = v[3:-4]
            if kind == "s" and text.isdigit() and int(text) < len(strings):
                value = strings[int(text)]
            elif not kind:
                value = float(text) if _NUMBER.fullmatch(text) else None
        if value is not None:
            if dates and style in dates and isinstance(value, float):
                value = date_serial(value)
            cells[(ri, col)] = Cell(value)
            continue
        kind = kind or "n"
        inline = (_inline(is_[4:-5]) if len(is_) > 5 else "") if kind == "inlineStr" else None
        value, formula, cached = _value(kind, _xml_text(v[3:-4]) if len(v) > 7 else None, bool(f), inline,
                                        strings, (ri, col), name)
        if value is None and not formula:
            continue
        if isinstance(value, float) and dates and style in dates:
            value = date_serial(value)
        cells[(ri, col)] = Cell(value, formula, cached)

def read_xlsx(data: bytes, limits: Limits = Limits(), only: set[str] | None = None) -> list[Sheet]:
    """The sheets of an .xlsx in workbook order (sparse cells inside the limits); raises XlsxError.

    only: sheet names to read cells of (others are listed with no cells), e.g. the _meta sheet first.
    """
    arc = _Archive(data, limits)
    if not arc.has("xl/workbook.xml"):
        raise XlsxError("missing_member", "xl/workbook.xml")
    sheets, extra = _workbook(arc)
    strings = _shared_strings(arc, extra.get("sharedStrings", "xl/sharedStrings.xml"))
    dates = _date_styles(arc, extra.get("styles", "xl/styles.xml"))
    out = []
    for name, member in sheets:
        if not member or not arc.has(member):
            raise XlsxError("missing_member", member or name, sheet=name)
        try:
            out.append(_sheet(arc, name, member, strings, limits, dates) if only is None or name in only else Sheet(name))
        except XlsxError as exc:  # say which sheet is damaged
            exc.sheet = exc.sheet or name
            raise
    return out
