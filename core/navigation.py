"""The menu: which entries each role sees. Views still check access themselves."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.roles import ACCOUNT_ADMIN_ROLES, STAFF, Role
from tenancy.scope import scope_of


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    roles: tuple[str, ...]
    description: str | Promise = ""


ENTRIES = [
    NavEntry(_("首页"), "accounts:home", ()),
    NavEntry(
        _("联络站点"),
        "stations:list",
        (*STAFF, Role.LEADER, Role.STATION_OFFICER),
        _("管理联络站和联络点、星级评定、接待安排和二维码。"),
    ),
    NavEntry(
        _("人大代表"),
        "deputies:list",
        (*STAFF, Role.LEADER, Role.STATION_OFFICER),
        _("管理代表信息、编组进站，批量导入，打印亮码牌。"),
    ),
    NavEntry(
        _("亮码牌"),
        "placards:batch",
        (*STAFF, Role.STATION_OFFICER),
        _("按联络站或区划批量生成代表亮码牌（含二维码），下载打印。"),
    ),
    NavEntry(
        _("意见建议"),
        "suggestions:inbox",
        (*STAFF, Role.LEADER, Role.STATION_OFFICER, Role.DEPUTY, Role.UNIT_CLERK),
        _("受理、交办、答复、回访群众意见建议。"),
    ),
    NavEntry(
        _("立法联系点"),
        "legislation:list",
        (*STAFF, Role.LEADER, Role.STATION_OFFICER, Role.DEPUTY),
        _("法规草案逐条征求意见、线下意见录入、汇总上报、采纳反馈和信息采集员。"),
    ),
    NavEntry(
        _("约见述职"),
        "appointments:index",
        (*STAFF, Role.LEADER, Role.STATION_OFFICER, Role.DEPUTY, Role.UNIT_CLERK),
        _("群众预约代表、代表约见国家机关负责人、述职评议、代表小组活动、双联系和领导干部进站。"),
    ),
    NavEntry(
        _("民生实事"),
        "livelihood:list",
        (*STAFF, Role.LEADER, Role.DEPUTY),
        _("民生实事项目人大代表票决：群众点单、初审、代表票决、实施方案、跟踪督办、满意度测评。"),
    ),
    NavEntry(
        _("我的票决"),
        "livelihood:mine",
        (Role.DEPUTY,),
        _("在手机上参加民生实事项目电子表决，查看您监督的项目。"),
    ),
    NavEntry(
        _("代表建议"),
        "proposals:list",
        (*STAFF, Role.LEADER, Role.DEPUTY, Role.UNIT_CLERK),
        _("代表建议的提出、联名、登记交办、办理答复、三见面、评价、重点督办和统计。"),
    ),
    NavEntry(
        _("督办"),
        "supervision:queue",
        (*STAFF, Role.LEADER),
        _("逾期事项自动提请上级督办，查看督办台账、重点督办，打印提醒督办函。"),
    ),
    NavEntry(
        _("接待安排"),
        "receptions:schedule",
        (*STAFF, Role.STATION_OFFICER, Role.DEPUTY),
        _("查看和安排代表进站接待日。"),
    ),
    NavEntry(
        _("接待走访"),
        "receptions:log_list",
        (*STAFF, Role.LEADER, Role.STATION_OFFICER, Role.DEPUTY),
        _("登记代表进站接待、走访联系户和站点活动，群众反映的问题直接转入办理。"),
    ),
    NavEntry(
        _("履职档案"),
        "duties:index",
        (*STAFF, Role.LEADER, Role.STATION_OFFICER, Role.DEPUTY),
        _("代表一人一档、年度积分与活跃度排名，查看缺席的进站值班。"),
    ),
    NavEntry(
        _("工作日历"),
        "calendars:holidays",
        (Role.SYSADMIN,),
        _("维护法定节假日和调休，期限按工作日计算。"),
    ),
    NavEntry(
        _("统计看板"),
        "dashboards:index",
        (*STAFF, Role.LEADER),
        _("按区划和时段查看进站履职、接待群众、意见建议办理和站点星级，逐级下钻。"),
    ),
    NavEntry(
        _("工作台账"),
        "ledgers:index",
        (*STAFF, Role.LEADER),
        _("按区划和时段导出接待登记簿、意见建议台账、代表履职汇总和站点名册（Excel）。"),
    ),
    NavEntry(
        _("行政区划"),
        "regions:list",
        (*STAFF, Role.LEADER),
        _("查看本辖区的行政区划树及各级数量。"),
    ),
    NavEntry(
        _("账号管理"),
        "accounts:user_list",
        tuple(ACCOUNT_ADMIN_ROLES),
        _("为本辖区及下级创建账号、停用账号、重置密码。"),
    ),
    NavEntry(
        _("开放接口"),
        "open311:client_list",
        tuple(STAFF),
        _("登记与 12345 热线等系统的对接，发放和停用接口密钥。"),
    ),
    NavEntry(_("审计日志"), "audit:list", (Role.SYSADMIN,), _("查看谁在何时对哪条记录做了什么。")),
    NavEntry(
        _("发送失败"),
        "notifications:failed",
        (Role.SYSADMIN,),
        _("查看发送失败的邮件和短信及错误原因。"),
    ),
    NavEntry(
        _("后台任务"),
        "supervision:schedules",
        (Role.SYSADMIN,),
        _("查看定时任务计划、最近执行时间和后台服务心跳。"),
    ),
]


def entries_for(user) -> list[tuple[NavEntry, str]]:
    scope = scope_of(user)
    visible = []
    for entry in ENTRIES:
        if entry.roles and not scope.has_role(*entry.roles):
            continue
        try:
            visible.append((entry, reverse(entry.url_name)))
        except NoReverseMatch:
            continue
    return visible
