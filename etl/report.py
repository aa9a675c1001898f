"""The consolidated review report as an Excel workbook (xlsxwriter): audit-ready tables per outline section.

Totals are SUM formulas and percentages are formulas over their numerator and denominator cells, each written
with its computed value cached so the file opens with numbers in any spreadsheet program.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from core.approval import rounds_status
from core.db import Warehouse
from core.labels import STATUS, VIEWS, province_labels, region_labels, sector_labels, vn_sort_key
from core.refdata import reference

SECTIONS = ["I.1.1", "I.1.2", "I.1.3", "I.1.4", "I.2.1", "I.2.2", "I.2.3", "I.2.4"]
# the figure each section is summarised by (region × year table, chart and highlights), in print and in Excel
SUMMARY = {"I.1.1": "cadre_total", "I.1.2": "member_end", "I.1.3": "card_share", "I.1.4": "training_attendance",
           "I.2.1": "cdcs_total", "I.2.2": "cba_share", "I.2.3": "top_share_rated", "I.2.4": "kpcd_collected"}


@dataclass(frozen=True)
class ReportOptions:
    round_code: str           # '' = the period in `years`
    region: str = ""          # '' = whole country
    view: str = "34"          # region mapping: '34' (today's provinces) or 'reported'
    years: tuple[int, int] | None = None   # first and last year (default: the round's)


@dataclass
class Block:
    """Where one table landed: first data row, first year column, row keys (for tests and formulas)."""

    sheet: str
    indicator: str
    kind: str                 # value | numerator | denominator | ratio
    grouping: str             # region | province34 | province_reported | sector
    first_row: int
    first_col: int
    keys: list[str]
    years: list[int]
    total_row: int | None


class _Formats:
    def __init__(self, wb):
        base = {"font_name": "Arial", "font_size": 10}
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.h2 = wb.add_format({**base, "bold": True, "font_size": 11, "font_color": "#0B3C5D"})
        self.head = wb.add_format({**base, "bold": True, "bg_color": "#DCE6F1", "border": 1, "align": "center",
                                   "valign": "vcenter", "text_wrap": True})
        self.label = wb.add_format({**base, "border": 1})
        self.total_label = wb.add_format({**base, "border": 1, "bold": True, "bg_color": "#F2F2F2"})
        self.int = wb.add_format({**base, "border": 1, "num_format": "#,##0"})
        self.dec = wb.add_format({**base, "border": 1, "num_format": "#,##0.0"})
        self.int_total = wb.add_format({**base, "border": 1, "num_format": "#,##0", "bold": True, "bg_color": "#F2F2F2"})
        self.dec_total = wb.add_format({**base, "border": 1, "num_format": "#,##0.0", "bold": True, "bg_color": "#F2F2F2"})
        self.pct = wb.add_format({**base, "border": 1, "num_format": "0.0"})
        self.pct_total = wb.add_format({**base, "border": 1, "num_format": "0.0", "bold": True, "bg_color": "#F2F2F2"})
        self.note = wb.add_format({**base, "italic": True, "font_color": "#555555", "text_wrap": True})
        self.warn = wb.add_format({**base, "bold": True, "font_color": "#B00020", "font_size": 12})
        self.wrap = wb.add_format({**base, "text_wrap": True, "valign": "top", "border": 1})
        self.text = wb.add_format({**base, "valign": "top", "border": 1})


def _pivot(df: pd.DataFrame, key: str, years: list[int], col: str = "value") -> pd.DataFrame:
    if df.empty:
        return pd.DataFrame(columns=years)
    p = df.pivot_table(index=key, columns="year", values=col, aggfunc="first")
    return p.reindex(columns=years)


class ReportBuilder:
    """Builds the workbook; keeps a list of the blocks it wrote (tests read them back with openpyxl)."""

    def __init__(self, wh: Warehouse, opts: ReportOptions):
        self.wh, self.opts = wh, opts
        self.ref = reference()
        self.years = (list(range(opts.years[0], opts.years[1] + 1)) if opts.years
                      else self.ref.round_years(opts.round_code))
        self.rounds = ([opts.round_code] if opts.round_code else
                       [r for r, a, b in zip(self.ref.rounds["round_code"], self.ref.rounds["year_from"],
                                             self.ref.rounds["year_to"]) if a <= self.years[-1] and b >= self.years[0]])
        self.label = (self.ref.rounds.loc[opts.round_code, "label_vi"] if opts.round_code else
                      f"Giai đoạn {self.years[0]}–{self.years[-1]}")
        self.blocks: list[Block] = []
        self._cached: dict[tuple[str, int, int], float | None] = {}  # value written at (sheet, row, col)
        self.inds = wh.query("dim_indicator").set_index("indicator_code")

    # ---- data -----------------------------------------------------------------------------------------------
    def _years(self) -> dict:
        return {"y0": self.years[0], "y1": self.years[-1]}

    def _region_data(self) -> pd.DataFrame:
        df = self.wh.query("region_year", view=self.opts.view, **self._years())
        df = df[df["sector"] == "TOTAL"]
        return df[df["region_code"] == self.opts.region] if self.opts.region else df

    def _province_data(self, source: str) -> pd.DataFrame:
        df = self.wh.query("province_year", **self._years())
        df = df[(df["source"] == source) & (df["sector"] == "TOTAL")]
        return df[df["region_code"] == self.opts.region] if self.opts.region else df

    def _sector_data(self) -> pd.DataFrame:
        if self.opts.region:
            df = self.wh.query("region_year", view=self.opts.view, **self._years())
            df = df[df["region_code"] == self.opts.region]
        else:
            df = self.wh.query("national_year", **self._years())
        return df[df["sector"] != "TOTAL"]

    # ---- writing ----------------------------------------------------------------------------------------------
    def build(self, out: Path) -> Path:
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        wb = xlsxwriter.Workbook(str(out), {"nan_inf_to_errors": True})
        wb.set_properties({"title": f"Báo cáo tổng hợp {self.opts.round_code or self.label}", "author": "TLĐLĐVN"})
        self.footer = (f"&L&8Báo cáo tổng hợp CĐCS — {self.label} — bản dữ liệu {self.wh.snapshot().id}"
                       f"&R&8Trang &P / &N")
        f = _Formats(wb)
        snap = self.wh.snapshot()
        self._cover(wb, f, snap)
        regions = self._region_data()
        p34 = self._province_data("34")
        prep = self._province_data("reported")
        sectors = self._sector_data()
        for section in SECTIONS:
            self._section(wb, f, section, regions, p34, prep, sectors)
        self._texts(wb, f)
        self._units(wb, f)
        wb.close()
        return out

    def _cover(self, wb, f, snap):
        ws = wb.add_worksheet("Bìa")
        ws.set_column(0, 0, 28)
        ws.set_column(1, 1, 90)

        info = self.wh.query("snapshot_info")
        simulated = bool(info["simulated"].iloc[0]) if len(info) else snap.simulated
        ws.write(0, 0, "BÁO CÁO TỔNG HỢP SỐ LIỆU CÔNG ĐOÀN CƠ SỞ", f.title)
        rows = [
            ("Kỳ báo cáo", f"{self.label}" + (f" ({self.opts.round_code})" if self.opts.round_code else "")
             + f", các năm {self.years[0]}–{self.years[-1]}"),
            ("Phạm vi", region_labels().get(self.opts.region, "Cả nước") if self.opts.region else "Cả nước"),
            ("Cách tính theo tỉnh", VIEWS[self.opts.view]),
            ("Bản dữ liệu", f"{snap.id} (công bố {snap.created_label})"),
            ("Tình trạng số liệu", rounds_status(self.wh, self.rounds)),
            ("Thời điểm lập", datetime.now().strftime("%d/%m/%Y %H:%M")),
            ("Tỷ lệ (%)", "Là công thức Excel trên ô tử số và mẫu số ngay phía trên (tổng tử số / tổng mẫu số)."),
            ("Dòng tổng", "Là công thức SUM trên các dòng của bảng."),
            ("Đơn vị tính", "Theo từng bảng; tiền tính bằng triệu đồng."),
        ]
        for i, (k, v) in enumerate(rows, start=2):
            ws.write(i, 0, k, f.total_label)
            ws.write(i, 1, v, f.label)
        if simulated:
            ws.write(len(rows) + 3, 0, "DỮ LIỆU MÔ PHỎNG — số liệu do chương trình tạo ra để minh họa, không phải số "
                                       "liệu thật của các đơn vị.", f.warn)
        ws.set_paper(9)
        ws.set_landscape()
        ws.set_footer(self.footer)
        ws.fit_to_pages(1, 1)  # the cover prints on one A4 page
        ws.activate()

    def _section(self, wb, f, section, regions, p34, prep, sectors):
        sheet = self.ref["sheets"].set_index("sheet_code").loc[section]
        name, title = sheet["sheet_name"], sheet["title_vi"]  # the same names as the template's sheets
        ws = wb.add_worksheet(name)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.set_footer(self.footer)
        ws.set_column(0, 0, 34)
        ws.set_column(1, len(self.years), 13)
        ws.set_column(len(self.years) + 1, len(self.years) + 1, 16)
        ws.freeze_panes(2, 1)
        ws.write(0, 0, title, f.title)
        ws.write(1, 0, f"Năm {self.years[0]}–{self.years[-1]}" if len(self.years) > 1 else f"Năm {self.years[0]}", f.note)
        inds = self.inds[self.inds["section"] == section].sort_values("sort_order")
        row = self._summary(wb, ws, f, name, section, regions, 3)
        region_names = region_labels()
        for grouping, data, keyname, names, title in (
            ("region", regions, "region_code", region_names, "Theo vùng"),
            ("province34", p34, "province_key", province_labels(), "Theo tỉnh, thành phố (34 tỉnh hiện nay)"),
            ("province_reported", prep, "province_key", province_labels(), "Theo tỉnh, thành phố như đã báo cáo"),
        ):
            ws.write(row, 0, title, f.h2)
            row += 2
            for code, ind in inds.iterrows():
                sub = data[data["indicator_code"] == code]
                if sub.empty:
                    continue
                row, block = self._indicator_tables(ws, f, name, code, ind, sub, keyname, names, grouping, row)
            row += 1
        by_sector = inds[inds["by_sector"]]
        if len(by_sector):
            ws.write(row, 0, "Theo khu vực", f.h2)
            row += 2
            for code, ind in by_sector.iterrows():
                sub = sectors[sectors["indicator_code"] == code]
                if sub.empty:
                    continue
                row, _ = self._indicator_tables(ws, f, name, code, ind, sub, "sector", sector_labels(), "sector", row)
        ws.print_area(0, 0, row, len(self.years) + 1)
        ws.repeat_rows(0, 1)

    def _summary(self, wb, ws, f, sheet, section, regions, row) -> int:
        """The section's summary first: its key figure by region and year, the like-for-like change over the period
        (or against the year before), the national total, and its chart beside the table. Returns the next row."""
        from core.compare import changes
        from core.filters import Filters
        code = SUMMARY[section]
        ind = self.inds.loc[code]
        sub = regions[regions["indicator_code"] == code]
        if sub.empty:
            return row
        y0, y1 = self.years[0], self.years[-1]
        base = y0 if y1 > y0 else y1 - 1
        params = Filters(y0, y1, view=self.opts.view, region=self.opts.region).params()
        moves = changes(self.wh.query, params, [code], base, y1, by="region").set_index("group_code")
        total_move = changes(self.wh.query, params, [code], base, y1, by="all")
        nat = self.wh.query("region_year" if self.opts.region else "national_year", view=self.opts.view, **self._years())
        nat = nat[(nat["sector"] == "TOTAL") & (nat["indicator_code"] == code)]
        if self.opts.region:
            nat = nat[nat["region_code"] == self.opts.region]
        total = dict(zip(nat["year"], nat["value"]))
        pct = ind["unit_vi"] == "%"
        ws.write(row, 0, f"Tóm tắt: {ind['label_vi']} ({ind['unit_vi']}) theo vùng", f.h2)
        head = row + 2
        self._header(ws, f, head, "Vùng")
        change_head = f"Thay đổi {base}–{y1} ({'điểm %' if pct else '%'}, cùng phạm vi)"
        ws.write(head, len(self.years) + 1, change_head, f.head)
        order = dict(zip(self.wh.query("dim_region")["region_code"], self.wh.query("dim_region")["sort_order"]))
        keys = sorted(sub["region_code"].unique(), key=lambda k: order.get(k, 99))
        pivot = _pivot(sub, "region_code", self.years)
        value_fmt = f.dec if ind["is_ratio"] or ind["value_type"] == "decimal" else f.int
        notes = set()
        for i, key in enumerate([*keys, "__total__"]):
            r = head + 1 + i
            is_total = key == "__total__"
            ws.write(r, 0, "Tổng" if is_total else region_labels().get(key, key), f.total_label if is_total else f.label)
            for j, y in enumerate(self.years):
                v = total.get(y) if is_total else (pivot.at[key, y] if key in pivot.index else None)
                if v is None or pd.isna(v):
                    ws.write_blank(r, 1 + j, None, value_fmt)
                else:
                    ws.write_number(r, 1 + j, float(v), value_fmt)
            m = (total_move.iloc[0] if len(total_move) else None) if is_total else (
                moves.loc[key] if key in moves.index else None)
            ch = None if m is None else (m["change_points"] if pct else m["growth_pct"])
            if m is not None:
                notes.add(m["note"])
            if ch is None or pd.isna(ch):
                ws.write_string(r, len(self.years) + 1, "không so sánh được", f.label)
            else:
                ws.write_number(r, len(self.years) + 1, float(ch), f.dec)
        end = head + 1 + len(keys)
        for k, note in enumerate(sorted(n for n in notes if n)):
            ws.write(end + 1 + k, 0, f"Cách so sánh: {note}", f.note)
        if len(self.years) > 1:  # the chart beside its table
            chart = wb.add_chart({"type": "line"})
            for i, key in enumerate(keys):
                r = head + 1 + i
                chart.add_series({"name": [sheet, r, 0], "categories": [sheet, head, 1, head, len(self.years)],
                                  "values": [sheet, r, 1, r, len(self.years)], "marker": {"type": "circle", "size": 4}})
            chart.set_title({"name": f"{ind['label_vi']} theo vùng", "name_font": {"size": 11}})
            chart.set_legend({"position": "bottom", "font": {"size": 8}})
            chart.set_size({"width": 620, "height": 330})
            ws.insert_chart(row, len(self.years) + 3, chart)
        return max(end + 2 + len(notes), row + 18)

    def _indicator_tables(self, ws, f, sheet, code, ind, sub, keyname, names, grouping, row):
        """Value table (with SUM total) or, for a ratio, numerator, denominator and formula tables."""
        keys = sorted(sub[keyname].unique(), key=lambda k: vn_sort_key(names.get(k, k)))
        if grouping == "region":
            order = dict(zip(self.wh.query("dim_region")["region_code"], self.wh.query("dim_region")["sort_order"]))
            keys = sorted(sub[keyname].unique(), key=lambda k: order.get(k, 99))
        if grouping == "sector":
            keys = [s for s in self.ref.sector_codes if s in set(sub[keyname])]
        group_label = {"region": "Vùng", "sector": "Khu vực"}.get(grouping, "Tỉnh, thành phố")
        is_money = ind["value_type"] == "decimal" and not ind["is_ratio"]
        if not ind["is_ratio"]:
            ws.write(row, 0, f"{ind['label_vi']} ({ind['unit_vi']})", f.total_label)
            row += 1
            block, row = self._table(ws, f, sheet, code, "value", grouping, _pivot(sub, keyname, self.years), keys,
                                     names, group_label, row, f.dec if is_money else f.int,
                                     f.dec_total if is_money else f.int_total)
            return row + 1, block
        scale = float(ind["scale"])
        ws.write(row, 0, f"{ind['label_vi']} ({ind['unit_vi']}) = tử số / mẫu số"
                 + (" × 100" if scale == 100 else ""), f.total_label)
        row += 1
        num_label = self.inds.loc[ind["numerator"], "label_vi"]
        den_label = self.inds.loc[ind["denominator"], "label_vi"]
        ws.write(row, 0, f"Tử số: {num_label}" if ind["aggregation"] != "complement" else
                 f"Tử số: {den_label} − {num_label}", f.note)
        num, row = self._table(ws, f, sheet, code, "numerator", grouping, _pivot(sub, keyname, self.years, "numerator"),
                               keys, names, group_label, row + 1, f.int, f.int_total)
        ws.write(row, 0, f"Mẫu số: {den_label}", f.note)
        den, row = self._table(ws, f, sheet, code, "denominator", grouping,
                               _pivot(sub, keyname, self.years, "denominator"), keys, names, group_label, row + 1,
                               f.int, f.int_total)
        ws.write(row, 0, f"Tỷ lệ ({ind['unit_vi']})", f.note)
        row += 1
        self._header(ws, f, row, group_label)
        first = row + 1
        lines = [(k, num.first_row + i, den.first_row + i, f.pct) for i, k in enumerate(keys)]
        lines.append(("__total__", num.total_row, den.total_row, f.pct_total))
        for i, (key, nrow, drow, fmt) in enumerate(lines):
            r = first + i
            ws.write(r, 0, "Tổng" if key == "__total__" else names.get(key, key),
                     f.total_label if key == "__total__" else f.label)
            for j, _ in enumerate(self.years):
                c = 1 + j
                ncell, dcell = xl_rowcol_to_cell(nrow, c), xl_rowcol_to_cell(drow, c)
                nv, dv = self._cached.get((sheet, nrow, c)), self._cached.get((sheet, drow, c))
                value = nv / dv * scale if nv is not None and dv not in (None, 0) else ""
                ws.write_formula(r, c, f'=IF(N({dcell})=0,"",{ncell}/{dcell}*{scale:g})', fmt, value)
        block = Block(sheet, code, "ratio", grouping, first, 1, keys, self.years, first + len(keys))
        self.blocks.append(block)
        return first + len(lines) + 1, block

    def _header(self, ws, f, row, group_label):
        ws.write(row, 0, group_label, f.head)
        for j, y in enumerate(self.years):
            ws.write(row, 1 + j, f"Năm {y}", f.head)

    def _table(self, ws, f, sheet, code, kind, grouping, pivot, keys, names, group_label, row, fmt, total_fmt):
        self._header(ws, f, row, group_label)
        first = row + 1
        for i, key in enumerate(keys):
            r = first + i
            ws.write(r, 0, names.get(key, key), f.label)
            for j, y in enumerate(self.years):
                v = pivot.at[key, y] if key in pivot.index else None
                if v is None or pd.isna(v):
                    ws.write_blank(r, 1 + j, None, fmt)
                    self._cached[(sheet, r, 1 + j)] = None
                else:
                    ws.write_number(r, 1 + j, float(v), fmt)
                    self._cached[(sheet, r, 1 + j)] = float(v)
        total = first + len(keys)
        ws.write(total, 0, "Tổng", f.total_label)
        for j, _ in enumerate(self.years):
            c = 1 + j
            vals = [self._cached.get((sheet, first + i, c)) for i in range(len(keys))]
            present = [v for v in vals if v is not None]
            cached = sum(present) if present else 0
            ws.write_formula(total, c, f"=SUM({xl_rowcol_to_cell(first, c)}:{xl_rowcol_to_cell(total - 1, c)})",
                             total_fmt, cached)
            self._cached[(sheet, total, c)] = cached if present else None
        block = Block(sheet, code, kind, grouping, first, 1, keys, self.years, total)
        self.blocks.append(block)
        return block, total + 2

    def _texts(self, wb, f):
        ws = wb.add_worksheet("Ý kiến, kiến nghị")
        ws.set_paper(9)
        ws.set_footer(self.footer)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        for c, w in enumerate([34, 8, 40, 30, 80]):
            ws.set_column(c, c, w)
        ws.write(0, 0, "Ý kiến, kiến nghị (I.3, II) theo lĩnh vực cần đổi mới", f.title)
        heads = ["Lĩnh vực (II.4)", "Mục", "Câu hỏi", "Đơn vị", "Trả lời"]
        for c, h in enumerate(heads):
            ws.write(2, c, h, f.head)
        df = pd.concat([self.wh.query("texts_by_focus", round=r) for r in self.rounds], ignore_index=True)
        if self.opts.region:
            col = "region_34" if self.opts.view == "34" else "region_reported"
            df = df[df[col] == self.opts.region]
        for i, t in enumerate(df.itertuples(), start=3):
            ws.write_string(i, 0, t.focus_label if isinstance(t.focus_label, str) else "Khác", f.text)
            ws.write_string(i, 1, t.section, f.text)
            ws.write_string(i, 2, t.question_label, f.wrap)
            ws.write_string(i, 3, t.unit_name, f.wrap)
            ws.write_string(i, 4, t.text, f.wrap)  # write_string: never interpreted as a formula
        ws.autofilter(2, 0, max(3, len(df) + 2), 4)
        ws.freeze_panes(3, 0)
        ws.repeat_rows(2)

    def _units(self, wb, f):
        ws = wb.add_worksheet("Đơn vị báo cáo")
        ws.set_paper(9)
        ws.set_footer(self.footer)
        for c, w in enumerate([50, 14, 14, 16, 10, 36]):
            ws.set_column(c, c, w)
        ws.write(0, 0, "Đơn vị có trong báo cáo, nộp muộn, chưa nộp", f.title)
        heads = ["Đơn vị", "Tình trạng", "Hạn nộp", "Ngày nhận lần đầu", "Phiên bản", "Liên hệ"]
        for c, h in enumerate(heads):
            ws.write(2, c, h, f.head)
        st = self.wh.query("round_status")
        st = st[st["round_code"].isin(self.rounds)]
        if self.opts.region:
            st = st[st["region_34"] == self.opts.region]
        for i, r in enumerate(st.sort_values(["status", "unit_name"]).itertuples(), start=3):
            ws.write_string(i, 0, r.unit_name, f.text)
            ws.write_string(i, 1, STATUS[r.status], f.text)
            ws.write_string(i, 2, pd.Timestamp(r.deadline).strftime("%d/%m/%Y"), f.text)
            ws.write_string(i, 3, "" if pd.isna(r.first_received_at) else pd.Timestamp(r.first_received_at).strftime("%d/%m/%Y"), f.text)
            if pd.isna(r.versions):
                ws.write_blank(i, 4, None, f.text)
            else:
                ws.write_number(i, 4, int(r.versions), f.text)
            ws.write_string(i, 5, r.contact, f.text)
        ws.freeze_panes(3, 0)


def build_report(wh: Warehouse, opts: ReportOptions, out: Path) -> tuple[Path, list[Block]]:
    """Write the report workbook; returns its path and where each table landed."""
    builder = ReportBuilder(wh, opts)
    return builder.build(out), builder.blocks
