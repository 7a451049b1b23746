from django.utils.translation import gettext_lazy as _

from cuntong.core.navigation import Menu, MenuItem, register, register_landing

register(
    Menu(
        "stations",
        _("服务站点"),
        order=20,
        items=(
            MenuItem(_("我的站点（手机）"), "stations:my", "stations.add_checkin"),
            MenuItem(_("服务站点"), "stations:station_list", "stations.view_station"),
            MenuItem(_("站点地图"), "stations:map", "stations.view_station"),
            MenuItem(_("大屏"), "stations:wall", "stations.view_station"),
            MenuItem(_("站点月报"), "stations:report_list", "stations.view_monthlyreport"),
            MenuItem(_("报送情况"), "stations:completeness", "stations.view_monthlyreport"),
            MenuItem(_("每日打卡"), "stations:checkin_list", "stations.view_checkin"),
            MenuItem(_("动态管理"), "stations:proposal_list", "stations.view_managementproposal"),
            MenuItem(_("标杆站点"), "stations:benchmarks", "stations.view_station"),
            MenuItem(_("规则检查"), "stations:check", "stations.view_station"),
            MenuItem(_("覆盖率"), "stations:coverage", "stations.view_station"),
            MenuItem(_("布局优化"), "stations:plan", "stations.view_candidatesite"),
            MenuItem(_("候选点位"), "stations:candidate_list", "stations.view_candidatesite"),
            MenuItem(_("大屏展示链接"), "stations:display_links", "stations.add_displaylink"),
        ),
    )
)

register_landing("station_operator", "stations:my")
