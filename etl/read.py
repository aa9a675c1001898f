"""Reading a returned workbook (.xlsx, .xls) or long CSV into raw cells, before any validation.

The reader only locates data by the hidden codes the template carries; it never trusts labels. Problems
with the file's structure become Findings; values stay raw (text, number, Excel error) for validate.py,
which checks codes, sectors, duplicates and numbers the same way whatever the file type.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from core.config import settings
from core.numbers import ExcelError
from core.refdata import TOTAL, Reference
from core.text import a1, nfc
from etl.findings import ERROR, WARNING, Finding
from etl.template import FIRST_DATA_ROW, FIRST_YEAR_COL, RATING_MARK, SHEET_MARK, template_bounds
from etl.xls import read_xls
from etl.xlsx import Limits, Sheet, XlsxError, read_xlsx

CSV_VALUE_HEADER = ["unit_code", "year", "sector", "indicator_code", "value"]
CSV_TEXT_HEADER = ["unit_code", "round", "question_code", "text"]
RATING_PREFIX = "RATING."
XLSX_MAGIC, OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ACCEPTED_TYPES = (".xlsx", ".xls", ".csv")
META_SHEET, GUIDE_SHEET, RESULT_SHEET = "_meta", "Hướng dẫn", "Kết quả kiểm tra"


@dataclass(slots=True)
class RawValue:
    indicator_code: str
    sector: str
    year: int
    raw: object
    sheet: str
    cell: str
    code_cell: str = ""
    sector_cell: str = ""


@dataclass(slots=True)
class RawRating:
    year: int
    level: str
    raw: object
    sheet: str
    cell: str  # the count cell
    level_cell: str


@dataclass(slots=True)
class RawText:
    question_code: str
    text: str
    sheet: str
    cell: str


@dataclass
class Parsed:
    """Everything read from one file, with the findings (the first `limit` in full, the rest counted)."""

    name: str
    kind: str = ""
    unit_code: str | None = None
    unit_cell: tuple[str, str] = ("", "")
    round_code: str | None = None
    simulated: bool = False
    values: list[RawValue] = field(default_factory=list)
    ratings: list[RawRating] = field(default_factory=list)
    texts: list[RawText] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    overflow: Counter = field(default_factory=Counter)  # (rule, severity) -> findings beyond the limit
    limit: int = 200

    def add(self, rule: str, severity: str = ERROR, **kw) -> None:
        if len(self.findings) >= self.limit:
            self.overflow[(rule, severity)] += 1
            return
        self.findings.append(Finding(file=self.name, rule=rule, severity=severity, **kw))

    @property
    def has_errors(self) -> bool:
        return any(f.severity == ERROR for f in self.findings) or any(s == ERROR for _, s in self.overflow)

    def close(self) -> None:
        """Summarise the findings beyond the limit: one line per rule with its count."""
        for (rule, severity), n in sorted(self.overflow.items()):
            self.findings.append(Finding(file=self.name, rule="more_findings", severity=severity, value=f"{n:,}".replace(",", "."),
                                         expected=rule))
        self.overflow.clear()


def read_file(name: str, data: bytes, ref: Reference) -> Parsed:
    """Parse one submission file (its name gives the type); never raises for a bad file, reports findings."""
    cfg = settings()["loader"]
    parsed = Parsed(name=name, limit=int(cfg["max_findings"]))
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in ACCEPTED_TYPES:
        parsed.add("unsupported_type", value=suffix or name)
    elif not data:
        parsed.add("empty_file")
    elif suffix == ".csv":
        parsed.kind = "csv"
        _read_csv(parsed, data, ref)
    elif data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            parsed.add("password_protected")
        else:
            parsed.kind = "xls"
            _read_book(parsed, lambda lim: read_xls(data, lim), ref)
    elif data.startswith(XLSX_MAGIC):
        parsed.kind = "xlsx"
        _read_book(parsed, lambda lim: read_xlsx(data, lim), ref)
    else:
        parsed.add("not_excel")
    parsed.close()
    return parsed


def limits(ref: Reference) -> Limits:
    """Archive limits from settings.toml and the cell area of the template (with a margin)."""
    cfg = settings()["loader"]
    rows, cols = template_bounds(ref)
    return Limits(max_member_bytes=int(cfg["max_member_mb"] * 2**20), max_total_bytes=int(cfg["max_unzipped_mb"] * 2**20),
                  max_ratio=float(cfg["max_zip_ratio"]), max_row=rows, max_col=cols)


def _text(v) -> str:
    """A cell as text: integral floats without ".0", Excel errors as their code."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, ExcelError):
        return v.code
    return nfc(str(v))


