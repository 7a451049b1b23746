from django.utils.translation import gettext_lazy as _

from cuntong.web.views import Col, ObjectDetailView, ObjectListView

from .filters import AreaFilter
from .models import Area

AREA_COLUMNS = (
    Col("code", _("区划代码"), order_by="code"),
    Col("name", _("名称"), kind="link", order_by="name"),
    Col("kind", _("类型")),
    Col("parent.name", _("上级"), phone_hidden=True),
    Col("population", _("常住人口"), kind="number", order_by="population"),
    Col("poor_labour_count", _("有劳动能力贫困人口"), kind="number", phone_hidden=True),
    Col("is_provincial_poverty_village", _("省定贫困村"), kind="bool"),
    Col("is_generated", _("演示生成"), kind="bool", phone_hidden=True),
)


class AreaListView(ObjectListView):
    model = Area
    columns = AREA_COLUMNS
    filterset_class = AreaFilter
    import_name = "areas"

    def get_queryset(self):
        return super().get_queryset().current()

    def optimise(self, queryset):
        return queryset.select_related("parent")


class AreaDetailView(ObjectDetailView):
    model = Area
    template_name = "geo/area_detail.html"
    fields = (
        Col("code", _("区划代码")),
        Col("nbs_code", _("12位统计代码")),
        Col("level", _("层级")),
        Col("kind", _("类型")),
        Col("parent", _("上级")),
        Col("population", _("常住人口"), kind="number"),
        Col("poor_labour_count", _("有劳动能力建档立卡贫困人口"), kind="number"),
        Col("is_provincial_poverty_village", _("省定贫困村"), kind="bool"),
        Col("latitude", _("纬度")),
        Col("longitude", _("经度")),
        Col("valid_from", _("生效日期"), kind="date"),
        Col("valid_to", _("失效日期"), kind="date"),
        Col("successor", _("撤并后归入")),
        Col("is_generated", _("演示生成数据"), kind="bool"),
    )

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
