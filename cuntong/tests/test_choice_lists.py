"""Choice lists hold the current programme's records only, narrowed once in the shared bases (core.forms).

A province-level reader (a membership whose area is the province, 44) may view every county's programme; its
filter and edit forms must still offer only the current programme's townships, villages, stations and people, and a
list too long for a select searches instead (``AutocompleteSelect`` and the ``web:choices`` endpoint).
"""

import re

import pytest
from django.urls import reverse

from bench.province import build_province
from cuntong.core import forms as core_forms
from cuntong.core.forms import AutocompleteSelect, ScopedFilterSet, ScopedModelForm, narrow_choices
from cuntong.core.scoping import RestrictedQuerySet
from cuntong.geo.models import Area
from cuntong.programme.middleware import SESSION_KEY
from cuntong.programme.models import Programme
from cuntong.stations.models import Station
from cuntong.web.testing import login, make_user

pytestmark = pytest.mark.usefixtures("base_data")


@pytest.fixture
def province():
    """Three generated Guangdong programmes beside Puning's, reports for two months."""
    return build_province(counties=3, villages_per_township=2, stations_per_township=2, report_months=2)


@pytest.fixture
def provincial():
    return make_user("provincial", "office", "44")


def _choose(client, programme):
    session = client.session
    session[SESSION_KEY] = programme.pk
    session.save()


def _options(html: str, name: str) -> list[str]:
    """The option values of the select ``name`` (the empty option left out)."""
    match = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert match, f"no select {name}"
    return [value for value in re.findall(r'<option value="([^"]*)"', match.group(0)) if value]


def test_the_generator_builds_marked_programmes(province):
    assert len(province.programmes) == 3
    assert province.stations > 0 and province.reports == 2 * province.stations
    programmes = Programme.objects.filter(code__in=province.programmes)
    assert all(p.name.endswith("（生成）") for p in programmes)
    assert not Station.objects.filter(programme__in=programmes, is_generated=False).exists()
    assert not Area.objects.filter(level="village", stations__programme__in=programmes, is_generated=False).exists()
    again = build_province(counties=3, villages_per_township=2, stations_per_township=2, report_months=2)
    assert (again.stations, again.reports, again.villages) == (province.stations, province.reports, province.villages)


def test_report_filters_hold_only_the_current_programme(province, provincial, django_assert_max_num_queries):
    programme = Programme.objects.get(code=province.programmes[1])
    client = login(provincial)
    _choose(client, programme)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("stations:report_list"))
    assert response.status_code == 200
    html = response.content.decode()
    townships = set(
        Area.objects.filter(level="township", code__startswith=programme.county.code).values_list("pk", flat=True)
    )
    offered = {int(pk) for pk in _options(html, "township")}
    assert offered == townships
    stations = {int(pk) for pk in _options(html, "station")}
    assert stations == set(Station.objects.filter(programme=programme).values_list("pk", flat=True))
    rows = response.context["page_obj"].object_list
    assert rows and all(report.station.programme_id == programme.pk for report in rows)


def test_station_filter_and_edit_form_are_narrowed(province, provincial):
    programme = Programme.objects.get(code=province.programmes[0])
    client = login(provincial)
    _choose(client, programme)
    html = client.get(reverse("stations:station_list")).content.decode()
    assert {int(pk) for pk in _options(html, "township")} == set(
        Area.objects.filter(level="township", code__startswith=programme.county.code).values_list("pk", flat=True)
    )
    edit = client.get(reverse("stations:station_add")).content.decode()
    areas = {int(pk) for pk in _options(edit, "area")}
    assert areas and all(
        code.startswith(programme.county.code)
        for code in Area.objects.filter(pk__in=areas).values_list("code", flat=True)
    )