def _read_book(parsed: Parsed, read, ref: Reference) -> None:
    try:
        sheets = read(limits(ref))
    except XlsxError as exc:
        parsed.add(exc.rule, sheet=exc.sheet, cell=exc.cell, value=exc.detail)
        return
    names = Counter(s.name for s in sheets)
    for dup in (n for n, k in names.items() if k > 1):
        parsed.add("duplicate_sheet_name", sheet=dup, value=dup)
    by_name = {s.name: s for s in sheets}
    meta = by_name.get(META_SHEET)
    if meta is None:
        parsed.add("missing_meta")
        return
    pairs = {_text(meta.cells[(r, 0)].value): _text(meta.cells[(r, 1)].value)
             for r in range(10) if (r, 0) in meta.cells and (r, 1) in meta.cells}
    parsed.unit_code = pairs.get("unit_code") or None
    parsed.unit_cell = (META_SHEET, "B2")
    parsed.round_code = pairs.get("round_code") or None
    parsed.simulated = pairs.get("simulated") == "1"
    if parsed.round_code not in ref.rounds.index:
        parsed.add("unknown_round", sheet=META_SHEET, cell="B3", value=parsed.round_code or "")
        return
    years = ref.round_years(parsed.round_code)
    sheet_meta = ref.sheet_meta
    seen: dict[str, str] = {}
    readers = {"indicators": _indicator_sheet, "ratings": _rating_sheet, "texts": _text_sheet}
    for sheet in sheets:
        if sheet.name in (META_SHEET, GUIDE_SHEET):
            continue
        mark, code_cell = sheet.cells.get((0, 0)), sheet.cells.get((0, 1))
        code = _text(code_cell.value) if mark and code_cell and _text(mark.value) == SHEET_MARK else None
        if code is None:
            if sheet.name != RESULT_SHEET and (sheet.cells or sheet.outside):  # the annotated copy's own sheet
                parsed.add("extra_sheet", WARNING, sheet=sheet.name, value=sheet.name)
            continue
        if code not in sheet_meta:
            parsed.add("unknown_sheet", sheet=sheet.name, cell="B1", value=code)
            continue
        if code in seen:
            parsed.add("duplicate_sheet", sheet=sheet.name, cell="B1", value=code, expected=seen[code])
            continue
        seen[code] = sheet.name
        if sheet.name != sheet_meta[code]["sheet_name"]:
            parsed.add("sheet_renamed", WARNING, sheet=sheet.name, value=sheet.name, expected=sheet_meta[code]["sheet_name"])
        if sheet.outside:
            parsed.add("outside_template", WARNING, sheet=sheet.name, cell=sheet.first_outside,
                       value=f"{sheet.outside:,}".replace(",", "."))
        readers[sheet_meta[code]["kind"]](parsed, sheet, years)
    for code, meta_row in sheet_meta.items():
        if code not in seen:
            parsed.add("missing_sheet", expected=meta_row["sheet_name"])


def _cell(parsed: Parsed, sheet: Sheet, r: int, c: int):
    """The raw value of a cell, None when blank; a formula without a cached value is an error (None)."""
    cell = sheet.cells.get((r, c))
    if cell is None:
        return None
    if cell.formula:
        if not cell.cached:
            parsed.add("formula_no_value", sheet=sheet.name, cell=a1(r, c))
            return None
        parsed.add("formula_cached", WARNING, sheet=sheet.name, cell=a1(r, c), value=_text(cell.value))
    return cell.value


def _year(parsed: Parsed, raw, years: list[int], sheet: str, cell: str) -> int | None:
    """A year cell as an int of the round, or None with a finding (0, 10000, 2021.5, 'inf' are not years)."""
    text = _text(raw)
    if not text.isdigit() or len(text) > 4:
        parsed.add("bad_year_header", sheet=sheet, cell=cell, value=text[:40])
        return None
    year = int(text)
    if year not in years:
        parsed.add("year_outside_round", sheet=sheet, cell=cell, value=str(year), expected=f"{years[0]}–{years[-1]}")
        return None
    return year


def _rows(sheet: Sheet) -> list[int]:
    return sorted({r for r, _ in sheet.cells if r >= FIRST_DATA_ROW})


