"""Checked reading of the parts of a definition that recur: mappings, labels, choices, codes, scores.

Every check reports a :class:`Problem` and carries on, so that one run lists every mistake in a file.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

from ._errors import Problem
from ._expr import Expression, ExpressionError
from ._model import MAX_ANSWER_CODE, Choice, FrozenMap, Label, Question
from ._yaml import line_of

LANGUAGES = {"zh": "Chinese", "en": "English"}


def kind_of(value: Any) -> str:
    """A short description of a value's YAML type, for messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({value!r})"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return f"text ({value!r})"
    return f"a {type(value).__name__}"


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return (is_int(value) or isinstance(value, float)) and math.isfinite(value)


class Builder:
    """Collects problems while the parts of one definition (from ``source``) are read, and the items read
    so far: ``order`` (every declared item code -> its position), ``nodes`` (code -> its YAML node, for
    lines), ``questions`` (code -> the built :class:`Question`, for items that could be built). The
    cross-reference checks (``_checks``) judge expressions and indicators against these."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.order: dict[str, int] = {}
        self.nodes: dict[str, Mapping] = {}
        self.questions: dict[str, Question] = {}

    def report(self, node: Any, key: Any, message: str, item: str | None = None) -> None:
        self.problems.append(Problem(self.source, line_of(node, key), item, message))

    def mapping(self, node: Any, where: tuple, what: str, required: tuple, optional: tuple,
                item: str | None = None) -> bool:
        """Check that ``node`` is a mapping with every ``required`` key and no unknown key.

        ``where`` is ``(parent, key)``, used for the line when ``node`` is not a mapping at all.
        """
        if not isinstance(node, Mapping):
            self.report(*where, f"{what} must be a mapping, not {kind_of(node)}", item)
            return False
        for key in required:
            if node.get(key) is None:
                self.report(node, None, f"{what} is missing key {key!r}", item)
        known = required + optional
        for key in node:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(known)})"
                self.report(node, key, f"{what} has unknown key {key!r}{hint}", item)
        return True

    def texts(self, node: Mapping, what: str, item: str | None) -> Label | None:
        """The ``zh`` and ``en`` texts of ``node`` as a Label; each must be non-empty text."""
        found = {}
        for lang, language in LANGUAGES.items():
            value = node.get(lang)
            if not isinstance(value, str) or not value.strip():
                got = "" if value is None or isinstance(value, str) else f" (got {kind_of(value)})"
                if isinstance(value, bool):
                    got += ' (YAML reads unquoted Yes/No as true/false: write "Yes")'
                self.report(node, lang if lang in node else None,
                            f"{what} has no {language} text: key {lang!r} missing or empty{got}", item)
            else:
                found[lang] = value
        return Label(found["zh"], found["en"]) if len(found) == 2 else None

    def label(self, parent: Mapping, key: str, item: str | None, what: str | None = None) -> Label | None:
        """Read ``parent[key]`` as ``{zh: ..., en: ...}``; None (no problem) when the key is absent."""
        node = parent.get(key)
        what = what or key
        if node is None:
            return None
        if not self.mapping(node, (parent, key), what, (), tuple(LANGUAGES), item):
            return None
        return self.texts(node, what, item)

    def choices(self, parent: Mapping, key: str, item: str | None) -> tuple[Choice, ...] | None:
        """Read a list of ``{code, zh, en}``; codes are distinct whole numbers from 0 to ``MAX_ANSWER_CODE``.

        Returns the choices that could be read (so that positive sets are still checked against them);
        the caller tells a broken list by the problems reported.
        """
        node = parent[key]
        if not isinstance(node, list) or not node:
            self.report(parent, key, f"{key} must be a non-empty list, not {kind_of(node)}", item)
            return None
        result = []
        for index, entry in enumerate(node):
            if not self.mapping(entry, (node, index), "a choice", ("code",), tuple(LANGUAGES), item):
                continue
            code = entry.get("code")
            label = self.texts(entry, f"choice {code!r}", item)
            if not is_int(code) or not 0 <= code <= MAX_ANSWER_CODE:
                if code is not None:
                    message = (f"answer code must be a whole number from 0 to {MAX_ANSWER_CODE}, "
                               f"not {code if is_int(code) else kind_of(code)}")
                    self.report(entry, "code", message, item)
            elif code in {c.code for c in result}:
                self.report(entry, "code", f"duplicate answer code {code}", item)
            else:  # kept even with a broken (reported) label, so its code is still known
                result.append(Choice(code, label or Label("", "")))
        return tuple(result)

    def codes(self, parent: Mapping, key: str, valid: tuple[int, ...] | None,
              item: str | None) -> frozenset[int] | None:
        """Read a positive set: a list of answer codes, each one of ``valid`` (when known).

        Returns the codes that are right; None only when it is not a list at all.
        """
        node = parent[key]
        if not isinstance(node, list):
            self.report(parent, key, f"{key} must be a list of answer codes, not {kind_of(node)}", item)
            return None
        good = set()
        for index, code in enumerate(node):
            if not is_int(code):
                self.report(node, index, f"{key} code must be a whole number, not {kind_of(code)}", item)
            elif valid is not None and code not in valid:
                self.report(node, index, f"{key} code {code} is not an answer code", item)
            else:
                good.add(code)
        return frozenset(good)

    def scores(self, parent: Mapping, key: str, valid: tuple[int, ...] | None,
               item: str | None) -> FrozenMap | None:
        """Read a score map ``{code: points}``; keys may be written as numbers or digit strings.

        Returns the entries that are right; None only when it is not a mapping at all.
        """
        node = parent[key]
        if not isinstance(node, Mapping):
            self.report(parent, key, f"{key} must map answer codes to points, not {kind_of(node)}", item)
            return None
        result = {}
        for raw, points in node.items():
            code = int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() else raw
            if not is_int(code):
                self.report(node, raw, f"score key must be an answer code, not {kind_of(raw)}", item)
            elif valid is not None and code not in valid:
                self.report(node, raw, f"score code {code} is not an answer code", item)
            elif not is_number(points):
                self.report(node, raw, f"score of code {code} must be a number, not {kind_of(points)}", item)
            else:
                result[code] = float(points)
        return FrozenMap(result)

    def expression(self, parent: Mapping, key: str, item: str | None, what: str = "") -> Expression | None:
        """Parse ``parent[key]``; a syntax error is reported with the column it was found at."""
        text = parent.get(key)
        if text is None:
            return None
        if not isinstance(text, str) or not text.strip():
            message = f"{what or key} must be an expression in text, not {kind_of(text)}"
            self.report(parent, key, message, item)
            return None
        try:
            return Expression.parse(text)
        except ExpressionError as err:
            self.report(parent, key, f"{what or key} {text!r}: syntax error at character "
                                     f"{err.position + 1}: {err.message}", item)
            return None
