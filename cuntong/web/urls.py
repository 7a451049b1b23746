from django.urls import path

from . import choices, views

app_name = "web"
urlpatterns = [
    path("import/<slug:name>/", views.ImportView.as_view(), name="import"),
    path("choices/<str:source>/<slug:field>/", choices.choices, name="choices"),
    path("panel/<str:label>/<int:pk>/<slug:panel>/", views.panel_content, name="panel"),
]
