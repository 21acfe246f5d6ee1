"""Run axe-core (pinned in package.json, served from static like every front-end file) on
the page a Playwright tab shows, and list the serious and critical violations."""

from __future__ import annotations

SERIOUS = {"serious", "critical"}


def serious_violations(page, live_server) -> list[str]:
    page.add_script_tag(url=f"{live_server.url}/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        """async () => {
      const r = await axe.run(document, {resultTypes: ["violations"]});
      return r.violations.map((v) => ({
        id: v.id, impact: v.impact,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
      }));
    }"""
    )
    return [
        f"{v['id']} ({v['impact']}): {', '.join(v['nodes'])}"
        for v in result
        if v["impact"] in SERIOUS
    ]
