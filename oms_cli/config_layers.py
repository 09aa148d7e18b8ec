"""How load_config reads its layers and reports what is wrong with them.

The file: read as UTF-8, parsed as YAML, and checked for keys written twice (which YAML
would silently collapse). The environment: ``OMS_<SECTION>__<KEY>`` names turned into
key paths and comma-separated lists, the short names (``OMS_DB``, ``OMS_TIMEZONE``,
``OMS_CURRENCY``) mapped to theirs. ``Layers`` stacks them, remembers which layer set
each key, and turns each pydantic error into one line naming the file or the variable.

Nothing here knows the models: the root model class is handed to ``Layers``, and the
types along a key path are read from its annotations.
"""

from __future__ import annotations

import copy
import difflib
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel

from oms_cli.errors import ConfigError


def display_path(path: Path) -> str:
    """How problems name the file: relative to the current directory when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_config_file(path: Path, label: str) -> tuple[dict[Any, Any], list[str]]:
    """The file's top-level mapping ({} when empty) and its duplicate-key problems.
    Raises ConfigError when it cannot be read, is not YAML, or is not a mapping."""
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{label}: too large for a config file (over "
                              f"{MAX_CONFIG_BYTES // 1024} KiB): is it the right file?")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{label}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read the config file: {exc.strerror or exc}") from None
    try:
        _refuse_alias_bombs(yaml.compose(text, Loader=yaml.SafeLoader), label)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(_yaml_problem(label, exc)) from None
    except RecursionError:
        raise ConfigError(f"{label}: nested too deeply to be a config file") from None
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: expected a mapping of keys such as `database:`, not a "
                          f"{type(data).__name__}")
    return data, _duplicate_keys(text, label)


# A config is a few hundred values; these bound what a hostile file can make oms hold.
MAX_CONFIG_BYTES = 1024 * 1024
MAX_CONFIG_VALUES = 100_000


def _refuse_alias_bombs(root: yaml.Node | None, label: str) -> None:
    """Raise ConfigError if aliases would expand the document past MAX_CONFIG_VALUES values
    (the "billion laughs"), or make it contain itself, before anything expands it."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    pending: list[tuple[yaml.Node, bool]] = [(root, False)] if root is not None else []
    while pending:
        node, children_done = pending.pop()
        key = id(node)
        if key in sizes:
            continue
        children = _children(node)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            if sizes[key] > MAX_CONFIG_VALUES:
                raise ConfigError(f"{label}: its aliases expand to more than "
                                  f"{MAX_CONFIG_VALUES} values: not a config file")
            continue
        if key in open_nodes:
            raise ConfigError(f"{label}:{node.start_mark.line + 1}: an alias refers to the "
                              "value it is inside")
        open_nodes.add(key)
        pending.append((node, True))
        pending.extend((child, False) for child in children if id(child) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def one_line(problem: str) -> str:
    """``problem`` with any character that is not printable (a line break, a control
    character from a key or value the file holds) written as its escape, so it stays one line."""
    if problem.isprintable():
        return problem
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in problem)


