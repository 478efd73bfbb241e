"""Walking a resident through the questionnaire with the Flask test client."""

from __future__ import annotations

import re

from tests.forms import Form, page_form

# Answers chosen where the first listed code would not do: an eligible adult resident.
ELIGIBLE = {"S1": ["4"], "S2": ["3"], "S3": ["2"], "H1": ["2"]}


def fill(form: Form, overrides: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """Post data answering every item of ``form``: the first choice, or ``overrides``/``ELIGIBLE``."""
    chosen = {**ELIGIBLE, **(overrides or {})}
    data: dict[str, list[str]] = {name: [value] for name, value in form.hidden.items()}
    for name, kind in form.kinds.items():
        if name in chosen:
            data[name] = chosen[name]
        elif kind in ("radio", "checkbox"):
            data[name] = [form.choices[name][0]]
        else:
            data[name] = ["希望加强楼道清洁"]
    return data


def page_path(location: str) -> str:
    return re.sub(r"^https?://[^/]+", "", location)


def answer_all(client, secret: str, overrides=None, lang: str | None = None, max_pages: int = 30):
    """Start at the landing page and answer page after page; return the final response of the client."""
    landing = client.get(f"/r/{secret}" + (f"?lang={lang}" if lang else ""))
    assert landing.status_code == 200, landing.text
    start = re.search(r'href="(/r/[^"]+/p/\d+)"', landing.text)
    assert start, "landing page has no start link"
    path = start.group(1)
    for _ in range(max_pages):
        page = client.get(path)
        assert page.status_code == 200, page.text
        response = client.post(path, data=fill(page_form(page.text), overrides))
        assert response.status_code == 302, response.text
        path = page_path(response.headers["Location"])
        if path.endswith("/done"):
            return client.get(path)
    raise AssertionError("questionnaire did not end")
