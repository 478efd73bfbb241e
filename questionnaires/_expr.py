"""A small, safe expression language for relevance, constraints and screening rules.

Grammar (lowest precedence first)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := operand [ ("=" | "==" | "!=" | "<" | "<=" | ">" | ">=") operand
                          | ["not"] "in" "(" literal ("," literal)* ")" ]
    operand    := number | string | ITEM | "." | call | "(" expr ")"
    call       := "selected" "(" ref "," number ")" | "answered" "(" ref ")" | "count" "(" ref ")"

The text is read by its own tokenizer and recursive-descent parser into a tree of tuples that only the
evaluator below walks; Python's ``eval`` is never involved, so names, attributes and calls other than the
three functions are syntax errors.

An unanswered item is None, and every comparison (``=``, ``!=``, ``<`` …, ``in``, ``not in``) with None is
false; ``not (A1 = 1)`` is therefore true when A1 is unanswered. Ordering a string against a number is false.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_LENGTH = 2000
MAX_DEPTH = 40
FUNCTIONS = ("selected", "answered", "count")
KEYWORDS = frozenset({"and", "or", "not", "in"})
_BOOLEAN = frozenset({"or", "and", "not", "cmp", "in", "selected", "answered"})
_COMPARE = frozenset({"=", "==", "!=", "<", "<=", ">", ">="})
_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\n]+)|(?P<num>[0-9]+(?:\.[0-9]+)?)|(?P<str>'[^'\n]*'|\"[^\"\n]*\")"
    r"|(?P<op>==|!=|<=|>=|=|<|>|\(|\)|,|-)|(?P<dot>\.)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
)


class ExpressionError(ValueError):
    """The expression text is not valid; ``position`` is the 0-based character offset."""

    def __init__(self, message: str, position: int) -> None:
        self.message = message
        self.position = position
        super().__init__(f"{message} (at character {position + 1})")


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ExpressionError(f"unexpected character {text[pos]!r}", pos)
        kind = match.lastgroup
        if kind != "ws":
            word = match.group()
            tokens.append(("kw" if kind == "name" and word in KEYWORDS else kind, word, pos))
        pos = match.end()
    tokens.append(("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> tuple[str, str, int]:
        return self.tokens[self.i]

    def _describe(self) -> str:
        kind, word, _ = self.tok
        return "the end" if kind == "end" else repr(word)

    def fail(self, message: str) -> ExpressionError:
        return ExpressionError(message, self.tok[2])

    def accept(self, *words: str) -> str | None:
        kind, word, _ = self.tok
        if kind in ("op", "kw", "dot") and word in words:
            self.i += 1
            return word
        return None

    def expect(self, word: str) -> None:
        if self.accept(word) is None:
            raise self.fail(f"expected {word!r} but found {self._describe()}")

    def parse(self) -> tuple:
        node = self.condition()
        if self.tok[0] != "end":
            raise self.fail(f"unexpected {self._describe()}")
        return node

    def condition(self) -> tuple:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail("expression is nested too deeply")
        node = self.or_expr()
        self.depth -= 1
        return node

    def or_expr(self) -> tuple:
        node = self.and_expr()
        while self.accept("or"):
            node = ("or", node, self.and_expr())
        return node

    def and_expr(self) -> tuple:
        node = self.not_expr()
        while self.accept("and"):
            node = ("and", node, self.not_expr())
        return node

    def not_expr(self) -> tuple:
        if self.accept("not"):
            return ("not", self.not_expr())
        start = self.tok[2]
        node = self.comparison()
        if node[0] not in _BOOLEAN:
            raise ExpressionError("expected a condition (a comparison, selected() or answered())", start)
        return node

    def comparison(self) -> tuple:
        left = self.operand()
        op = self.accept(*_COMPARE)
        if op is not None:
            right = self.operand()
            for side in (left, right):
                if side[0] in _BOOLEAN:
                    raise self.fail(f"cannot compare a condition with {op!r}")
            return ("cmp", "=" if op == "==" else op, left, right)
        negated = self.tok[1] == "not" and self.tokens[self.i + 1][1] == "in"
        if negated:
            self.i += 1
        if self.accept("in"):
            if left[0] in _BOOLEAN:
                raise self.fail("cannot use 'in' on a condition")
            return ("in", negated, left, self.literal_list())
        return left

    def literal_list(self) -> tuple:
        self.expect("(")
        values = [self.literal()]
        while self.accept(","):
            values.append(self.literal())
        self.expect(")")
        return tuple(values)

    def literal(self) -> Any:
        kind, word, _ = self.tok
        if kind == "str":
            self.i += 1
            return word[1:-1]
        sign = -1 if self.accept("-") else 1
        kind, word, _ = self.tok
        if kind != "num":
            raise self.fail(f"expected a number or a quoted string but found {self._describe()}")
        self.i += 1
        return sign * (float(word) if "." in word else int(word))

    def operand(self) -> tuple:
        kind, word, _ = self.tok
        if kind in ("num", "str") or word == "-":
            return ("lit", self.literal())
        if self.accept("."):
            return ("self",)
        if self.accept("("):
            node = self.condition()
            self.expect(")")
            return node
        if kind == "name":
            self.i += 1
            if self.tok[1] == "(":
                return self.call(word)
            return ("name", word)
        raise self.fail(f"expected an item code, a number or '(' but found {self._describe()}")

    def call(self, name: str) -> tuple:
        if name not in FUNCTIONS:
            known = ", ".join(FUNCTIONS)
            raise ExpressionError(f"unknown function {name!r} (known: {known})", self.tokens[self.i - 1][2])
        self.expect("(")
        ref = self.reference()
        if name == "selected":
            self.expect(",")
            value = self.literal()
            self.expect(")")
            return ("selected", ref, value)
        self.expect(")")
        return (name, ref)

    def reference(self) -> tuple:
        kind, word, _ = self.tok
        if self.accept("."):
            return ("self",)
        if kind != "name":
            raise self.fail(f"expected an item code or '.' but found {self._describe()}")
        self.i += 1
        return ("name", word)


@dataclass(frozen=True)
class Expression:
    """A parsed expression; build it with :meth:`Expression.parse`.

    Attributes
    ----------
    source : str
        The text as written in the questionnaire.
    references : frozenset of str
        The item codes the expression reads.
    uses_current : bool
        True when it reads ``.``, the value of the item being checked (constraints only).
    """

    source: str
    references: frozenset[str] = field(compare=False)
    uses_current: bool = field(compare=False)
    tree: tuple = field(compare=False, repr=False)

    @classmethod
    def parse(cls, source: str) -> Expression:
        """Parse ``source``; raise :class:`ExpressionError` naming the position of the first mistake."""
        if not isinstance(source, str):
            raise ExpressionError("an expression must be text", 0)
        if len(source) > MAX_LENGTH:
            raise ExpressionError(f"expression longer than {MAX_LENGTH} characters", MAX_LENGTH)
        tree = _Parser(source).parse()
        nodes = list(_walk(tree))
        names = frozenset(node[1] for node in nodes if node[0] == "name")
        return cls(source, names, any(node[0] == "self" for node in nodes), tree)

    def nodes(self) -> Iterator[tuple]:
        """Every node of the tree, parents before children (used by validation)."""
        return _walk(self.tree)

    def evaluate(self, answers: Mapping[str, Any], current: Any = None) -> bool:
        """Evaluate against ``answers`` (item code -> value); ``current`` is the value ``.`` stands for."""
        return bool(_eval(self.tree, answers, current))

    def __str__(self) -> str:
        return self.source


_CHILDREN = {"or": (1, 2), "and": (1, 2), "not": (1,), "cmp": (2, 3), "in": (2,),
             "selected": (1,), "answered": (1,), "count": (1,)}


def _walk(node: tuple) -> Iterator[tuple]:
    yield node
    for index in _CHILDREN.get(node[0], ()):
        yield from _walk(node[index])


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is None or right is None:
        return False
    try:
        if op == "=":
            return left == right
        if op == "!=":
            return left != right
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        return left >= right
    except TypeError:
        return False


def _eval(node: tuple, answers: Mapping[str, Any], current: Any) -> Any:
    tag = node[0]
    if tag == "or":
        return _eval(node[1], answers, current) or _eval(node[2], answers, current)
    if tag == "and":
        return _eval(node[1], answers, current) and _eval(node[2], answers, current)
    if tag == "not":
        return not _eval(node[1], answers, current)
    if tag == "cmp":
        return _compare(node[1], _eval(node[2], answers, current), _eval(node[3], answers, current))
    if tag == "in":
        value = _eval(node[2], answers, current)
        return value is not None and ((value in node[3]) != node[1])
    if tag == "lit":
        return node[1]
    if tag == "name":
        return answers.get(node[1])
    if tag == "self":
        return current
    return _call(node, _eval(node[1], answers, current))


def _call(node: tuple, value: Any) -> Any:
    tag = node[0]
    if tag == "answered":
        return value is not None
    many = isinstance(value, tuple | list)  # a list when answers come back from JSON storage
    if tag == "count":
        return 0 if value is None else len(value) if many else 1
    if value is None:
        return False
    return node[2] in value if many else value == node[2]
