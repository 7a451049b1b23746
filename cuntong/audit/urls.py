from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("history/<str:app_label>/<str:model_name>/<str:pk>/", views.object_history, name="object_history"),
]
