"""An export is one snapshot: a response stored while a download is being streamed is not in it (the next
export has it)."""

from __future__ import annotations

import csv
import io

import pytest

from survey.services import export


def test_a_response_stored_during_a_streamed_export_is_not_in_it(app, all_types, monkeypatch, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite reads the rows in one statement; a writer waits for it (no concurrent write to test)")
    from tests.manage.helpers import add_response

    monkeypatch.setattr("survey.services.export_files.BATCH", 1)  # a chunk per row: the stream is under way
    with app.app_context():
        chunks = export.stream_csv(bom=False)
        first = next(chunks) + next(chunks)  # header and the first response sent
        add_response(all_types.id, "C002", answers={"S1": "1", "C1": "2"})  # committed by another session
        text = (first + b"".join(chunks)).decode("utf-8")
        later = io.StringIO()
        export.write_responses(later)
    assert len(list(csv.reader(io.StringIO(text)))) == 1 + 3
    assert len(list(csv.reader(io.StringIO(later.getvalue())))) == 1 + 4
