"""Rules about where code may live, read from the source: one clock, one home for roles.

Each rule names the one module allowed to do the thing and fails with the places
that do it elsewhere.
"""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "node_modules", "tests", "migrations", "var", "staticfiles", ".git"}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIP_DIRS.intersection(relative.parts[:-1]) or relative.parts[0] in SKIP_DIRS:
            continue
        yield relative, ast.parse(path.read_text(encoding="utf-8"), filename=str(relative))


def _clock_reads(tree: ast.AST):
    """Calls that read the system clock: timezone.now(), timezone.localdate() without an
    argument, date.today(), datetime.now()."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        owner = node.func.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        call = (owner_name, name)
        reads_now = call in {("timezone", "now"), ("date", "today"), ("datetime", "now")}
        reads_today = call == ("timezone", "localdate") and not node.args
        if reads_now or reads_today:
            yield node.lineno


def test_only_core_clock_reads_the_clock():
    offenders = [
        f"{path}:{line}"
        for path, tree in _modules()
        if str(path) != "core/clock.py"
        for line in _clock_reads(tree)
    ]
    assert not offenders, f"read the time through core.clock.now()/today(): {offenders}"


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def test_the_tenancy_core_is_a_leaf():
    """The rule, grants and scope types import no app: the apps depend on tenancy, not back."""
    offenders = [
        f"{path}:{line} imports {name}"
        for path, tree in _modules()
        if path.parts[0] == "tenancy"
        for line, name in _imports(tree)
        if name.split(".")[0] not in {"django", "__future__"} | _STDLIB
    ]
    assert not offenders, offenders


_STDLIB = {"collections", "dataclasses", "functools", "typing", "re", "itertools"}
