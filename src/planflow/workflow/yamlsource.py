"""YAML that remembers where each value came from, so errors can name a line.

Workflow files come from people and may be hostile, so reading one is bounded: the file's size is
checked before it is read, the bytes must be UTF-8 without a BOM or NUL, and the YAML is composed
by a guarded composer that refuses, as it goes and without expanding anything, documents nested
too deeply, anchors and aliases whose expansion would be too large, recursive aliases, duplicate
keys, keys that are not scalars, tags other than YAML's plain ones, more than one document, and
strings holding control characters. Every refusal is a ``WorkflowError`` naming file, line and
field, in Vietnamese then English. The limits are listed in docs/workflow-format.md.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from planflow.workflow.errors import Problem, WorkflowError

Loc = tuple[str | int, ...]

MAX_FILE_BYTES = 2 * 1024 * 1024
"""A workflow (or overrides) file larger than this is refused before it is read."""
MAX_DEPTH = 64
"""Mappings and lists nested deeper than this are refused."""
MAX_NODES = 100_000
"""Values in the document, counting each alias as the values it stands for."""

_YAML = "tag:yaml.org,2002:"
ALLOWED_TAGS = frozenset(
    _YAML + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)
"""Explicit tags that may be written (``!!str 2022``); any other (``!!python/object``) is refused."""

# Characters a string may not hold once escapes are read ("\0", "\x07", "\ud800"): C0 controls
# other than tab and newlines, DEL, and lone surrogates, which no database or UTF-8 file can store.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

# Characters YAML does not allow in a file (PyYAML's and libyaml's readers refuse them too).
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF8, "UTF-8"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


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


_DOTTED_PARTS = 12
"""A path deeper than this (a document nested too deeply) is shown cut short."""


_SHOWN_CHARS = 80
"""A key longer than this is shown cut short in a field's name or a message."""


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc[:_DOTTED_PARTS]:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{_short(part)}" if out else _short(part)
    return out + "…" if len(loc) > _DOTTED_PARTS else out


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


def _refuse(path: Path, line: int | None, message: str, field: str = "") -> WorkflowError:
    return WorkflowError([Problem(path, line, field, message)])


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, if it is a regular file of at most ``limit`` bytes; its size is checked
    before anything is read, and the read itself stops after ``limit`` bytes."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _refuse(path, None, "không tìm thấy tệp / file not found") from None
    except (OSError, ValueError) as exc:
        raise _refuse(path, None, f"không đọc được tệp / unreadable: {exc}") from None
    _check_kind_and_size(path, info, limit)
    try:
        # O_NONBLOCK: if the path became a FIFO since stat(), open() must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _refuse(path, None, f"không đọc được tệp / unreadable: {exc}") from None
    with os.fdopen(fd, "rb") as handle:
        _check_kind_and_size(path, os.fstat(fd), limit)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise _too_large(path, len(data), limit)
    return data


