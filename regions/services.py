"""Writes to the region tree."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from .models import Region, build_path

LEVELS = [level.value for level in Region.LEVEL_ORDER]


@dataclass
class RegionImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _parse(rows: list[dict], known: dict[str, Region]) -> tuple[list[dict], list[str]]:
    """Validate every row against the file and the database; report all problems."""
    errors: list[str] = []
    seen: dict[str, dict] = {}
    clean: list[dict] = []
    for line, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        level = (row.get("level") or "").strip()
        parent_code = (row.get("parent_code") or "").strip()
        problems = []
        if not code.isdigit() or len(code) > 12:
            problems.append(_("区划代码“%(code)s”应为不超过12位的数字") % {"code": code})
        if not name:
            problems.append(_("缺少名称"))
        if level not in LEVELS:
            problems.append(_("层级“%(level)s”无效") % {"level": level})
        if code in seen:
            problems.append(_("区划代码“%(code)s”重复") % {"code": code})
        if level and level != "province" and not parent_code:
            problems.append(_("缺少上级区划代码"))
        if parent_code:
            parent = seen.get(parent_code) or (
                {"level": known[parent_code].level} if parent_code in known else None
            )
            if parent is None:
                problems.append(_("上级区划“%(code)s”不存在") % {"code": parent_code})
            else:
                if level in LEVELS and LEVELS.index(parent["level"]) >= LEVELS.index(level):
                    problems.append(_("上级区划层级应高于本级"))
                if not code.startswith(parent_code):
                    problems.append(_("区划代码应以上级代码开头"))
        if problems:
            errors.append(_("第%(line)d行：") % {"line": line} + "；".join(problems))
        entry = {"code": code, "name": name, "level": level, "parent_code": parent_code}
        seen.setdefault(code, entry)
        if not problems:
            clean.append(entry)
    return clean, errors


def region_import(*, rows: list[dict]) -> RegionImportReport:
    """Create or rename regions from rows of code, name, level, parent_code.

    All rows are checked first; if any is bad nothing is written and every
    problem is reported. A row whose code exists updates its name.
    """
    known = {region.code: region for region in Region.objects.all()}
    clean, errors = _parse(rows, known)
    report = RegionImportReport(errors=errors)
    if errors:
        return report
    clean.sort(key=lambda entry: LEVELS.index(entry["level"]))
    with transaction.atomic():
        to_create_by_level: dict[str, list[Region]] = {}
        for entry in clean:
            existing = known.get(entry["code"])
            if existing is not None:
                if existing.name != entry["name"]:
                    existing.name = entry["name"]
                    existing.save(update_fields=["name"])
                    report.updated += 1
                else:
                    report.unchanged += 1
                continue
            to_create_by_level.setdefault(entry["level"], []).append(entry)
        for level in LEVELS:
            batch = []
            for entry in to_create_by_level.get(level, []):
                parent = known.get(entry["parent_code"]) if entry["parent_code"] else None
                batch.append(
                    Region(
                        code=entry["code"],
                        name=entry["name"],
                        level=entry["level"],
                        parent=parent,
                        path=build_path(parent, entry["code"]),
                    )
                )
            for region in Region.objects.bulk_create(batch, batch_size=1000):
                known[region.code] = region
            report.created += len(batch)
    return report


def read_region_csv(path: Path, *, under: str = "") -> list[dict]:
    """Read a region CSV; with `under`, keep only that code, its ancestors and subtree."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not under:
        return rows
    return [row for row in rows if row["code"].startswith(under) or under.startswith(row["code"])]
