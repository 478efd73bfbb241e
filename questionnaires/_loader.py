"""Building a :class:`Questionnaire` from YAML or a mapping, refusing it with every problem listed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import _checks
from ._build import Builder, is_int, is_number, kind_of
from ._errors import Problem, QuestionnaireError
from ._model import FrozenMap, Label, Question, Questionnaire, Rule, Section, Status
from ._types import QUESTION_TYPES
from ._yaml import line_of, read_yaml

TOP_REQUIRED = ("code", "version", "title", "sections")
TOP_OPTIONAL = ("description", "privacy", "estimated_minutes", "scales", "screening", "indicators")
ITEM_REQUIRED = ("code", "type", "label")
ITEM_OPTIONAL = ("choices", "scale", "required", "relevant", "constraint", "constraint_message",
                 "positive", "scores", "tags", "min", "max", "max_length", "decimals", "hint")
QUESTIONNAIRE_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
ITEM_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
RESERVED = frozenset({"and", "or", "not", "in", "selected", "answered", "count"})
LIMITS = ("min", "max", "max_length", "decimals")
OUTCOMES = (Status.INELIGIBLE,)  # what a screening rule may end an interview as


def load(path: str | Path) -> Questionnaire:
    """Read the questionnaire in the YAML file ``path``; raise :class:`QuestionnaireError` if it is bad."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise QuestionnaireError([Problem(str(path), None, None, f"cannot read the file: {err}")]) from None
    return loads(text, source=str(path))


def loads(text: str, *, source: str = "<string>") -> Questionnaire:
    """Read a questionnaire from YAML ``text``; ``source`` names it in problems."""
    data, problems = read_yaml(text, source)
    if data is None and not problems:
        problems = [Problem(source, None, None, "the file is empty")]
    if data is None:
        raise QuestionnaireError(problems)
    return _build(data, source, problems)


def from_dict(data: Mapping, *, source: str = "<dict>") -> Questionnaire:
    """Build a questionnaire from a mapping as written in a file or as returned by ``to_dict``."""
    return _build(data, source, [])


def _build(data: Any, source: str, problems: list[Problem]) -> Questionnaire:
    reader = _Reader(source)
    reader.problems.extend(problems)
    questionnaire = reader.questionnaire(data)
    if reader.problems:
        ordered = sorted(reader.problems, key=lambda p: (p.line is None, p.line or 0))
        raise QuestionnaireError(ordered)
    assert questionnaire is not None
    return questionnaire


