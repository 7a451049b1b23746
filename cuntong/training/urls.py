from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.SessionListView.as_view(), name="session_list"),
    path("sessions/add/", views.SessionEditView.as_view(), name="session_add"),
    path("sessions/<int:pk>/", views.SessionDetailView.as_view(), name="session_detail"),
    path("sessions/<int:pk>/edit/", views.SessionEditView.as_view(), name="session_edit"),
    path("sessions/<int:pk>/qr/", views.session_qr, name="session_qr"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("sessions/<int:pk>/signin-sheet.docx", views.signin_sheet, name="session_signin_sheet"),
    path("sessions/<int:pk>/roster.xlsx", views.roster, name="session_roster"),
    path("sessions/<int:pk>/summary/", views.session_summary, name="session_summary"),
    path("sessions/<int:pk>/remind/", views.session_remind, name="session_remind"),
    path("sessions/<int:pk>/follow-ups/", views.session_follow_ups, name="session_follow_ups"),
    path("signin/<str:token>/", views.signin, name="signin"),
    path("trainees/", views.TraineeListView.as_view(), name="trainee_list"),
    path("trainees/add/", views.TraineeEditView.as_view(), name="trainee_add"),
    path("trainees/<int:pk>/", views.TraineeDetailView.as_view(), name="trainee_detail"),
    path("trainees/<int:pk>/edit/", views.TraineeEditView.as_view(), name="trainee_edit"),
    path("courses/", views.CourseListView.as_view(), name="course_list"),
    path("courses/add/", views.CourseEditView.as_view(), name="course_add"),
    path("courses/<int:pk>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("courses/<int:pk>/edit/", views.CourseEditView.as_view(), name="course_edit"),
    path("providers/", views.ProviderListView.as_view(), name="provider_list"),
    path("providers/<int:pk>/", views.ProviderDetailView.as_view(), name="provider_detail"),
    path("follow-ups/", views.FollowUpListView.as_view(), name="follow_up_list"),
    path("follow-ups/<int:pk>/", views.FollowUpEditView.as_view(), name="follow_up_edit"),
    path("fairs/", views.JobFairListView.as_view(), name="fair_list"),
    path("fairs/add/", views.JobFairEditView.as_view(), name="fair_add"),
    path("fairs/<int:pk>/", views.JobFairDetailView.as_view(), name="fair_detail"),
    path("coverage/", views.UntrainedListView.as_view(), name="coverage"),
    path("report/", views.report, name="report"),
]
