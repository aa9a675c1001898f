"""Reading a returned workbook (.xlsx, .xls) or long CSV into raw cells, before any validation.

The reader only locates data by the hidden codes the template carries; it never trusts labels.
Problems with the file's structure become Findings; values stay raw text/numbers for validate.py.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine as calamine

from core.refdata import TOTAL, Reference
from core.text import a1, nfc
from etl.findings import ERROR, WARNING, Finding
from etl.template import FIRST_DATA_ROW, FIRST_YEAR_COL, RATING_MARK, SHEET_MARK

CSV_VALUE_HEADER = ["unit_code", "year", "sector", "indicator_code", "value"]
CSV_TEXT_HEADER = ["unit_code", "round", "question_code", "text"]
RATING_PREFIX = "RATING."
XLSX_MAGIC, OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class RawValue:
    indicator_code: str
    sector: str
    year: int
    raw: object
    sheet: str
    cell: str


@dataclass
class RawRating:
    year: int
    level: str
    raw: object
    sheet: str
    cell: str  # the count cell
    level_cell: str


@dataclass
class RawText:
    question_code: str
    text: str
    sheet: str
    cell: str


@dataclass
class Parsed:
    """Everything read from one file, with the structural findings."""

    path: Path
    kind: str = ""
    unit_code: str | None = None
    unit_cell: tuple[str, str] = ("", "")
    round_code: str | None = None
    simulated: bool = False
    values: list[RawValue] = field(default_factory=list)
    ratings: list[RawRating] = field(default_factory=list)
    texts: list[RawText] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def add(self, rule: str, severity: str = ERROR, **kw) -> None:
        self.findings.append(Finding(file=self.path.name, rule=rule, severity=severity, **kw))

    @property
    def has_errors(self) -> bool:
        return any(f.severity == ERROR for f in self.findings)


def read_file(path: Path, ref: Reference, data: bytes | None = None) -> Parsed:
    """Parse one submission file; never raises for a bad file, reports it as findings instead."""
    path = Path(path)
    parsed = Parsed(path=path)
    data = path.read_bytes() if data is None else data
    suffix = path.suffix.lower()
    if not data:
        parsed.add("empty_file")
        return parsed
    if suffix == ".csv":
        parsed.kind = "csv"
        _read_csv(parsed, data, ref)
        return parsed
    if suffix not in (".xlsx", ".xlsm", ".xls"):
        parsed.add("unsupported_type", value=suffix or path.name)
        return parsed
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            parsed.add("password_protected")
            return parsed
        parsed.kind = "xls"
    elif data.startswith(XLSX_MAGIC):
        parsed.kind = "xlsx"
    else:
        parsed.add("not_excel")
        return parsed
    try:
        wb = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several types for broken files
        parsed.add("unreadable", value=type(exc).__name__)
        return parsed
    _read_workbook(parsed, wb, ref, data)
    return parsed


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return nfc(str(v))


def _read_workbook(parsed: Parsed, wb, ref: Reference, data: bytes) -> None:
    names = wb.sheet_names
    if "_meta" not in names:
        parsed.add("missing_meta")
        return
    meta = {_cell_text(r[0]): _cell_text(r[1]) for r in wb.get_sheet_by_name("_meta").to_python(skip_empty_area=False) if len(r) >= 2}
    parsed.unit_code = meta.get("unit_code") or None
    parsed.unit_cell = ("_meta", "B2")
    parsed.round_code = meta.get("round_code") or None
    parsed.simulated = meta.get("simulated") == "1"
    if parsed.round_code not in ref.rounds.index:
        parsed.add("unknown_round", sheet="_meta", cell="B3", value=parsed.round_code or "")
        return
    years = ref.round_years(parsed.round_code)
    formula_cells = _formula_cells(data) if parsed.kind == "xlsx" else {}
    sheets = ref.sheet_meta
    seen: dict[str, str] = {}
    for name in names:
        if name in ("_meta", "Hướng dẫn"):
            continue
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        code = _cell_text(rows[0][1]) if rows and len(rows[0]) > 1 and _cell_text(rows[0][0]) == SHEET_MARK else None
        if code is None:
            if any(_cell_text(v) for row in rows for v in row):
                parsed.add("extra_sheet", WARNING, sheet=name, value=name)
            continue
        if code not in sheets:
            parsed.add("unknown_sheet", sheet=name, cell="B1", value=code)
            continue
        if code in seen:
            parsed.add("duplicate_sheet", sheet=name, cell="B1", value=code, expected=seen[code])
            continue
        seen[code] = name
        if name != sheets[code]["sheet_name"]:
            parsed.add("sheet_renamed", WARNING, sheet=name, value=name, expected=sheets[code]["sheet_name"])
        kind = sheets[code]["kind"]
        reader = {"indicators": _read_indicator_sheet, "ratings": _read_rating_sheet, "texts": _read_text_sheet}[kind]
        reader(parsed, name, rows, years, ref, formula_cells.get(name, {}))
    for code, sheet in sheets.items():
        if code not in seen:
            parsed.add("missing_sheet", expected=sheet["sheet_name"], value="")


def _formula_check(parsed: Parsed, sheet: str, cell: str, formulas: dict[str, bool], value) -> bool:
    """Report a formula cell; False when it has no cached value (the value must not be used)."""
    if cell not in formulas:
        return True
    if formulas[cell]:
        parsed.add("formula_cached", WARNING, sheet=sheet, cell=cell, value=_cell_text(value))
        return True
    parsed.add("formula_no_value", sheet=sheet, cell=cell)
    return False


def _read_indicator_sheet(parsed: Parsed, name, rows, years, ref, formulas) -> None:
    header = rows[0] if rows else []
    col_years: dict[int, int] = {}
    for col in range(FIRST_YEAR_COL, len(header)):
        raw = header[col]
        if _cell_text(raw) == "":
            continue
        try:
            year = int(float(raw))
        except (TypeError, ValueError):
            parsed.add("bad_year_header", sheet=name, cell=a1(0, col), value=_cell_text(raw))
            continue
        if year not in years:
            parsed.add("year_outside_round", sheet=name, cell=a1(0, col), value=str(year),
                       expected=f"{years[0]}–{years[-1]}")
            continue
        col_years[col] = year
    for year in sorted(set(years) - set(col_years.values())):
        parsed.add("missing_year", sheet=name, cell="1:1", expected=str(year))
    inds = ref.indicator_meta
    seen: dict[tuple[str, str], str] = {}
    for r in range(FIRST_DATA_ROW, len(rows)):
        row = rows[r]
        code = _cell_text(row[0]) if row else ""
        cells = {c: row[c] for c in col_years if c < len(row) and _cell_text(row[c]) != ""}
        if not code:
            if cells:
                c = min(cells)
                parsed.add("row_without_code", WARNING, sheet=name, cell=a1(r, c), value=_cell_text(cells[c]))
            continue
        sector = _cell_text(row[1]) if len(row) > 1 else ""
        sector = sector or TOTAL
        if code not in inds or not inds[code]["is_input"]:
            parsed.add("unknown_indicator", sheet=name, cell=a1(r, 0), value=code)
            continue
        if sector != TOTAL and sector not in ref.sector_codes:
            parsed.add("unknown_sector", sheet=name, cell=a1(r, 1), value=sector, expected=", ".join(ref.sector_codes))
            continue
        if sector != TOTAL and not inds[code]["by_sector"]:
            parsed.add("sector_not_allowed", sheet=name, cell=a1(r, 1), value=sector)
            continue
        if (code, sector) in seen:
            parsed.add("duplicate_row", sheet=name, cell=a1(r, 0), value=code if sector == TOTAL else f"{code}/{sector}",
                       expected=seen[(code, sector)])
            continue
        seen[(code, sector)] = a1(r, 0)
        for col, year in col_years.items():
            value = row[col] if col < len(row) else ""
            cell = a1(r, col)
            if not _formula_check(parsed, name, cell, formulas, value):
                continue
            if _cell_text(value) == "":
                continue
            parsed.values.append(RawValue(code, sector, year, value, name, cell))


def _read_rating_sheet(parsed: Parsed, name, rows, years, ref, formulas) -> None:
    for r in range(FIRST_DATA_ROW, len(rows)):
        row = rows[r]
        if not row or _cell_text(row[0]) != RATING_MARK or len(row) < 6:
            continue
        year_raw, level, count = row[2], _cell_text(row[4]), row[5]
        try:
            year = int(float(year_raw))
        except (TypeError, ValueError):
            parsed.add("bad_year_header", sheet=name, cell=a1(r, 2), value=_cell_text(year_raw))
            continue
        if year not in years:
            parsed.add("year_outside_round", sheet=name, cell=a1(r, 2), value=str(year), expected=f"{years[0]}–{years[-1]}")
            continue
        if not _formula_check(parsed, name, a1(r, 5), formulas, count) or _cell_text(count) == "":
            continue
        parsed.ratings.append(RawRating(year, level, count, name, a1(r, 5), a1(r, 4)))


def _read_text_sheet(parsed: Parsed, name, rows, years, ref, formulas) -> None:
    for r in range(FIRST_DATA_ROW, len(rows)):
        row = rows[r]
        code = _cell_text(row[0]) if row else ""
        text = _cell_text(row[4]) if len(row) > 4 else ""
        if code and text:
            parsed.texts.append(RawText(code, text, name, a1(r, 4)))


_CELL_RE = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)


def _formula_cells(data: bytes) -> dict[str, dict[str, bool]]:
    """Sheet name -> {cell: has cached value} for every formula cell of an .xlsx."""
    out: dict[str, dict[str, bool]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            workbook = z.read("xl/workbook.xml").decode("utf-8")
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
            targets = dict(re.findall(r'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
            targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
            for sheet_name, rid in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
                target = targets.get(rid, "")
                member = target.lstrip("/") if target.startswith("/") else "xl/" + target
                if member not in z.namelist():
                    continue
                xml = z.read(member)
                if b"<f" not in xml:
                    continue
                cells = {}
                for ref_, inner in _CELL_RE.findall(xml):
                    if inner and (b"<f>" in inner or b"<f " in inner):
                        cells[ref_.decode()] = bool(re.search(rb"<v>[^<]+</v>", inner))
                if cells:
                    out[_unescape(sheet_name)] = cells
    except (zipfile.BadZipFile, KeyError):
        return {}
    return out


def _unescape(text: str) -> str:
    return nfc(text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'"))


def _decode_csv(parsed: Parsed, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.add("csv_encoding", WARNING, value="cp1258")
        return data.decode("cp1258", errors="replace")


def _read_csv(parsed: Parsed, data: bytes, ref: Reference) -> None:
    text = _decode_csv(parsed, data)
    first = text.splitlines()[0] if text.strip() else ""
    if not first:
        parsed.add("empty_file")
        return
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [nfc(h).lower() for h in next(reader)]
    if header == CSV_VALUE_HEADER:
        _read_value_csv(parsed, reader, ref)
    elif header == CSV_TEXT_HEADER:
        _read_text_csv(parsed, reader, ref)
    else:
        parsed.add("csv_header", cell="A1", value=delimiter.join(header),
                   expected=f"'{','.join(CSV_VALUE_HEADER)}' hoặc '{','.join(CSV_TEXT_HEADER)}'")


def _csv_unit(parsed: Parsed, raw_units: dict[str, str], ref: Reference, year: int | None) -> None:
    resolved = {}
    for raw, cell in raw_units.items():
        code = ref.resolve_unit(raw, year)
        if code is None:
            parsed.add("unknown_unit", cell=cell, value=raw)
        else:
            resolved[code] = cell
    if len(resolved) > 1:
        second = sorted(resolved.values(), key=lambda c: int(c[1:]))[1]
        parsed.add("csv_multi_unit", cell=second, value=", ".join(sorted(resolved)))
    elif resolved:
        parsed.unit_code, cell = next(iter(resolved.items()))
        parsed.unit_cell = ("", cell)


def _read_value_csv(parsed: Parsed, reader, ref: Reference) -> None:
    units: dict[str, str] = {}
    years: dict[int, str] = {}
    inds = ref.indicator_meta
    seen: dict[tuple, str] = {}
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(CSV_VALUE_HEADER):
            parsed.add("csv_columns", cell=f"A{line}", value=str(len(row)), expected=str(len(CSV_VALUE_HEADER)))
            continue
        unit, year_raw, sector, code, value = (nfc(c) for c in row)
        units.setdefault(unit, f"A{line}")
        try:
            year = int(year_raw)
        except ValueError:
            parsed.add("bad_year_header", cell=f"B{line}", value=year_raw)
            continue
        years.setdefault(year, f"B{line}")
        sector = sector.upper() or TOTAL
        if code.upper().startswith(RATING_PREFIX):
            if value != "":
                parsed.ratings.append(RawRating(year, code[len(RATING_PREFIX):], value, "", f"E{line}", f"D{line}"))
            continue
        if code not in inds or not inds[code]["is_input"]:
            parsed.add("unknown_indicator", cell=f"D{line}", value=code)
            continue
        if sector != TOTAL and sector not in ref.sector_codes:
            parsed.add("unknown_sector", cell=f"C{line}", value=sector, expected=", ".join(ref.sector_codes))
            continue
        if sector != TOTAL and not inds[code]["by_sector"]:
            parsed.add("sector_not_allowed", cell=f"C{line}", value=sector)
            continue
        key = (unit, code, sector, year)
        if key in seen:
            parsed.add("duplicate_row", cell=f"D{line}", value=f"{code}/{year}", expected=seen[key])
            continue
        seen[key] = f"D{line}"
        if value != "":
            parsed.values.append(RawValue(code, sector, year, value, "", f"E{line}"))
    parsed.round_code = ref.round_for_years(set(years))
    if years and parsed.round_code is None:
        first = ref.round_for_years({next(iter(years))})
        odd = next((cell for y, cell in years.items() if ref.round_for_years({y}) != first), "B2")
        parsed.add("csv_round", cell=odd, value=", ".join(map(str, sorted(years))))
    _csv_unit(parsed, units, ref, max(years) if years else None)


def _read_text_csv(parsed: Parsed, reader, ref: Reference) -> None:
    units: dict[str, str] = {}
    rounds: dict[str, str] = {}
    for row in reader:
        line = reader.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(CSV_TEXT_HEADER):
            parsed.add("csv_columns", cell=f"A{line}", value=str(len(row)), expected=str(len(CSV_TEXT_HEADER)))
            continue
        unit, round_code, code, text = (nfc(c) for c in row)
        units.setdefault(unit, f"A{line}")
        rounds.setdefault(round_code, f"B{line}")
        if text:
            parsed.texts.append(RawText(code, text, "", f"D{line}"))
    if len(rounds) == 1:
        parsed.round_code, cell = next(iter(rounds.items()))
        if parsed.round_code not in ref.rounds.index:
            parsed.add("unknown_round", cell=cell, value=parsed.round_code)
            parsed.round_code = None
    elif rounds:
        parsed.add("csv_round", cell=list(rounds.values())[1], value=", ".join(sorted(rounds)))
    year = ref.rounds.loc[parsed.round_code, "year_to"] if parsed.round_code else None
    _csv_unit(parsed, units, ref, int(year) if year is not None else None)
