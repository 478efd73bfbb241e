"""Reading forms out of rendered pages, as a browser would, for tests that post them back."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str = ""
    hidden: dict[str, str] = field(default_factory=dict)
    choices: dict[str, list[str]] = field(default_factory=dict)  # radio/checkbox name -> values
    kinds: dict[str, str] = field(default_factory=dict)  # name -> radio | checkbox | text | textarea
    checked: dict[str, list[str]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(Form(action=a.get("action", "")))
        elif tag == "input" and self.forms:
            self._input(self.forms[-1], a)
        elif tag == "textarea" and self.forms:
            self._textarea = a["name"]
            self.forms[-1].kinds[a["name"]] = "textarea"
            self.forms[-1].texts[a["name"]] = ""

    def _input(self, form: Form, a: dict):
        kind, name = a.get("type", "text"), a.get("name")
        if name is None:
            return
        if kind == "hidden":
            form.hidden[name] = a.get("value", "")
        elif kind in ("radio", "checkbox"):
            form.kinds[name] = kind
            form.choices.setdefault(name, []).append(a["value"])
            if "checked" in a:
                form.checked.setdefault(name, []).append(a["value"])
        else:
            form.kinds[name] = "text"
            form.texts[name] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1].texts[self._textarea] += data.lstrip("\n")


def forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def page_form(html: str) -> Form:
    """The one questionnaire form of a page (the one that carries a submission key)."""
    found = [f for f in forms(html) if "submission_key" in f.hidden]
    assert len(found) == 1, "expected exactly one questionnaire form on the page"
    return found[0]
