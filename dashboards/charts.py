"""The data the dashboard's charts draw, embedded in the page with `json_script`.

Plain lists and numbers only; dashboard.js turns them into ECharts options, so the
page needs no second request and the figures on the charts are the page's own.
"""

from django.utils.translation import gettext as _

from .selectors import Dashboard, completion_rate


def chart_data(dash: Dashboard) -> dict:
    return {
        "trend": {
            "months": [month.strftime("%Y-%m") for month, _counts in dash.trend],
            "series": [
                {
                    "name": _("进站履职（人次）"),
                    "type": "bar",
                    "data": [c["duty_visits"] for _m, c in dash.trend],
                },
                {
                    "name": _("接待群众（人次）"),
                    "type": "bar",
                    "data": [c["people"] for _m, c in dash.trend],
                },
                {
                    "name": _("收到意见建议（条）"),
                    "type": "line",
                    "data": [c["received"] for _m, c in dash.trend],
                },
                {
                    "name": _("推动解决（个）"),
                    "type": "line",
                    "data": [c["solved"] for _m, c in dash.trend],
                },
            ],
            "rate_name": _("办结率（%）"),
            "rates": [completion_rate(c) for _m, c in dash.trend],
        },
        "categories": {
            "names": [label for _code, label, _n in dash.categories],
            "values": [n for _code, _label, n in dash.categories],
            "codes": [code for code, _label, _n in dash.categories],
            "name": _("意见建议（条）"),
        },
        "stars": {
            "names": [(_("%(n)s星") % {"n": n}) if n else _("未评定") for n, _c in dash.stars],
            "values": [count for _n, count in dash.stars],
            "name": _("站点（个）"),
        },
        "empty": _("本期暂无数据"),
    }
