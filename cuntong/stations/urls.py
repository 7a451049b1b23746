from django.urls import path

from . import views

app_name = "stations"
urlpatterns = [
    path("", views.StationListView.as_view(), name="station_list"),
    path("add/", views.StationEditView.as_view(), name="station_add"),
    path("<int:pk>/", views.StationDetailView.as_view(), name="station_detail"),
    path("<int:pk>/edit/", views.StationEditView.as_view(), name="station_edit"),
    path("<int:pk>/transition/", views.station_transition, name="station_transition"),
    path("<int:pk>/report/<str:month>/", views.report_form, name="report_form"),
    path("<int:pk>/checkin/", views.checkin_form, name="checkin"),
    path("my/", views.my_stations, name="my"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/<int:pk>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("reports/completeness/", views.completeness, name="completeness"),
    path("checkins/", views.CheckInListView.as_view(), name="checkin_list"),
    path("map/", views.station_map, name="map"),
    path("map/data/", views.station_map_data, name="map_data"),
    path("wall/", views.wall, name="wall"),
    path("wall/data/", views.wall_data, name="wall_data"),
    path("wall/links/", views.display_links, name="display_links"),
    path("wall/links/<int:pk>/revoke/", views.display_link_revoke, name="display_link_revoke"),
    path("wall/screen/<str:token>/", views.screen, name="screen"),
    path("wall/screen/<str:token>/data/", views.screen_data, name="screen_data"),
    path("check/", views.rule_check, name="check"),
    path("coverage/", views.coverage, name="coverage"),
    path("management/", views.ProposalListView.as_view(), name="proposal_list"),
    path("management/review/", views.review, name="review"),
    path("management/<int:pk>/", views.ProposalDetailView.as_view(), name="proposal_detail"),
    path("management/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("benchmarks/", views.benchmarks, name="benchmarks"),
    path("plan/", views.plan, name="plan"),
    path("plan/<uuid:job_id>/", views.plan_result, name="plan_result"),
    path("candidates/", views.CandidateListView.as_view(), name="candidate_list"),
    path("candidates/add/", views.CandidateEditView.as_view(), name="candidate_add"),
    path("candidates/<int:pk>/edit/", views.CandidateEditView.as_view(), name="candidate_edit"),
]
