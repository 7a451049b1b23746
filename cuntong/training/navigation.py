from django.utils.translation import gettext_lazy as _

from cuntong.core.navigation import Menu, MenuItem, register

register(
    Menu(
        "training",
        _("培训"),
        order=55,
        items=(
            MenuItem(_("培训班"), "training:session_list", "training.view_session"),
            MenuItem(_("学员"), "training:trainee_list", "training.view_trainee"),
            MenuItem(_("课程"), "training:course_list", "training.view_course"),
            MenuItem(_("培训机构"), "training:provider_list", "training.view_provider"),
            MenuItem(_("跟踪回访"), "training:follow_up_list", "training.view_followup"),
            MenuItem(_("用工对接会"), "training:fair_list", "training.view_jobfair"),
            MenuItem(_("贫困人口培训覆盖"), "training:coverage", "people.view_resident"),
            MenuItem(_("培训人次统计"), "training:report", "training.view_attendance"),
        ),
    )
)
