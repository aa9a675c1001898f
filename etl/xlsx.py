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
    kind = c.get("t") or "n"
    text = v.text if v is not None else None
    formula = f is not None
    if kind == "inlineStr":
        return (_text(is_) if is_ is not None else ""), formula, True
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
    """One sheet's cells inside the limits' area (a broken sheet names the last cell read before the damage)."""
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
