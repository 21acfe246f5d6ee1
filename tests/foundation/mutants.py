"""Tenancy mutants: each call of the access helper or of `visible_to` in a view or API, removed.

A mutant is one call site. `access_object(qs, user, value, ...)` becomes a lookup
without the tenancy rule (still 404 for a missing row); `X.visible_to(user, ...)` becomes
`X.all()`. The mutant is applied in the running process: the enclosing function (a view,
a helper of the views module, a viewset method) is compiled again from the mutated
source and its code object swapped in, then swapped back. No file is changed, so mutants
never leak into the working tree and runs may go side by side.

Run by bin/check-tenancy-mutants (tests/foundation/test_tenancy_mutants.py).
"""

from __future__ import annotations

import ast
import importlib
import inspect
from dataclasses import dataclass
from pathlib import Path

from django.http import Http404

ROOT = Path(__file__).resolve().parents[2]
# Views and APIs: every module a URL reaches directly.
TARGETS = ("*/views.py", "*/views/*.py", "*/api.py", "*/placard_views.py")
# Views keyed by an unguessable token rather than a session (the walk's
# PUBLIC_URL_NAMES): their own tests walk another token against them.
NOT_TARGETS = ("public_views.py",)
HELPER = "_tenancy_mutant_unscoped"


def _tenancy_mutant_unscoped(queryset, user, value, *, field="pk", for_write=False):
    """access_object without the tenancy rule: what a view would do if it forgot it."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    try:
        return queryset.get(**{field: value})
    except Exception:
        raise Http404 from None


@dataclass
class Mutant:
    path: Path
    module: str
    line: int
    kind: str  # "access_object" or "visible_to"
    qualname: str  # the enclosing top-level function or Class.method
    first_line: int  # where its code object starts (first decorator)
    source: bytes  # the whole module, mutated
    ordinal: int = 1  # the n-th call of this kind in the function

    @property
    def key(self) -> tuple:
        return (self.module, self.qualname, self.kind, self.ordinal)

    @property
    def app(self) -> str:
        return self.module.split(".")[0]

    def __str__(self):
        return f"{self.path.relative_to(ROOT)}:{self.line} {self.kind} in {self.qualname}"


def _files():
    seen = set()
    for pattern in TARGETS:
        for path in sorted(ROOT.glob(pattern)):
            parts = path.relative_to(ROOT).parts
            if parts[0] in {".venv", "tests", "node_modules", "tenancy"}:
                continue
            if path.name in NOT_TARGETS or path in seen:
                continue
            seen.add(path)
            yield path


def _offset(lines: list[bytes], line: int, col: int) -> int:
    return sum(len(x) for x in lines[: line - 1]) + col


def _enclosing(tree: ast.Module):
    """(node, qualname, first_line) for each top-level function and method."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node, node.name, _first_line(node)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield item, f"{node.name}.{item.name}", _first_line(item)


def _first_line(node) -> int:
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])


def discover() -> list[Mutant]:
    mutants = []
    for path in _files():
        raw = path.read_bytes()
        lines = raw.splitlines(keepends=True)
        tree = ast.parse(raw)
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for func, qualname, first_line in _enclosing(tree):
            seen: dict[str, int] = {}
            calls = sorted(
                (n for n in ast.walk(func) if isinstance(n, ast.Call)),
                key=lambda n: (n.lineno, n.col_offset),
            )
            for node in calls:
                start = _offset(lines, node.lineno, node.col_offset)
                end = _offset(lines, node.end_lineno, node.end_col_offset)
                if isinstance(node.func, ast.Name) and node.func.id == "access_object":
                    kind = "access_object"
                    name_end = _offset(lines, node.func.end_lineno, node.func.end_col_offset)
                    mutated = raw[:start] + HELPER.encode() + raw[name_end:]
                elif isinstance(node.func, ast.Attribute) and node.func.attr == "visible_to":
                    kind = "visible_to"
                    value = node.func.value
                    cut = _offset(lines, value.end_lineno, value.end_col_offset)
                    # Keep the line count: the rest of the module keeps its line numbers.
                    kept = b"\n" * raw[cut:end].count(b"\n")
                    mutated = raw[:cut] + b".all(" + kept + b")" + raw[end:]
                else:
                    continue
                seen[kind] = seen.get(kind, 0) + 1
                mutants.append(
                    Mutant(
                        path, module, node.lineno, kind, qualname, first_line, mutated, seen[kind]
                    )
                )
    return mutants


def _find_code(code, name: str, first_line: int):
    for const in code.co_consts:
        if inspect.iscode(const):
            if const.co_name == name and const.co_firstlineno == first_line:
                return const
            found = _find_code(const, name, first_line)
            if found is not None:
                return found
    return None


def _live_function(module, qualname: str):
    obj = module
    for part in qualname.split("."):
        obj = vars(obj)[part]
    if isinstance(obj, staticmethod | classmethod):
        obj = obj.__func__
    return inspect.unwrap(obj)


class applied:
    """Context manager: the mutant is live inside the block."""

    def __init__(self, mutant: Mutant):
        self.mutant = mutant

    def __enter__(self):
        m = self.mutant
        module = importlib.import_module(m.module)
        compiled = compile(m.source, str(m.path), "exec")
        name = m.qualname.split(".")[-1]
        new_code = _find_code(compiled, name, m.first_line)
        if new_code is None:
            raise RuntimeError(f"{m}: no code object for {m.qualname}")
        self.function = _live_function(module, m.qualname)
        if self.function.__code__.co_freevars != new_code.co_freevars:
            raise RuntimeError(f"{m}: closure differs")
        module.__dict__.setdefault(HELPER, _tenancy_mutant_unscoped)
        self.original = self.function.__code__
        self.function.__code__ = new_code
        return self

    def __exit__(self, *exc):
        self.function.__code__ = self.original
        return False
