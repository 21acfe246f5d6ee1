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


LAYER_MODULES = {"views", "api", "services", "selectors", "public_views"}
SCOPE_ATTRIBUTES = {"has_role", "covers_path", "everything", "roles", "account_admin_paths"}


def _layer_module(path: pathlib.Path) -> bool:
    """A views, api, services or selectors module (or a module of such a package)."""
    names = {path.stem, *path.parts[:-1]}
    return bool(names & LAYER_MODULES) and path.stem != "permissions"


def _own_rules(tree: ast.AST):
    """Reads of the scope's grants or role comparisons written in place."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "scope_of":
            yield node.lineno, "scope_of()"
        elif isinstance(node, ast.Attribute):
            if node.attr in SCOPE_ATTRIBUTES:
                yield node.lineno, f".{node.attr}"
            elif isinstance(node.value, ast.Name) and node.value.id == "Role":
                yield node.lineno, f"Role.{node.attr}"
            elif node.attr in {"read", "write"} and getattr(node.value, "id", "") == "scope":
                yield node.lineno, f"scope.{node.attr}"


def test_who_may_act_is_decided_in_permissions_modules_only():
    """Views, APIs, services and selectors ask the apps' permissions.py (or a tenancy
    helper); they never read a scope's grants or compare roles themselves."""
    offenders = [
        f"{path}:{line} {what}"
        for path, tree in _modules()
        if path.parts[0] not in {"tenancy", "accounts"} and _layer_module(path)
        for line, what in _own_rules(tree)
    ]
    assert not offenders, offenders


def test_role_groups_are_declared_once():
    """Only accounts/roles.py declares groups of roles (names ending in _ROLES or READERS)."""
    offenders = []
    for path, tree in _modules():
        if str(path) == "accounts/roles.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    name = getattr(target, "id", "")
                    if name.endswith(("_ROLES", "READERS")) and isinstance(
                        node.value, ast.Tuple | ast.Set | ast.List | ast.Call
                    ):
                        offenders.append(f"{path}:{node.lineno} {name}")
    assert not offenders, offenders


# Dependencies run one way: views and APIs call services, services call selectors,
# selectors ask the workflow tables and permissions, which rest on tenancy.
LAYERS = {
    "views": 4,
    "api": 4,
    "public_views": 4,
    "services": 3,
    "selectors": 2,
    "workflow": 1,
    "permissions": 1,
}


def _layer_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] == "tenancy":
        return 0
    ranks = [LAYERS[part] for part in parts[1:] if part in LAYERS]
    return ranks[0] if ranks else None


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute_imports(path: pathlib.Path, tree: ast.AST):
    package = _module_name(path).split(".")
    if path.stem != "__init__":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            yield node.lineno, module
            for alias in node.names:  # "from . import services" names a module too
                yield node.lineno, f"{module}.{alias.name}"


def test_dependencies_run_one_way_between_the_layers():
    offenders = []
    for path, tree in _modules():
        own = _layer_of(_module_name(path))
        if own is None:
            continue
        for line, module in _absolute_imports(path, tree):
            other = _layer_of(module)
            if other is not None and other > own:
                offenders.append(f"{path}:{line} imports {module}")
    assert not offenders, offenders
