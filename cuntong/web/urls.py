from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("import/<slug:name>/", views.ImportView.as_view(), name="import"),
    path("panel/<str:label>/<int:pk>/<slug:panel>/", views.panel_content, name="panel"),
]