def _check_kind_and_size(path: Path, info: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(path, None, "đây là một thư mục, không phải tệp / this is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(
            path, None, "không phải tệp thông thường / not a regular file (device, FIFO, socket)"
        )
    if info.st_size > limit:
        raise _too_large(path, info.st_size, limit)


def _too_large(path: Path, size: int, limit: int) -> WorkflowError:
    return _refuse(
        path,
        None,
        f"tệp quá lớn: {size} byte, tối đa {limit} byte ({_mib(limit)}) / "
        f"file too large: {size} bytes, the limit is {limit} bytes ({_mib(limit)})",
    )


def decode_text(path: Path, data: bytes) -> str:
    """UTF-8 text without a BOM or NUL bytes, or a problem naming the line of the bad byte."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            raise _refuse(
                path,
                1,
                f"tệp bắt đầu bằng dấu BOM ({encoding}); hãy lưu dạng UTF-8 không BOM / "
                f"the file starts with a {encoding} byte-order mark (BOM); save it as UTF-8 "
                "without BOM",
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _refuse(
            path,
            data.count(b"\n", 0, nul) + 1,
            f"tệp chứa byte NUL (vị trí {nul}) / the file contains a NUL byte (offset {nul})",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        raise _refuse(
            path,
            data.count(b"\n", 0, exc.start) + 1,
            f"tệp không phải UTF-8: byte 0x{bad} ở vị trí {exc.start} / "
            f"the file is not UTF-8: byte 0x{bad} at offset {exc.start}",
        ) from None


def _check_printable(path: Path, text: str) -> None:
    bad = _NON_PRINTABLE.search(text)
    if bad:
        code = f"U+{ord(bad.group()):04X}"
        raise _refuse(
            path,
            text.count("\n", 0, bad.start()) + 1,
            f"tệp chứa ký tự điều khiển {code} / the file holds the control character {code}",
        )


def read_yaml(path: Path) -> SourceDocument:
    text = decode_text(path, read_bytes(path))
    _check_printable(path, text)
    loader: Any = None
    composer: _GuardedComposer | None = None
    try:
        loader = _make_loader(text)
        composer = _GuardedComposer(loader)
        node = composer.single_node()
        lines: dict[Loc, int] = {}
        if node is not None:
            _walk(node, (), lines, set())
        data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        raise WorkflowError([Problem(path, exc.line, _dotted(exc.loc), exc.message)]) from None
    except _BadValue as exc:
        root = composer.root if composer is not None else None
        loc = _loc_of(root, exc.node, ()) if root is not None else None
        what = (
            "ngày không hợp lệ / invalid date"
            if exc.node.tag == _YAML + "timestamp"
            else "giá trị không hợp lệ / invalid value"
        )
        raise WorkflowError(
            [
                Problem(
                    path, exc.node.start_mark.line + 1, _dotted(loc or ()), f"{what}: {exc.error}"
                )
            ]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = exc.problem or exc.context or "invalid YAML"
        raise _refuse(path, line, f"YAML không hợp lệ / broken YAML: {reason}") from None
    except yaml.YAMLError as exc:
        raise _refuse(path, None, f"YAML không hợp lệ / broken YAML: {exc}") from None
    except RecursionError:  # not expected past the depth limit; never a traceback all the same
        raise _refuse(
            path, None, "lồng nhau quá sâu / nested too deeply for the YAML reader"
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    return SourceDocument(path, data, lines, text)


class _Refused(Exception):
    def __init__(self, line: int, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.loc = loc
        self.message = message


class _BadValue(Exception):
    """A scalar PyYAML could not turn into a value (2022-13-31, an integer of 5,000 digits)."""

    def __init__(self, node: Node, error: Exception) -> None:
        super().__init__(str(error))
        self.node = node
        self.error = error


class _Constructor(SafeConstructor):
    """PyYAML's safe constructor; a scalar it cannot construct is reported with its node."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:
            raise _BadValue(node, exc) from None


class _PyLoader(Reader, Scanner, Parser, _Constructor, Resolver):
    """Events from PyYAML's own parser (pure Python)."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Constructor.__init__(self)
        Resolver.__init__(self)


_CParser: Any
try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml
    _CParser = None

USE_LIBYAML = _CParser is not None
"""Parse with libyaml's event parser when PyYAML has it: the same events and lines, some 50
times faster. Composing (and every limit) stays in Python either way."""


if _CParser is not None:

    class _CLoader(_CParser, _Constructor, Resolver):  # type: ignore[misc]
        """Events from libyaml."""

        def __init__(self, text: str) -> None:
            _CParser.__init__(self, text)
            _Constructor.__init__(self)
            Resolver.__init__(self)


def _make_loader(text: str) -> Any:
    return _CLoader(text) if USE_LIBYAML else _PyLoader(text)


def _line(event: Any) -> int:
    return int(event.start_mark.line) + 1


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


class _EveryChar(frozenset[str]):
    """Stands for every first character, when a wildcard resolver leaves nothing to cache."""

    def __contains__(self, item: object) -> bool:
        return True


_EVERY_CHAR = _EveryChar()

_NOT_SCALAR_KEY = (
    "khóa phải là một giá trị đơn (chuỗi) / a mapping key must be a plain scalar, "
    "not a list or a mapping"
)


class _GuardedComposer:
    """Builds the node graph from the parser's events, like PyYAML's composer, but bounded.

    Aliases stay shared (no node is ever copied), and each node's size with its aliases
    expanded is counted as it is composed, so an alias bomb is refused after reading a few
    hundred bytes, and nothing downstream walks more than ``MAX_NODES`` values.
    """

    def __init__(self, loader: Any) -> None:
        self._loader = loader  # PyYAML's parser and resolver (untyped)
        self.anchors: dict[str, Node] = {}
        self.root: Node | None = None
        # Tags of plain scalars by first character, for characters no implicit resolver
        # (bool, int, float, null, timestamp, merge) starts with.
        resolvers = loader.yaml_implicit_resolvers
        self._implicit_first = frozenset(resolvers) if None not in resolvers else _EVERY_CHAR
        self._resolved: dict[str, str] = {}
        self._sizes: dict[int, int] = {}
        self._open: set[int] = set()
        self._total = 0
        self._depth = 0
        self._loc: list[str | int] = []

    # --- limits ------------------------------------------------------------------------------

    def _refuse(self, event: Any, message: str, loc: Loc | None = None) -> _Refused:
        where = tuple(self._loc) if loc is None else loc
        return _Refused(_line(event), where, message)

    def _count(self, event: Any, size: int, alias: str | None = None) -> None:
        self._total += size
        if self._total <= MAX_NODES:
            return
        if alias is not None:
            raise self._refuse(
                event,
                f"bí danh *{alias} mở rộng quá lớn: tài liệu vượt {MAX_NODES} giá trị / "
                f"alias *{alias} expands too far: the document passes {MAX_NODES} values "
                "once aliases are expanded",
            )
        raise self._refuse(
            event,
            f"tài liệu có quá nhiều giá trị (hơn {MAX_NODES}) / "
            f"the document has too many values (more than {MAX_NODES})",
        )

    def _tag(self, event: Any, kind: type[Node], value: str | None) -> str:
        tag = event.tag
        if tag is None or tag == "!":
            return str(self._loader.resolve(kind, value, event.implicit))
        if tag not in ALLOWED_TAGS:
            raise self._refuse(
                event,
                f"thẻ YAML không được phép: {_tag_name(tag)} / YAML tag not allowed: "
                f"{_tag_name(tag)}",
            )
        return str(tag)

    def _anchor(self, event: Any, node: Node) -> None:
        anchor = event.anchor
        if anchor is None:
            return
        if anchor in self.anchors:
            first = self.anchors[anchor].start_mark.line + 1
            raise self._refuse(
                event,
                f"neo &{anchor} trùng lặp (đã có ở dòng {first}) / duplicate anchor &{anchor} "
                f"(first on line {first})",
            )
        self.anchors[anchor] = node

    def _enter(self, event: Any) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise self._refuse(
                event,
                f"lồng nhau quá sâu (hơn {MAX_DEPTH} cấp) / nested too deeply "
                f"(more than {MAX_DEPTH} levels)",
            )

    # --- composing ---------------------------------------------------------------------------

    def single_node(self) -> Node | None:
        events = self._loader
        events.get_event()  # stream start
        document = None
        if type(events.peek_event()) is not StreamEndEvent:
            events.get_event()  # document start
            document = self._node()
            events.get_event()  # document end
        if type(events.peek_event()) is not StreamEndEvent:
            raise self._refuse(
                events.get_event(),
                "tệp chứa nhiều tài liệu YAML; chỉ được một / the file holds more than one YAML "
                "document ('---'); only one is allowed",
                (),
            )
        events.get_event()  # stream end
        self.root = document
        return document

    def _node(self) -> Node:
        # One peek per node, dispatching on the event's type: this is the hot loop.
        event = self._loader.peek_event()
        kind = type(event)
        if kind is ScalarEvent:
            return self._scalar()
        if kind is MappingStartEvent:
            return self._mapping()
        if kind is SequenceStartEvent:
            return self._sequence()
        if kind is AliasEvent:
            return self._alias()
        raise self._refuse(event, "YAML không hợp lệ / broken YAML")

    def _alias(self) -> Node:
        event = self._loader.get_event()
        anchor = event.anchor
        target = self.anchors.get(anchor)
        if target is None:
            raise self._refuse(event, f"bí danh chưa định nghĩa / undefined alias *{anchor}")
        if id(target) in self._open:
            raise self._refuse(
                event,
                f"bí danh *{anchor} nằm trong chính giá trị nó trỏ tới / recursive alias "
                f"*{anchor} (inside the value it refers to)",
            )
        self._count(event, self._sizes[id(target)], alias=anchor)
        return target

    def _scalar(self) -> ScalarNode:
        event = self._loader.get_event()
        self._total += 1
        if self._total > MAX_NODES:
            self._count(event, 0)
        value = event.value
        if event.tag is None and event.implicit[0]:
            # A plain scalar: most are words, which need no regular expression to resolve.
            key = value[:1]
            tag = self._resolved.get(key) if key not in self._implicit_first else None
            if tag is None:
                tag = self._tag(event, ScalarNode, value)
                if key not in self._implicit_first:
                    self._resolved[key] = tag
        else:
            tag = self._tag(event, ScalarNode, value)
        bad = _FORBIDDEN_CHARS.search(value)
        if bad:
            code = f"U+{ord(bad.group()):04X}"
            raise self._refuse(
                event,
                f"chuỗi chứa ký tự điều khiển {code} / the string holds the control character "
                f"{code}",
            )
        node = ScalarNode(tag, value, event.start_mark, event.end_mark, style=event.style)
        if event.anchor is not None:
            self._anchor(event, node)
        self._sizes[id(node)] = 1
        return node

    def _sequence(self) -> SequenceNode:
        events = self._loader
        start = events.get_event()
        self._enter(start)
        self._count(start, 1)
        tag = self._tag(start, SequenceNode, None)
        node = SequenceNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
        self._anchor(start, node)
        self._open.add(id(node))
        size = 1
        loc = self._loc
        sizes = self._sizes
        while type(events.peek_event()) is not SequenceEndEvent:
            loc.append(len(node.value))
            item = self._node()
            loc.pop()
            size += sizes[id(item)]
            node.value.append(item)
        node.end_mark = events.get_event().end_mark
        self._open.discard(id(node))
        sizes[id(node)] = size
        self._depth -= 1
        return node

    def _mapping(self) -> MappingNode:
        events = self._loader
        start = events.get_event()
        self._enter(start)
        self._count(start, 1)
        tag = self._tag(start, MappingNode, None)
        node = MappingNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
        self._anchor(start, node)
        self._open.add(id(node))
        size = 1
        loc = self._loc
        sizes = self._sizes
        seen: dict[tuple[str, str], int] = {}
        while True:
            key_event = events.peek_event()
            kind = type(key_event)
            if kind is MappingEndEvent:
                break
            if kind is not ScalarEvent and kind is not AliasEvent:
                raise self._refuse(key_event, _NOT_SCALAR_KEY)
            key = self._node()
            if not isinstance(key, ScalarNode):
                raise self._refuse(key_event, _NOT_SCALAR_KEY)
            name = str(key.value)
            first = seen.get((key.tag, name))
            if first is not None:
                raise self._refuse(
                    key_event,
                    f"khóa trùng lặp {_short(name)!r} (đã có ở dòng {first}) / duplicate key "
                    f"{_short(name)!r} (first on line {first})",
                    (*loc, name),
                )
            seen[(key.tag, name)] = _line(key_event)
            loc.append(name)
            value = self._node()
            loc.pop()
            size += sizes[id(key)] + sizes[id(value)]
            node.value.append((key, value))
        node.end_mark = events.get_event().end_mark
        self._open.discard(id(node))
        sizes[id(node)] = size
        self._depth -= 1
        return node


# Mapping keys in a workflow file are field names, hence scalars: only those get a line each.
def _walk(node: Node, loc: Loc, lines: dict[Loc, int], seen: set[int]) -> None:
    """Record the line of every value, visiting a node reached through an alias only once: the
    values inside an alias are reported on the line where the alias is used."""
    lines.setdefault(loc, node.start_mark.line + 1)
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            lines[(*loc, key)] = key_node.start_mark.line + 1
            _walk(value_node, (*loc, key), lines, seen)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*loc, index), lines, seen)


def _loc_of(node: Node, target: Node, loc: Loc) -> Loc | None:
    """The path of ``target``'s first occurrence in the document (each node visited once)."""
    stack: list[tuple[Node, Loc]] = [(node, loc)]
    seen: set[int] = set()
    while stack:
        current, where = stack.pop()
        if current is target:
            return where
        if id(current) in seen:
            continue
        seen.add(id(current))
        children: list[tuple[Node, Loc]] = []
        if isinstance(current, MappingNode):
            for key_node, value_node in current.value:
                children.append((value_node, (*where, str(key_node.value))))
                children.append((key_node, (*where, str(key_node.value))))
        elif isinstance(current, SequenceNode):
            children = [(item, (*where, i)) for i, item in enumerate(current.value)]
        stack.extend(reversed(children))
    return None
