from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("events/", views.SecurityEventListView.as_view(), name="event_list"),
    path("events/<int:pk>/", views.SecurityEventDetailView.as_view(), name="event_detail"),
    path("changes/", views.ChangeRecordListView.as_view(), name="change_list"),
    path("changes/<int:pk>/", views.ChangeRecordDetailView.as_view(), name="change_detail"),
    path("history/<str:app_label>/<str:model_name>/<str:pk>/", views.object_history, name="object_history"),
]