class _Reader(Builder):
    """Reads one definition (the items read so far are kept by :class:`Builder`)."""

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.scales: dict[str, tuple] = {}

    def questionnaire(self, data: Any) -> Questionnaire | None:
        if not self.mapping(data, (data, None), "the questionnaire", TOP_REQUIRED, TOP_OPTIONAL):
            return None
        code = data.get("code")
        if code is not None and not (isinstance(code, str) and QUESTIONNAIRE_CODE.fullmatch(code)):
            self.report(data, "code", f"questionnaire code must be lower-case letters, digits, '-' or '_' "
                                      f"(at most 64), not {kind_of(code)}")
        version = self.version(data)
        minutes = data.get("estimated_minutes")
        if minutes is not None and not (is_int(minutes) and minutes > 0):
            self.report(data, "estimated_minutes", f"estimated_minutes must be a whole number > 0, "
                                                   f"not {kind_of(minutes)}")
        texts = {key: self.label(data, key, None) for key in ("title", "description", "privacy")}
        if data.get("scales") is not None:
            self.read_scales(data["scales"], data)
        sections = self.sections(data)
        _checks.check_items(self)
        screening = self.screening(data)
        indicators = _checks.indicators(self, data)
        if self.problems:
            return None
        empty = Label("", "")
        return Questionnaire(code, version, texts["title"], texts["description"] or empty, minutes,
                             texts["privacy"] or empty, sections, indicators, screening)

    def version(self, data: Mapping) -> str | None:
        version = data.get("version")
        if is_int(version):
            return str(version)
        if version is not None and not (isinstance(version, str) and 0 < len(version.strip()) <= 32):
            self.report(data, "version", f"version must be text of at most 32 characters, not "
                                         f"{kind_of(version)} (quote it: version: \"1.0\")")
            return None
        return version

    def read_scales(self, node: Any, parent: Mapping) -> None:
        if not isinstance(node, Mapping):
            self.report(parent, "scales", f"scales must map scale names to scales, not {kind_of(node)}")
            return
        for name, scale in node.items():
            what = f"scale {name!r}"
            if not self.mapping(scale, (node, name), what, ("choices",), ("positive", "scores")):
                continue
            choices = self.choices(scale, "choices", None) if scale.get("choices") is not None else None
            codes = None if choices is None else tuple(c.code for c in choices)
            positive = self.codes(scale, "positive", codes, None) if "positive" in scale else frozenset()
            scores = self.scores(scale, "scores", codes, None) if "scores" in scale else FrozenMap()
            if choices is not None:  # registered even when broken (and reported): no "unknown scale" echoes
                self.scales[name] = (choices, positive or frozenset(), scores or FrozenMap())

    def sections(self, data: Mapping) -> tuple[Section, ...]:
        node = data.get("sections")
        if node is None:
            return ()
        if not isinstance(node, list) or not node:
            self.report(data, "sections", f"sections must be a non-empty list, not {kind_of(node)}")
            return ()
        result, seen = [], set()
        for index, entry in enumerate(node):
            if not self.mapping(entry, (node, index), "a section", ("code", "title", "items"), ()):
                continue
            code = entry.get("code")
            if not isinstance(code, str) or not ITEM_CODE.fullmatch(code) or code in seen:
                problem = "duplicate section code" if code in seen else "section code must be letters/digits"
                self.report(entry, "code", f"{problem}: {code!r}")
            seen.add(code)
            title = self.label(entry, "title", None, f"title of section {code}")
            items = self.items(entry)
            if title is not None and items is not None:
                result.append(Section(code, title, items))
        return tuple(result)

    def items(self, section: Mapping) -> tuple[Question, ...] | None:
        node = section.get("items")
        if node is None:
            return None
        if not isinstance(node, list) or not node:
            self.report(section, "items", f"items must be a non-empty list, not {kind_of(node)}")
            return None
        built = [self.question(entry, node, index) for index, entry in enumerate(node)]
        return None if None in built else tuple(built)

    def item_code(self, node: Mapping) -> str | None:
        code = node.get("code")
        if code is None:
            return None
        if not isinstance(code, str) or not ITEM_CODE.fullmatch(code) or code in RESERVED:
            self.report(node, "code", f"item code must start with a letter and hold only letters, digits "
                                      f"and '_' (at most 32, not a reserved word), not {kind_of(code)}")
            return None
        if code in self.order:
            first = line_of(self.nodes[code])
            self.report(node, "code", f"duplicate item code (first defined at line {first})", code)
            return None
        self.order[code] = len(self.order)
        self.nodes[code] = node
        return code

    def question(self, node: Any, parent: list, index: int) -> Question | None:
        if not self.mapping(node, (parent, index), "an item", ITEM_REQUIRED, ITEM_OPTIONAL,
                            node.get("code") if isinstance(node, Mapping) else None):
            return None
        before = len(self.problems)
        code = self.item_code(node)
        name = node.get("code") if isinstance(node.get("code"), str) else None  # to name it in problems
        qtype = self.question_type(node, name)
        label = self.label(node, "label", name)
        answers = self.answers(node, name, qtype)
        limits = self.limits(node, name, qtype)
        extras = self.extras(node, name)
        if len(self.problems) > before or None in (code, qtype, label, answers, limits, extras):
            return None
        choices, positive, scores = answers
        question = Question(code, qtype, label, choices, positive=positive, scores=scores, **extras, **limits)
        self.questions[code] = question
        return question

    def question_type(self, node: Mapping, code: str | None) -> str | None:
        name = node.get("type")
        if name is not None and name not in QUESTION_TYPES:
            known = ", ".join(QUESTION_TYPES)
            self.report(node, "type", f"unknown question type {name!r} (known: {known})", code)
            return None
        return name

    def answers(self, node: Mapping, code: str | None, qtype: str | None) -> tuple | None:
        """Choices, positive set and score map, from the item and/or its scale."""
        if qtype is not None and not QUESTION_TYPES[qtype].has_choices:
            for key in ("choices", "scale", "positive", "scores"):
                if node.get(key) is not None:
                    self.report(node, key, f"a {qtype} item takes no {key!r}", code)
            return ((), frozenset(), FrozenMap())
        if qtype is None and node.get("choices") is None and node.get("scale") is None:
            return None
        base = self.base_answers(node, code)
        if base is None:
            return None
        choices, positive, scores = base
        valid = tuple(c.code for c in choices)
        if node.get("positive") is not None:
            positive = self.codes(node, "positive", valid, code)
        if node.get("scores") is not None:
            scores = self.scores(node, "scores", valid, code)
        if qtype is None:  # answers were still checked, so that every problem is listed
            return None
        return None if positive is None or scores is None else (choices, positive, scores)

    def base_answers(self, node: Mapping, code: str | None) -> tuple | None:
        scale, own = node.get("scale"), node.get("choices")
        if scale is not None and own is not None:
            self.report(node, "scale", "give either choices or a scale, not both", code)
            return None
        if own is not None:
            choices = self.choices(node, "choices", code)
            return None if choices is None else (choices, frozenset(), FrozenMap())
        if scale is None:
            self.report(node, None, "a choice item needs 'choices' or 'scale'", code)
            return None
        if scale not in self.scales:
            known = ", ".join(map(str, self.scales)) or "none defined"
            self.report(node, "scale", f"unknown scale {scale!r} (known: {known})", code)
            return None
        return self.scales[scale]

    def limits(self, node: Mapping, code: str | None, qtype: str | None) -> dict | None:
        allowed = QUESTION_TYPES[qtype].limits if qtype else LIMITS
        result, ok = {}, True
        for key in LIMITS:
            value = node.get(key)
            if value is None:
                continue
            whole = key in ("max_length", "decimals") or (qtype is not None and QUESTION_TYPES[qtype].several)
            if key not in allowed:
                self.report(node, key, f"a {qtype} item takes no {key!r}", code)
                ok = False
            elif not (is_int(value) if whole else is_number(value)) or (whole and value < 0):
                need = "a whole number >= 0" if whole else "a number"
                self.report(node, key, f"{key} must be {need}, not {kind_of(value)}", code)
                ok = False
            else:
                result[key] = value
        if ok and result.get("min") is not None and result.get("max") is not None \
                and result["min"] > result["max"]:
            self.report(node, "min", f"min {result['min']} is greater than max {result['max']}", code)
            ok = False
        return result if ok else None

    def extras(self, node: Mapping, code: str | None) -> dict | None:
        required = node.get("required", True)
        if required is None:
            required = True
        if not isinstance(required, bool):
            self.report(node, "required", f"required must be true or false, not {kind_of(required)}", code)
        tags = self.tags(node, code)
        relevant = self.expression(node, "relevant", code, "relevance")
        constraint = self.expression(node, "constraint", code)
        message = self.label(node, "constraint_message", code)
        if message is not None and node.get("constraint") is None:
            self.report(node, "constraint_message", "constraint_message without a constraint", code)
        hint = self.label(node, "hint", code)
        return {"required": required, "relevant": relevant, "constraint": constraint,
                "constraint_message": message, "tags": tags, "hint": hint}

    def tags(self, node: Mapping, code: str | None) -> tuple[str, ...]:
        tags = node.get("tags")
        if tags is None:
            return ()
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
            self.report(node, "tags", f"tags must be a list of words, not {kind_of(tags)}", code)
            return ()
        return tuple(tags)

    def screening(self, data: Mapping) -> tuple[Rule, ...]:
        node = data.get("screening")
        if node is None:
            return ()
        if not isinstance(node, list):
            self.report(data, "screening", f"screening must be a list of rules, not {kind_of(node)}")
            return ()
        rules = []
        for index, entry in enumerate(node):
            if not self.mapping(entry, (node, index), "a screening rule", ("when",), ("outcome",)):
                continue
            outcome = entry.get("outcome") or Status.INELIGIBLE
            if outcome not in OUTCOMES:
                self.report(entry, "outcome", f"unknown screening outcome {outcome!r} (known: ineligible)")
            expression = self.expression(entry, "when", None, "screening rule")
            if expression is not None and _checks.check_expression(self, expression, entry, "when", None):
                rules.append(Rule(expression, outcome))
        return tuple(rules)
