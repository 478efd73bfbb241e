"""Cross-reference checks: expressions against the items they read, indicators against their items."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._build import Builder, is_number, kind_of
from ._expr import Expression, ExpressionError
from ._model import Indicator, Question
from ._types import QUESTION_TYPES

INDICATOR_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
KINDS = ("rate", "score")
_WHAT = {"relevant": "relevance", "constraint": "constraint", "when": "screening rule"}


def check_items(reader: Builder) -> None:
    """Check the relevance and constraint of every item whose expression parsed."""
    for code, node in reader.nodes.items():
        for key in ("relevant", "constraint"):
            text = node.get(key)
            if not isinstance(text, str):
                continue
            try:
                expression = Expression.parse(text)
            except ExpressionError:
                continue  # already reported as a syntax error
            check_expression(reader, expression, node, key, code)


def check_expression(reader: Builder, expression: Expression, node: Mapping, key: str,
                     item: str | None) -> bool:
    """Report references to unknown, later (or, for relevance, the same) items and misused items."""
    what = f"{_WHAT[key]} {expression.source!r}"
    position = reader.order.get(item) if item else None
    messages = []
    for name in sorted(expression.references, key=lambda n: reader.order.get(n, -1)):
        if name not in reader.order:
            messages.append(f"{what} refers to unknown item {name!r}")
        elif position is not None and name == item and key == "relevant":
            messages.append(f"{what} refers to the item itself")
        elif position is not None and reader.order[name] > position:
            messages.append(f"{what} refers to item {name}, which comes later")
    if expression.uses_current and key != "constraint":
        messages.append(f"{what} uses '.', which stands for an item's own value only in a constraint")
    current = item if key == "constraint" else None
    for node_ in expression.nodes():
        messages.extend(f"{what}: {m}" for m in _misuse(reader, node_, current))
    for message in messages:
        reader.report(node, key, message, item)
    return not messages


def _question(reader: Builder, operand: tuple, current: str | None) -> Question | None:
    if operand[0] == "name":
        return reader.questions.get(operand[1])
    if operand[0] == "self" and current is not None:
        return reader.questions.get(current)
    return None


def _misuse(reader: Builder, node: tuple, current: str | None) -> list[str]:
    tag = node[0]
    if tag in ("selected", "count"):
        question = _question(reader, node[1], current)
        if question is None:
            return []
        if tag == "count" and not question.kind.several:
            return [f"count() needs a multiple-choice item; {question.code} is a {question.type} item"]
        if tag == "selected":
            return _codes_problems(question, (node[2],), "selected()")
        return []
    if tag not in ("cmp", "in"):
        return []
    operands = (node[2], node[3]) if tag == "cmp" else (node[2],)
    messages = []
    for index, operand in enumerate(operands):
        question = _question(reader, operand, current)
        if question is None:
            continue
        if question.kind.several:
            messages.append(f"compare multiple-choice item {question.code} with selected({question.code}, n) "
                            f"or count({question.code})")
        elif question.choices and tag == "in":
            messages.extend(_codes_problems(question, node[3], "in (...)"))
        elif question.choices and node[1] in ("=", "!=") and operands[1 - index][0] == "lit":
            messages.extend(_codes_problems(question, (operands[1 - index][1],), node[1]))
    return messages


def _codes_problems(question: Question, values: tuple, where: str) -> list[str]:
    if not question.choices:
        return [f"{where} needs a choice item; {question.code} is a {question.type} item"]
    missing = [value for value in values if value not in question.codes]
    return [f"{question.code} has no answer code {value!r}" for value in missing]


def indicators(reader: Builder, data: Mapping) -> tuple[Indicator, ...]:
    """Read the ``indicators`` list; each is over existing choice items that have what its kind needs."""
    node = data.get("indicators")
    if node is None:
        return ()
    if not isinstance(node, list):
        reader.report(data, "indicators", f"indicators must be a list, not {kind_of(node)}")
        return ()
    result, seen = [], set()
    for index, entry in enumerate(node):
        if not reader.mapping(entry, (node, index), "an indicator", ("code", "label", "kind", "items"), ()):
            continue
        code = entry.get("code")
        if not (isinstance(code, str) and INDICATOR_CODE.fullmatch(code)) or code in seen:
            problem = "duplicate indicator code" if code in seen else "indicator code must be lower_case"
            reader.report(entry, "code", f"{problem}: {code!r}")
        seen.add(code)
        label = reader.label(entry, "label", None, f"label of indicator {code}")
        kind = entry.get("kind")
        if kind is not None and kind not in KINDS:
            reader.report(entry, "kind", f"indicator {code}: kind must be 'rate' or 'score', not {kind!r}")
        items = _indicator_items(reader, entry, code, kind)
        if label is not None and kind in KINDS and items:
            result.append(Indicator(code, label, kind, items))
    return tuple(result)


def _indicator_items(reader: Builder, entry: Mapping, code: Any, kind: Any) -> tuple | None:
    node = entry.get("items")
    if not isinstance(node, list) or not node:
        if node is not None:
            reader.report(entry, "items", f"indicator {code}: items must be a non-empty list")
        return None
    result, ok = [], True
    for index, raw in enumerate(node):
        pair = _weighted(reader, node, index, raw, code)
        message = None if pair is None else _indicator_item_problem(reader, pair[0], code, kind)
        if pair is not None and pair[0] in {c for c, _ in result}:
            message = f"indicator {code} lists this item twice"
        if message:
            reader.report(node, index, message, pair[0])
        if pair is None or message:
            ok = False
        else:
            result.append(pair)
    return tuple(result) if ok else None


def _weighted(reader: Builder, node: list, index: int, raw: Any, code: Any) -> tuple[str, float] | None:
    if isinstance(raw, str):
        return raw, 1.0
    if not reader.mapping(raw, (node, index), f"an item of indicator {code}", ("item",), ("weight",)):
        return None
    item, weight = raw.get("item"), raw.get("weight", 1)
    if not isinstance(item, str):
        return None
    if not (is_number(weight) and weight > 0):
        reader.report(raw, "weight", f"indicator {code}: weight must be a number > 0, not {kind_of(weight)}",
                      item)
        return None
    return item, float(weight)


def _indicator_item_problem(reader: Builder, item: str, code: Any, kind: Any) -> str | None:
    if item not in reader.order:
        return f"indicator {code} refers to an item that does not exist"
    question = reader.questions.get(item)
    if question is None:  # the item itself is broken (and reported): judge by its declared type
        qtype = QUESTION_TYPES.get(reader.nodes[item].get("type"))
        if qtype is not None and not qtype.has_choices:
            return f"indicator {code} needs a choice item, but {item} is a {qtype.name} item"
        return None
    if not question.choices:
        return f"indicator {code} needs a choice item, but {item} is a {question.type} item"
    if kind == "rate" and not question.positive:
        return f"indicator {code} is a rate, but {item} has no positive set"
    if kind == "score" and not question.scores:
        return f"indicator {code} is a score, but {item} has no score map"
    return None
