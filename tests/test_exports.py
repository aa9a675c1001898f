"""CSV and ZIP downloads: Excel-friendly encoding, formula-safe cells, names carrying topic, filters and snapshot."""
import io
import json
import zipfile

import pandas as pd
import pytest

from core.exports import csv_bytes, file_name, zip_bytes
from core.filters import Filters


@pytest.mark.parametrize("cell", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_cells_that_would_run_as_formulas_are_neutralised(cell):
    text = csv_bytes(pd.DataFrame({"Nội dung": [cell]})).decode("utf-8-sig")
    assert text.splitlines()[1].strip('"').startswith("'")


def test_csv_has_a_bom_vietnamese_headers_and_plain_numbers():
    raw = csv_bytes(pd.DataFrame({"Tỉnh, thành phố": ["Hà Nội"], "Giá trị": [-12.5]}))
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines() == ['"Tỉnh, thành phố",Giá trị', "Hà Nội,-12.5"]  # negative numbers stay numbers


def test_file_name_names_topic_filters_and_snapshot():
    f = Filters(2020, 2020, view="reported", region="DNB", provinces=("34:79",), sector="FDI")
    name = file_name("khoang-trong-the", f.slug(), "20261125-1200-0007")
    assert name == "khoang-trong-the_2020-2020_nhubaocao_dnb_tinh34_79_fdi_20261125-1200-0007.csv"


def test_zip_holds_every_table_and_the_metadata():
    data = zip_bytes({"bang-a": pd.DataFrame({"Năm": [2020]}), "bang-b": pd.DataFrame({"Năm": [2021]})},
                     {"bo_loc": "Năm 2020", "ban_du_lieu": "s1", "dinh_nghia_chi_tieu": [{"indicator_code": "x"}]})
    z = zipfile.ZipFile(io.BytesIO(data))
    assert set(z.namelist()) == {"bang-a.csv", "bang-b.csv", "metadata.json", "doc_truoc.txt"}
    meta = json.loads(z.read("metadata.json"))
    assert meta["ban_du_lieu"] == "s1" and meta["generated_at"] and meta["dinh_nghia_chi_tieu"]
