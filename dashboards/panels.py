"""Panels other apps add to a region's dashboard, without the dashboard knowing them.

An app registers a panel in its `AppConfig.ready()`:

    register_panel(
        "livelihood",
        template="livelihood/_dashboard_panel.html",
        context=livelihood.selectors.dashboard_panel,   # (user, region, period) -> dict | None
    )

The region dashboard renders each registered panel below its own figures, with
the context the function returns (None: nothing to show for this region). The
function reads through `visible_to(user)` like every selector, in a constant
number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: Callable


_PANELS: dict[str, Panel] = {}


def register_panel(name: str, *, template: str, context: Callable) -> None:
    _PANELS[name] = Panel(name=name, template=template, context=context)


def panels_for(user, region, period) -> list[tuple[str, dict]]:
    """(template, context) of every registered panel with something to show, in order."""
    shown = []
    for panel in _PANELS.values():
        context = panel.context(user, region, period)
        if context is not None:
            shown.append((panel.template, context))
    return shown
