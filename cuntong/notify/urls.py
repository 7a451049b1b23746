from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("read/", views.mark_read_view, name="read"),
    path("bell/", views.bell_view, name="bell"),
    path("preferences/", views.preferences_view, name="preferences"),
    path("deliveries/", views.DeliveryListView.as_view(), name="deliveries"),
]
