from django.urls import path

from . import views

app_name = "attachments"
urlpatterns = [
    path("upload/<int:content_type_id>/<str:object_id>/", views.upload, name="upload"),
    path("<int:pk>/", views.download, name="download"),
    path("<int:pk>/thumbnail/", views.download, {"thumbnail": True}, name="thumbnail"),
]
