"""Reading YAML safely while remembering the line where every mapping, key and list entry starts."""

from __future__ import annotations

from typing import Any

import yaml

from ._errors import Problem


class LineDict(dict):
    """A mapping read from YAML; ``line`` is where it starts, ``key_lines[key]`` where each key is."""

    line: int | None = None
    key_lines: dict

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines = {}


class LineList(list):
    """A list read from YAML; ``item_lines[i]`` is where entry ``i`` starts."""

    line: int | None = None
    item_lines: list


def line_of(node: Any, key: Any = None) -> int | None:
    """The line of ``node[key]`` (a mapping key or a list index), else of ``node``; None if unknown."""
    if key is not None and isinstance(node, LineDict) and key in node.key_lines:
        return node.key_lines[key]
    if isinstance(key, int) and isinstance(node, LineList) and 0 <= key < len(node.item_lines):
        return node.item_lines[key]
    return getattr(node, "line", None)


class _Loader(yaml.SafeLoader):
    """SafeLoader (no Python objects) that builds LineDict/LineList and records duplicate keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, Any]] = []


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int | float | bool | type(None)):
            raise yaml.constructor.ConstructorError(None, None, "a key must be a plain value",
                                                    key_node.start_mark)
        if key in result:
            loader.duplicates.append((line, key))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _sequence)


def read_yaml(text: str, source: str) -> tuple[Any, list[Problem]]:
    """Parse ``text``; return the data and the problems (a syntax error, duplicate keys, a control character)."""
    try:
        loader = _Loader(text)  # refuses a control character at once (yaml.reader.ReaderError)
    except yaml.YAMLError as err:
        return None, [Problem(source, None, None, f"YAML syntax error: {err}")]
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(part for part in (err.context, err.problem) if part)
        if "flow" in what:
            what += " (inside { } or [ ], quote text that holds ':', ',', '?', '#', '{' or '}')"
        return None, [Problem(source, line, None, f"YAML syntax error: {what}")]
    except yaml.YAMLError as err:
        return None, [Problem(source, None, None, f"YAML syntax error: {err}")]
    finally:
        loader.dispose()
    problems = [Problem(source, line, None, f"duplicate key {key!r}") for line, key in loader.duplicates]
    return data, problems
