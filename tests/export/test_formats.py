"""Every export format read back by an independent reader: labels and values come back as written, Chinese
included; multiple choice as 0/1 columns in the typed formats and ``1;3`` in CSV; formula-like text made safe in
CSV and XLSX only."""

from __future__ import annotations

import csv
import math

import pytest

from survey.services import export
from survey.services.export_table import FIXED
from tests.export.readers import haven, pspp

FIXED_NAMES = [f.name for f in FIXED]
TYPED_ITEMS = ["S1", "C1", "C4_1", "C4_2", "C4_3", "H1", "E1"]


def written(app, tmp_path, fmt: str, language: str = "zh"):
    path = tmp_path / f"responses.{export.FORMATS[fmt].extension}"
    with app.app_context():
        assert export.write_file(path, fmt, language=language) == 3
    return path


def test_csv_text_layout_and_formula_safety(app, all_types, tmp_path):
    path = written(app, tmp_path, "csv")
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    assert header == FIXED_NAMES + ["S1", "C1", "C4", "H1", "E1"]
    first, second, third = (dict(zip(header, row, strict=True)) for row in rows)
    assert (first["C4"], first["E1"], first["H1"]) == ("1;3", "'=1+2", "3")
    assert (second["C4"], second["H1"], second["E1"]) == ("", "-2", "")  # a negative number is not a formula
    assert (third["E1"], third["H1"], third["community_name"]) == ("希望加装电梯，谢谢", "2.5", "安定门社区")
    assert (first["street_code"], first["district_name"], first["final_weight"]) == ("S01", "东城区", "")


def test_excel_csv_has_a_bom(app, all_types, tmp_path):
    assert written(app, tmp_path, "excel-csv").read_bytes().startswith(b"\xef\xbb\xbfresponse_id,round,")


def test_xlsx_read_by_openpyxl(app, all_types, tmp_path):
    from openpyxl import load_workbook

    book = load_workbook(written(app, tmp_path, "xlsx"))
    assert book.sheetnames == ["responses"]
    rows = list(book["responses"].iter_rows())
    header = [c.value for c in rows[0]]
    assert header == FIXED_NAMES + TYPED_ITEMS
    first = {name: cell for name, cell in zip(header, rows[1], strict=True)}
    assert [first[n].value for n in TYPED_ITEMS] == [2, 1, 1, 0, 1, 3, "=1+2"]
    assert first["E1"].data_type == "s" and first["E1"].quotePrefix  # text, shown as text
    assert first["community_name"].value == "和平里社区" and not first["community_name"].quotePrefix
    second = {name: cell.value for name, cell in zip(header, rows[2], strict=True)}
    assert [second[n] for n in ("C4_1", "C4_2", "C4_3", "H1", "E1")] == [None, None, None, -2, None]
    assert {name: cell.value for name, cell in zip(header, rows[3], strict=True)}["H1"] == 2.5


def test_xlsx_starts_a_new_sheet_at_the_row_limit(app, all_types, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    monkeypatch.setattr("survey.services.export_files.XLSX_MAX_ROWS", 3)  # header + 2 responses a sheet
    book = load_workbook(written(app, tmp_path, "xlsx"))
    assert book.sheetnames == ["responses", "responses 2"]
    assert [book[s].max_row for s in book.sheetnames] == [3, 2]
    assert book["responses 2"]["A1"].value == "response_id"


def test_sav_read_by_pspp(app, all_types, tmp_path):
    path = written(app, tmp_path, "sav")
    values, labels = pspp(path), pspp(path, labels=True)
    assert list(values[0]) == FIXED_NAMES + TYPED_ITEMS
    assert [values[0][n].strip() for n in TYPED_ITEMS] == ["2", "1", "1", "0", "1", "3", "=1+2"]
    assert [labels[0][n].strip() for n in ("S1", "C1", "C4_1", "C4_2")] == ["一年以上", "满意", "选中", "未选"]
    assert values[1]["H1"].strip() == "-2" and values[1]["C4_1"].strip() == ""  # system-missing
    assert float(values[2]["H1"]) == 2.5 and labels[2]["E1"] == "希望加装电梯，谢谢"
    assert values[2]["community_name"].strip() == "安定门社区"


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_sav_and_dta_read_by_r_haven(app, all_types, tmp_path, fmt):
    got = haven(written(app, tmp_path, fmt))
    assert got["names"] == FIXED_NAMES + TYPED_ITEMS
    columns = got["columns"]
    assert columns["S1"]["label"] == "您住了多久？"
    assert columns["S1"]["labels"] == {"不满一年": 1, "一年以上": 2}
    assert columns["C1"]["labels"] == {"满意": 1, "不满意": 2, "说不清": 9}
    assert columns["C4_3"]["label"] == "您参加过哪些活动？：文明劝导"
    assert columns["C4_3"]["labels"] == {"未选": 0, "选中": 1}
    assert columns["S1"]["values"] == [2, 1, 2] and columns["C4_1"]["values"] == [1, None, 0]
    assert columns["H1"]["values"] == [3, -2, 2.5] and not columns["H1"]["labels"]  # no value labels
    assert columns["E1"]["values"] == ["=1+2", "", "希望加装电梯，谢谢"]  # raw text; no string missing value
    assert columns["district_name"]["values"] == ["东城区"] * 3
    assert columns["final_weight"]["label"] == "最终权数"


def test_english_labels_by_r_haven(app, all_types, tmp_path):
    columns = haven(written(app, tmp_path, "sav", language="en"))["columns"]
    assert columns["C4_2"]["label"] == "Which activities did you join?: Waste sorting"
    assert columns["C1"]["labels"] == {"Satisfied": 1, "Dissatisfied": 2, "Can't say": 9}


def test_dta_read_by_pandas(app, all_types, tmp_path):
    import pandas as pd

    path = written(app, tmp_path, "dta")
    frame = pd.read_stata(path, convert_categoricals=False)
    assert list(frame.columns) == FIXED_NAMES + TYPED_ITEMS
    assert frame["S1"].tolist() == [2, 1, 2] and frame["E1"].tolist() == ["=1+2", "", "希望加装电梯，谢谢"]
    assert frame["H1"].tolist() == [3, -2, 2.5] and math.isnan(frame["C4_2"][1])
    assert pd.read_stata(path)["C1"].tolist() == ["满意", "说不清", "不满意"]  # codes shown with their labels
    with pd.io.stata.StataReader(path) as reader:
        assert reader.variable_labels()["C1"] == "您对环境满意吗？"


def test_parquet_read_by_pyarrow(app, all_types, tmp_path):
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    got = pq.read_table(written(app, tmp_path, "parquet"))
    assert got.column_names == FIXED_NAMES + TYPED_ITEMS
    assert got.schema.field("S1").type == pa.int32() and got.schema.field("H1").type == pa.float64()
    assert got.column("C4_1").to_pylist() == [1, None, 0] and got.column("H1").to_pylist() == [3, -2, 2.5]
    assert got.column("E1").to_pylist() == ["=1+2", None, "希望加装电梯，谢谢"]  # raw, no prefix
    meta = got.schema.field("C1").metadata
    assert meta[b"label"].decode() == "您对环境满意吗？"
    assert json.loads(meta[b"value_labels"])["9"] == {"zh": "说不清", "en": "Can't say"}
