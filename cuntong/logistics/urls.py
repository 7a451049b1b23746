from django.urls import path

from . import views

app_name = "logistics"
urlpatterns = [
    path("volumes/", views.VolumeListView.as_view(), name="volume_list"),
    path("volumes/add/", views.VolumeEditView.as_view(), name="volume_add"),
    path("volumes/<int:pk>/", views.VolumeDetailView.as_view(), name="volume_detail"),
    path("volumes/<int:pk>/edit/", views.VolumeEditView.as_view(), name="volume_edit"),
    path("growth/", views.growth, name="growth"),
    path("parcels/", views.ParcelListView.as_view(), name="parcel_list"),
    path("parcels/<int:pk>/", views.ParcelDetailView.as_view(), name="parcel_detail"),
    path("hub/", views.hub, name="hub"),
    path("carriers/", views.carriers, name="carriers"),
    path("keeper/", views.keeper, name="keeper"),
    path("keeper/<int:pk>/return/", views.keeper_return, name="keeper_return"),
    path("outlets/", views.OutletListView.as_view(), name="outlet_list"),
    path("routes/", views.RouteListView.as_view(), name="route_list"),
    path("runs/", views.RunListView.as_view(), name="run_list"),
    path("fees/", views.FeeBandListView.as_view(), name="fee_list"),
    path("prices/", views.PriceListView.as_view(), name="price_list"),
    path("prices/add/", views.PriceEditView.as_view(), name="price_add"),
    path("prices/watch/", views.price_watch, name="price_watch"),
]
