from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("import/<slug:name>/", views.ImportView.as_view(), name="import"),
]