def _yaml_problem(label: str, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    if not isinstance(exc, yaml.MarkedYAMLError) or mark is None:
        return f"{label}: {exc}"
    context = f" ({exc.context})" if exc.context else ""
    return f"{label}:{mark.line + 1}: {exc.problem}{context}"


def _duplicate_keys(text: str, label: str) -> list[str]:
    # safe_load keeps the last of two equal keys without a word; the first one is likely meant.
    found: list[tuple[int, str]] = []
    pending = [yaml.compose(text, Loader=yaml.SafeLoader)]
    seen_nodes: set[int] = set()
    while pending:
        node = pending.pop()
        if node is None or id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value in keys:
                    found.append((key.start_mark.line + 1, key.value))
                keys.add(key.value)
                pending.append(value)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
    return [f"{label}:{line}: duplicate key {key!r}" for line, key in sorted(found)]


_ENV_SHORT_NAMES = {
    "OMS_DB": ("database", "url"),
    "OMS_TIMEZONE": ("timezone",),
    "OMS_CURRENCY": ("currency",),
}


def apply_env(layers: Layers, env: Mapping[str, str]) -> list[str]:
    """Put every OMS_ setting of ``env`` onto ``layers``; the problems it cannot put."""
    problems: list[str] = []
    long_names = sorted(name for name in env if name.startswith("OMS_") and "__" in name)
    for name in [*long_names, *(name for name in _ENV_SHORT_NAMES if name in env)]:
        value = env[name]
        path = _ENV_SHORT_NAMES.get(name) or tuple(name[len("OMS_"):].lower().split("__"))
        if not value.strip():
            continue
        if path[0] == "locations":
            problems.append(f"{name}: locations are set in the config file, not the environment")
            continue
        is_list = get_origin(_optional_inner(_annotation_at(layers.root, path))) is list
        parsed = [item.strip() for item in value.split(",") if item.strip()] if is_list else value
        layers.put(path, parsed, "env", name)
    return problems


@dataclass(frozen=True)
class _Origin:
    kind: str  # file | env | flag
    label: str  # the file, the variable, or "command line"
    leaf: bool  # this layer set a value here, rather than passing through on its way


class Layers:
    """The raw settings stacked so far, and which layer set each key. ``root`` is the
    model they are validated against; its annotations name the keys and their types."""

    def __init__(self, root: type[BaseModel]) -> None:
        self.root = root
        self.data: dict[str, Any] = {}
        self.origins: dict[tuple[str, ...], _Origin] = {}

    def put(self, path: tuple[str, ...], value: Any, kind: str, label: str) -> None:
        """Set the key at ``path`` over what earlier layers put there; ``kind`` is file,
        env or flag, ``label`` the name its problems are reported under."""
        target = self.data
        for depth, part in enumerate(path[:-1], start=1):
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
            self.origins.setdefault(path[:depth], _Origin(kind, label, leaf=False))
        target[path[-1]] = copy.deepcopy(value)
        for key in [key for key in self.origins if key[: len(path)] == path]:
            del self.origins[key]
        self._record(path, value, _Origin(kind, label, leaf=True))

    def _record(self, path: tuple[str, ...], value: Any, origin: _Origin) -> None:
        if isinstance(value, dict) and value:
            self.origins[path] = replace(origin, leaf=False)
            for key, item in value.items():
                self._record((*path, str(key)), item, origin)
        else:
            self.origins[path] = origin

    def sources(self, config: BaseModel) -> dict[str, str]:
        """Each dotted key of the validated ``config`` -> the layer that set it, or default."""
        return {".".join(path): self._source(path) for path in _leaves(config.model_dump(), ())}

    def _source(self, path: tuple[str, ...]) -> str:
        for end in range(len(path), 0, -1):
            origin = self.origins.get(path[:end])
            if origin is not None and origin.leaf:
                return origin.kind
        return "default"

    def describe(self, error: Mapping[str, Any]) -> str:
        """One line for one validation error: where it was set, its key, what is wrong."""
        loc = tuple(part for part in error["loc"] if part != "[key]")
        keys = tuple(str(part) for part in loc[: next(
            (i for i, part in enumerate(loc) if isinstance(part, int)), len(loc))])
        origin = next((self.origins[keys[:end]] for end in range(len(keys), 0, -1)
                       if keys[:end] in self.origins), None)
        message = _message(self.root, error, loc)
        key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)[1:]
        if origin is None:
            return f"{key}: {message}"
        if origin.kind == "env" and origin.leaf and keys == loc:
            return f"{origin.label}: {message}"
        return f"{origin.label}: {key}: {message}" if key else f"{origin.label}: {message}"


def _leaves(value: Any, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    if isinstance(value, dict) and value:
        return [leaf for key, item in value.items() for leaf in _leaves(item, (*path, key))]
    return [path]


def _message(root: type[BaseModel], error: Mapping[str, Any], loc: tuple[str | int, ...]) -> str:
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(root, loc)
    if kind == "missing":
        return "required"
    if kind in ("literal_error", "enum"):
        return _not_one_of(value, re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind in ("model_type", "dict_type"):
        return f"expected a mapping of keys, got {_short(value)}"
    return f"{error['msg'][:1].lower()}{error['msg'][1:]} (got {_short(value)})"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _not_one_of(value: Any, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(value), choices, n=1)
    if len(choices) > 8 and close:
        return f"{_short(value)} is not a known key; did you mean {close[0]}?"
    return f"{_short(value)} is not one of {', '.join(choices)}"


def _unknown_key(root: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    parent = _optional_inner(_annotation_at(root, loc[:-1]))
    known = list(parent.model_fields) if _is_model(parent) else []
    close = difflib.get_close_matches(str(loc[-1]), known, n=1)
    if close:
        return f"unknown key; did you mean {close[0]}?"
    return f"unknown key; the keys here are {', '.join(known)}" if known else "unknown key"


def _annotation_at(root: type[BaseModel], path: tuple[str | int, ...]) -> Any:
    """The type the models under ``root`` declare at ``path`` (None when no such key exists)."""
    annotation: Any = root
    for part in path:
        annotation = _optional_inner(annotation)
        origin = get_origin(annotation)
        if _is_model(annotation) and isinstance(part, str) and part in annotation.model_fields:
            annotation = annotation.model_fields[part].annotation
        elif origin is dict or (origin is list and isinstance(part, int)):
            annotation = get_args(annotation)[-1]
        else:
            return None
    return annotation


def _optional_inner(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        inner = [arg for arg in get_args(annotation) if arg is not type(None)]
        return inner[0] if len(inner) == 1 else annotation
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)