def _indicator_sheet(parsed: Parsed, sheet: Sheet, years: list[int]) -> None:
    col_years: dict[int, int] = {}
    for (r, c), cell in sorted(sheet.cells.items()):
        if r == 0 and c >= FIRST_YEAR_COL and _text(cell.value) != "":
            year = _year(parsed, cell.value, years, sheet.name, a1(0, c))
            if year is not None:
                col_years[c] = year
    for year in sorted(set(years) - set(col_years.values())):
        parsed.add("missing_year", sheet=sheet.name, cell="1:1", expected=str(year))
    for r in _rows(sheet):
        code_cell, sector_cell = sheet.cells.get((r, 0)), sheet.cells.get((r, 1))
        code = _text(code_cell.value) if code_cell else ""
        sector = (_text(sector_cell.value) if sector_cell else "") or TOTAL
        if not code:
            stray = next((c for c in sorted(col_years) if (r, c) in sheet.cells), None)
            if stray is not None:
                parsed.add("row_without_code", WARNING, sheet=sheet.name, cell=a1(r, stray),
                           value=_text(sheet.cells[(r, stray)].value)[:40])
            continue
        for col, year in col_years.items():
            if (r, col) not in sheet.cells:
                continue
            raw = _cell(parsed, sheet, r, col)
            if raw is None or _text(raw) == "":
                continue
            parsed.values.append(RawValue(code, sector, year, raw, sheet.name, a1(r, col), a1(r, 0), a1(r, 1)))


def _rating_sheet(parsed: Parsed, sheet: Sheet, years: list[int]) -> None:
    for r in _rows(sheet):
        mark = sheet.cells.get((r, 0))
        if mark is None or _text(mark.value) != RATING_MARK or (r, 5) not in sheet.cells:
            continue
        year_cell = sheet.cells.get((r, 2))
        year = _year(parsed, year_cell.value if year_cell else "", years, sheet.name, a1(r, 2))
        if year is None:
            continue
        count = _cell(parsed, sheet, r, 5)
        if count is None or _text(count) == "":
            continue
        level = sheet.cells.get((r, 4))
        parsed.ratings.append(RawRating(year, _text(level.value) if level else "", count, sheet.name, a1(r, 5), a1(r, 4)))


def _text_sheet(parsed: Parsed, sheet: Sheet, years: list[int]) -> None:
    for r in _rows(sheet):
        code_cell = sheet.cells.get((r, 0))
        code = _text(code_cell.value) if code_cell else ""
        if not code or (r, 4) not in sheet.cells:
            continue
        text = _cell(parsed, sheet, r, 4)
        if isinstance(text, ExcelError):
            parsed.add("excel_error", sheet=sheet.name, cell=a1(r, 4), value=text.code)
            continue
        text = "" if text is None else str(text).strip()
        if text:
            parsed.texts.append(RawText(code, text, sheet.name, a1(r, 4)))


# ---- long CSV -----------------------------------------------------------------------------------------------

