"""A new question type is one class: registered, it renders, validates, stores, reads back and exports with no
change anywhere else (no template, view, service or export code knows type names)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import pytest
from sqlalchemy import select

import questionnaires as qn
from survey.extensions import db
from survey.models import Answer, Response
from survey.services import export, responses, rounds, versions
from tests.forms import page_form
from tests.respond.test_flow import first_page, secrets_of

NOT_A_POSTCODE = qn.Label("请填写6位邮政编码。", "Please enter a 6-digit postcode.")


class Postcode(qn.QuestionType):
    """A toy type: a Chinese postcode (6 digits), typed on one line and kept as text."""

    name, widget = "postcode", "line"

    def parse(self, raw: Sequence[str], question: qn.Question) -> str | None:
        values = [value.strip() for value in ([raw] if isinstance(raw, str) else raw) if value.strip()]
        if not values:
            return None
        if len(values) > 1 or not re.fullmatch(r"[0-9]{6}", values[0]):
            raise qn.AnswerError(NOT_A_POSTCODE)
        return values[0]


TOY_YAML = """
code: toy-type
version: "1"
title: {zh: 新题型, en: New type}
sections:
  - code: P
    title: {zh: 地址, en: Address}
    items:
      - code: Z1
        type: postcode
        label: {zh: 您家的邮政编码是？, en: "What is your postcode?"}
      - code: Z2
        type: single
        label: {zh: 满意吗？, en: "Satisfied?"}
        choices:
          - {code: 1, zh: 是, en: "Yes"}
          - {code: 2, zh: 否, en: "No"}
"""


@pytest.fixture
def toy_city(app, city):
    qn.register(Postcode())
    try:
        with app.app_context():
            toy = versions.publish(qn.loads(TOY_YAML, source="toy.yaml"))
            rounds.current().questionnaire_version_id = toy.id  # the round asks the toy questionnaire
            db.session.commit()
        app.config["BUILTIN_QUESTIONNAIRE"] = "toy-type"
        yield secrets_of(app)[0]
    finally:
        qn.QUESTION_TYPES.pop("postcode", None)


def test_an_unknown_type_is_refused_until_registered():
    with pytest.raises(qn.QuestionnaireError, match="postcode"):
        qn.loads(TOY_YAML, source="toy.yaml")


def test_a_registered_type_renders_validates_stores_reads_back_and_exports(client, app, toy_city):
    path, page = first_page(client, toy_city)
    form = page_form(page.text)
    assert form.kinds["Z1"] == "text" and "您家的邮政编码是？" in page.text  # the "line" widget: one text input

    refused = client.post(path, data={**form.hidden, "Z1": "10001", "Z2": "1"})
    assert refused.status_code == 422 and "请填写6位邮政编码。" in refused.text
    with app.app_context():
        assert db.session.scalar(select(Response)) is None  # nothing stored for a refused page

    done = client.post(path, data={**form.hidden, "Z1": " 100010 ", "Z2": "1"})
    assert done.headers["Location"].endswith("/done")
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert dict(db.session.execute(select(Answer.item, Answer.value)).all()) == {"Z1": "100010", "Z2": "1"}
        assert responses.answers_of(response) == {"Z1": "100010", "Z2": 1}
        out = io.StringIO()
        export.write_responses(out, "toy-type")
    header, row = out.getvalue().splitlines()[:2]
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    assert cells["Z1"] == "100010" and cells["Z2"] == "1"


def test_a_registered_type_exports_in_every_format(client, app, toy_city, tmp_path):
    """The type's default columns: one text column named by the item, in every format, read back by another
    program (csv, openpyxl, PSPP, pandas, pyarrow)."""
    import pandas as pd
    import pyarrow.parquet as pq
    from openpyxl import load_workbook

    from tests.export.readers import pspp

    path, page = first_page(client, toy_city)
    client.post(path, data={**page_form(page.text).hidden, "Z1": "100010", "Z2": "2"})
    def first_csv_row(p):
        with p.open(encoding="utf-8-sig", newline="") as f:
            return next(csv.DictReader(f))

    read = {
        "csv": first_csv_row,
        "excel-csv": first_csv_row,
        "xlsx": lambda p: dict(zip(*[[c.value for c in r] for r in load_workbook(p).active.iter_rows()], strict=True)),
        "sav": lambda p: {k: v.strip() for k, v in pspp(p)[0].items()},
        "dta": lambda p: pd.read_stata(p, convert_categoricals=False).iloc[0].to_dict(),
        "parquet": lambda p: pq.read_table(p).to_pylist()[0],
    }
    for fmt, reader in read.items():
        out = tmp_path / f"toy.{fmt}"
        with app.app_context():
            assert export.write_file(out, fmt, code="toy-type") == 1
        row = reader(out)
        assert row["Z1"] == "100010" and str(row["Z2"]) in ("2", "2.0"), (fmt, row)


def test_a_registered_type_gets_a_batch_form_that_agrees_with_its_cells():
    """``cells_batch`` (used by the exports) comes with the base class and gives, for every stored cell, what the
    type's own ``read`` and ``cells`` give one at a time."""
    qn.register(Postcode())
    try:
        question = next(q for q in qn.loads(TOY_YAML, source="toy.yaml").items if q.code == "Z1")
        stored = ["100010", None, "", " 200000 ", "100010", "310000"]
        batch = question.kind.cells_batch(stored, question)
        assert [a.to_pylist() for a in batch] == [[
            question.kind.cells(question.kind.read(c, question) if c else None, question)[0] for c in stored]]
        with pytest.raises(qn.AnswerError):
            question.kind.cells_batch(["12345"], question)
    finally:
        qn.QUESTION_TYPES.pop("postcode", None)