def test_a_long_list_searches_instead(province, provincial, monkeypatch):
    monkeypatch.setattr(AutocompleteSelect, "list_limit", 3)
    programme = Programme.objects.get(code=province.programmes[0])
    stations = list(Station.objects.filter(programme=programme).order_by("code"))
    assert len(stations) > 3
    client = login(provincial)
    _choose(client, programme)
    url = reverse("stations:report_list")
    html = client.get(url).content.decode()
    assert _options(html, "station") == []  # nothing listed until searched
    assert 'name="station_q"' in html and "hx-get=" in html
    # Without JavaScript: the search text comes back with the matches in the select.
    wanted = stations[2]
    html = client.get(url, {"station_q": wanted.code}).content.decode()
    assert _options(html, "station") == [str(wanted.pk)]
    # With htmx: the endpoint answers options of the same field, for the same programme.
    source = "cuntong.stations.filters.ReportFilter"
    endpoint = reverse("web:choices", args=[source, "station"])
    answer = client.get(endpoint, {"name": "station", "station_q": wanted.name[:4], "station": str(stations[0].pk)})
    assert answer.status_code == 200
    values = re.findall(r'<option value="([^"]*)"', answer.content.decode())
    assert values[:2] == ["", str(stations[0].pk)]
    assert str(wanted.pk) in values
    other = Station.objects.exclude(programme=programme).filter(name=wanted.name).first()
    assert other is None or str(other.pk) not in values
    # A chosen station of another programme is not a choice.
    foreign = Station.objects.exclude(programme=programme).first()
    answer = client.get(endpoint, {"name": "station", "station_q": "", "station": str(foreign.pk)})
    assert re.findall(r'<option value="([^"]*)"', answer.content.decode()) == [""]


def test_the_choices_endpoint_refuses(province, provincial):
    source = "cuntong.stations.filters.ReportFilter"
    nobody = login(make_user("nobody", None))
    assert nobody.get(reverse("web:choices", args=[source, "station"]), {"station_q": "x"}).status_code == 403
    client = login(provincial)
    assert client.get(reverse("web:choices", args=["cuntong.settings", "station"])).status_code == 404
    assert client.get(reverse("web:choices", args=[source, "month"])).status_code == 404


def test_the_switcher_lists_every_programme(province, provincial):
    extra = build_province(counties=12, villages_per_township=0, stations_per_township=0)
    client = login(provincial)
    response = client.get(reverse("programme:switcher"))
    html = response.content.decode()
    for code in extra.programmes:
        assert f'value="{code}"' in html
    assert html.count('name="programme" value="gd-') == len(extra.programmes) + 8  # the list, and the menu's first 8
    wanted = Programme.objects.get(code=extra.programmes[11])
    found = client.get(reverse("programme:switcher"), {"q": wanted.county.name}, HTTP_HX_REQUEST="true")
    assert found.content.decode().count('name="programme" value=') == 1  # only the matching row, as htmx asks
    assert f'value="{wanted.code}"' in found.content.decode()


def _walk(base):
    for cls in list(base.__subclasses__()):
        yield cls
        yield from _walk(cls)


def _instances(provincial, programme, rf):
    request = rf.get("/")
    request.user = provincial
    request.programme = programme
    for key, cls in sorted(core_forms._SOURCES.items()):
        if cls._meta.model is None:
            continue
        try:
            form = cls.for_choices(request)
        except TypeError:  # a form built with more than the user and programme checks its choices itself
            continue
        yield key, form


def test_every_scoped_choice_list_is_narrowed_to_the_programme(province, provincial, rf):
    """Meta-test: every registered filter set and scoped form (each app's, found by walking the base classes)
    offers only records of the current programme in each model choice of a scoped model."""
    import cuntong.urls  # noqa: F401  (every app's views, forms and filters)

    registered = set(core_forms._SOURCES.values())
    assert set(_walk(ScopedFilterSet)) | set(_walk(ScopedModelForm)) <= registered
    programme = Programme.objects.get(code=province.programmes[0])
    checked = 0
    for key, form in _instances(provincial, programme, rf):
        for name, field in form.fields.items():
            queryset = getattr(field, "queryset", None)
            if not isinstance(queryset, RestrictedQuerySet):
                continue
            model = queryset.model
            condition = core_forms.programme_condition(model, programme)
            if condition is None:
                continue
            everywhere = model.objects.restrict(provincial, "view")
            outside = everywhere.exclude(pk__in=everywhere.filter(condition).values("pk"))
            assert not queryset.filter(pk__in=outside.values("pk")).exists(), f"{key}.{name} offers other programmes"
            checked += 1
    assert checked >= 5


def test_narrow_choices_leaves_plain_querysets_alone(provincial):
    from cuntong.accounts.models import Role

    roles = Role.objects.all()
    assert narrow_choices(roles, provincial, None) is roles