def _decode_csv(parsed: Parsed, data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            parsed.add("csv_encoding_bad")
            return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.add("csv_encoding", WARNING, value="cp1258")
        return data.decode("cp1258", errors="replace")


class _TooMany(Exception):
    pass


def _csv_rows(parsed: Parsed, text: str, delimiter: str, max_rows: int):
    """(line number, fields) of the non-blank rows; a damaged row is one finding and ends the file."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    n = last = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the damaged record starts on the line after the last good one
            rule = "csv_field_too_long" if "field larger" in str(exc) else "csv_damaged"
            parsed.add(rule, cell=f"A{last + 1}", value=str(exc)[:80])
            return
        last = reader.line_num
        if not any(c.strip() for c in row):
            continue
        n += 1
        if n > max_rows:
            parsed.add("too_many_rows", cell=f"A{reader.line_num}", expected=f"{max_rows:,}".replace(",", "."))
            raise _TooMany
        yield reader.line_num, row


def _read_csv(parsed: Parsed, data: bytes, ref: Reference) -> None:
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        parsed.add("csv_binary", cell=f"A{line}")
        return
    text = _decode_csv(parsed, data)
    if text is None:
        return
    if not text.strip():
        parsed.add("empty_content")
        return
    first = next(line for line in text.splitlines() if line.strip())
    delimiter = ";" if first.count(";") > first.count(",") else ","
    csv.field_size_limit(int(settings()["loader"]["csv_max_field_kb"]) * 1024)
    rows = _csv_rows(parsed, text, delimiter, int(settings()["loader"]["max_csv_rows"]))
    try:
        line, header = next(rows)
    except (StopIteration, _TooMany):
        if not parsed.findings:
            parsed.add("empty_content")
        return
    header = [nfc(h).lower() for h in header]
    try:
        if header == CSV_VALUE_HEADER:
            _read_value_csv(parsed, rows, ref)
        elif header == CSV_TEXT_HEADER:
            _read_text_csv(parsed, rows, ref)
        else:
            parsed.add("csv_header", cell=f"A{line}", value=delimiter.join(header)[:120],
                       expected=f"'{','.join(CSV_VALUE_HEADER)}' hoặc '{','.join(CSV_TEXT_HEADER)}'")
    except _TooMany:
        parsed.values.clear()
        parsed.ratings.clear()
        parsed.texts.clear()


MAX_UNIT_SPELLINGS = 50  # a file holds one unit; more spellings than this are not looked up one by one


def _note_unit(parsed: Parsed, units: dict[str, str], unit: str, line: int) -> bool:
    """Remember a unit as written (spelling -> first cell); False for a spelling beyond MAX_UNIT_SPELLINGS, which
    is reported once, at the first such row."""
    if unit in units:
        return True
    if len(units) < MAX_UNIT_SPELLINGS:
        units[unit] = f"A{line}"
        return True
    if not any(f.rule == "csv_many_units" for f in parsed.findings):
        parsed.add("csv_many_units", cell=f"A{line}", value=unit[:80], expected=str(MAX_UNIT_SPELLINGS))
    return False


def _csv_unit(parsed: Parsed, raw_units: dict[str, str], ref: Reference, year: int | None) -> None:
    resolved: dict[str, str] = {}
    for raw, cell in raw_units.items():
        code = ref.resolve_unit(raw, year)
        if code is None:
            parsed.add("unknown_unit", cell=cell, value=raw[:80])
        else:
            resolved.setdefault(code, cell)
    if len(resolved) > 1:
        second = sorted(resolved.values(), key=lambda c: int(c[1:]))[1]
        parsed.add("csv_multi_unit", cell=second, value=", ".join(sorted(resolved)))
    elif resolved:
        parsed.unit_code, cell = next(iter(resolved.items()))
        parsed.unit_cell = ("", cell)


def _read_value_csv(parsed: Parsed, rows, ref: Reference) -> None:
    units: dict[str, str] = {}
    years: dict[int, str] = {}
    lo, hi = ref.year_span
    for line, row in rows:
        if len(row) != len(CSV_VALUE_HEADER):
            parsed.add("csv_columns", cell=f"A{line}", value=str(len(row)), expected=str(len(CSV_VALUE_HEADER)))
            continue
        unit, year_raw, sector, code, value = (nfc(c) for c in row)
        if not _note_unit(parsed, units, unit, line):
            continue
        if not year_raw.isdigit() or not lo <= int(year_raw) <= hi:
            parsed.add("bad_year", cell=f"B{line}", value=year_raw[:40], expected=f"{lo}–{hi}")
            continue
        year = int(year_raw)
        years.setdefault(year, f"B{line}")
        if code.upper().startswith(RATING_PREFIX):
            if value != "":
                parsed.ratings.append(RawRating(year, code[len(RATING_PREFIX):], value, "", f"E{line}", f"D{line}"))
            continue
        if value != "":
            parsed.values.append(RawValue(code, sector.upper() or TOTAL, year, value, "", f"E{line}", f"D{line}", f"C{line}"))
    parsed.round_code = ref.round_for_years(set(years))
    if years and parsed.round_code is None:
        first = ref.round_for_years({next(iter(years))})
        odd = next((cell for y, cell in years.items() if ref.round_for_years({y}) != first), "B2")
        parsed.add("csv_round", cell=odd, value=", ".join(map(str, sorted(years))))
    _csv_unit(parsed, units, ref, max(years) if years else None)


def _read_text_csv(parsed: Parsed, rows, ref: Reference) -> None:
    units: dict[str, str] = {}
    rounds: dict[str, str] = {}
    for line, row in rows:
        if len(row) != len(CSV_TEXT_HEADER):
            parsed.add("csv_columns", cell=f"A{line}", value=str(len(row)), expected=str(len(CSV_TEXT_HEADER)))
            continue
        unit, round_code, code, text = (nfc(c) for c in row)
        if not _note_unit(parsed, units, unit, line):
            continue
        if round_code not in rounds and len(rounds) < 50:
            rounds[round_code] = f"B{line}"
        if text:
            parsed.texts.append(RawText(code, text, "", f"D{line}"))
    if len(rounds) == 1:
        parsed.round_code, cell = next(iter(rounds.items()))
        if parsed.round_code not in ref.rounds.index:
            parsed.add("unknown_round", cell=cell, value=parsed.round_code[:40])
            parsed.round_code = None
    elif rounds:
        parsed.add("csv_round", cell=list(rounds.values())[1], value=", ".join(sorted(rounds))[:200])
    year = ref.rounds.loc[parsed.round_code, "year_to"] if parsed.round_code else None
    _csv_unit(parsed, units, ref, int(year) if year is not None else None)
