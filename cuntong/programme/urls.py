from django.urls import path

from . import switcher, views

app_name = "programme"
urlpatterns = [
    path("switch/", views.switch_programme, name="switch"),
    path("switch/all/", switcher.switcher, name="switcher"),
    path("kpi/", views.kpi_board, name="kpi_board"),
    path("kpi/<str:key>/", views.kpi_detail, name="kpi_detail"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/status/", views.ProjectStatusView.as_view(), name="project_status"),
    path("plan/upload/", views.plan_upload, name="plan_upload"),
    path("<slug:code>/", views.overview, name="overview"),
    path("<slug:code>/plan.yaml", views.plan_file, name="plan_file"),
]
