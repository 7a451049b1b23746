from django.urls import path

from . import views

app_name = "geo"
urlpatterns = [
    path("", views.AreaListView.as_view(), name="area_list"),
    path("<int:pk>/", views.AreaDetailView.as_view(), name="area_detail"),
]
