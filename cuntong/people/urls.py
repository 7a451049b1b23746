from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.ResidentListView.as_view(), name="resident_list"),
    path("add/", views.ResidentEditView.as_view(), name="resident_add"),
    path("lookup/", views.lookup, name="lookup"),
    path("<int:pk>/", views.ResidentDetailView.as_view(), name="resident_detail"),
    path("<int:pk>/edit/", views.ResidentEditView.as_view(), name="resident_edit"),
    path("reveal/<str:app_label>/<str:model_name>/<str:pk>/<str:field>/", views.reveal, name="reveal"),
]
