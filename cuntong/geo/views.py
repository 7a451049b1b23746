from cuntong.web.views import ObjectDetailView, ObjectListView

from .filters import AreaFilter
from .models import Area
from .tables import AREA_DETAIL, AreaTable


class AreaListView(ObjectListView):
    table = AreaTable
    filterset_class = AreaFilter
    import_name = "areas"

    def get_queryset(self):
        return super().get_queryset().current()


class AreaDetailView(ObjectDetailView):
    model = Area
    template_name = "geo/area_detail.html"
    fields = AREA_DETAIL

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        children = list(self.object.children.restrict(self.request.user, "view").current().order_by("code"))
        context["children"] = children
        context["map_data"] = area_map(self.object, children)
        return context


POVERTY_COLOUR, VILLAGE_COLOUR, SELF_COLOUR = "#dc3545", "#0d6efd", "#198754"


def area_map(area: Area, children: list[Area]) -> dict | None:
    """Leaflet data for an area and its subdivisions (WGS-84); None when nothing has a position."""
    placed = [a for a in [area, *children] if a.latitude is not None and a.longitude is not None]
    if not placed:
        return None
    markers = [
        {
            "lat": float(a.latitude),
            "lng": float(a.longitude),
            "label": a.name,
            "url": a.get_absolute_url(),
            "color": SELF_COLOUR
            if a == area
            else POVERTY_COLOUR
            if a.is_provincial_poverty_village
            else VILLAGE_COLOUR,
            "radius": 9 if a == area else 6,
            "detail": f"{a.population}" if a.population else "",
        }
        for a in placed
    ]
    centre = (sum(m["lat"] for m in markers) / len(markers), sum(m["lng"] for m in markers) / len(markers))
    return {"center": centre, "zoom": 12 if area.level == "township" else 10, "markers": markers}
