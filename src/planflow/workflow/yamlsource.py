"""YAML that remembers where each value came from, so errors can name a line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from planflow.workflow.errors import Problem, WorkflowError

Loc = tuple[str | int, ...]


class SourceDocument:
    """Parsed YAML plus a map from each value's path to its 1-based line."""

    def __init__(self, path: Path, data: Any, lines: dict[Loc, int], text: str) -> None:
        self.path = path
        self.data = data
        self.lines = lines
        self.text = text

    def line_of(self, loc: Loc) -> int | None:
        """The line of ``loc``, or of its nearest enclosing value."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None

    def problem(self, loc: Loc, message: str) -> Problem:
        return Problem(self.path, self.line_of(loc), _dotted(loc), message)


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_yaml(path: Path) -> SourceDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WorkflowError(
            [Problem(path, None, "", "không tìm thấy tệp / file not found")]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkflowError(
            [Problem(path, None, "", f"không đọc được tệp / unreadable: {exc}")]
        ) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = exc.problem or exc.context or "invalid YAML"
        raise WorkflowError(
            [Problem(path, line, "", f"YAML không hợp lệ / broken YAML: {reason}")]
        ) from None
    except yaml.YAMLError as exc:
        raise WorkflowError(
            [Problem(path, None, "", f"YAML không hợp lệ / broken YAML: {exc}")]
        ) from None
    except ValueError as exc:
        # A scalar that looks like a date but is none (2022-13-31): PyYAML raises a bare error.
        bad = _bad_timestamp(node, ()) if node is not None else None
        loc, line = bad if bad else ((), None)
        raise WorkflowError(
            [Problem(path, line, _dotted(loc), f"ngày không hợp lệ / invalid date: {exc}")]
        ) from None
    lines: dict[Loc, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return SourceDocument(path, data, lines, text)


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*loc, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*loc, key), lines)
            lines[(*loc, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*loc, index), lines)


def _bad_timestamp(node: yaml.Node, loc: Loc) -> tuple[Loc, int] | None:
    """Where the first date-like scalar that is not a valid date is."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:timestamp":
            try:
                SafeConstructor().construct_yaml_timestamp(node)
            except ValueError:
                return loc, node.start_mark.line + 1
        return None
    if isinstance(node, yaml.MappingNode):
        children = [((*loc, key.value), value) for key, value in node.value]
    elif isinstance(node, yaml.SequenceNode):
        children = [((*loc, i), item) for i, item in enumerate(node.value)]
    else:
        return None
    for child_loc, child in children:
        found = _bad_timestamp(child, child_loc)
        if found:
            return found
    return None
