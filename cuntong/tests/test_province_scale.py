"""A province on PostgreSQL: 124 generated programmes (bench/province.py) and a province-level reader.

The report list renders for a member whose area is the province (44) with choice lists of the current programme
only, in a pinned number of queries and under 200 KB; the report and station lists' queries, as the views build
them, use an index on their big table, not a sequential scan, once the planner has statistics (ANALYZE).
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.province import analyse, build_province
from cuntong.geo.models import Area
from cuntong.programme.middleware import SESSION_KEY
from cuntong.programme.models import Programme
from cuntong.stations.models import Station
from cuntong.web.testing import login, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("base_data")]

MOST_BYTES = 200 * 1024


@pytest.fixture
def province():
    summary = build_province(counties=124, villages_per_township=2, stations_per_township=2, report_months=6)
    analyse()
    return summary


@pytest.fixture
def reader(province):
    """A province-level member (the office's role, area 44) working in one generated programme."""
    client = login(make_user("provincial", "office", province.province_code))
    programme = Programme.objects.get(code=province.programmes[60])
    session = client.session
    session[SESSION_KEY] = programme.pk
    session.save()
    return client, programme


def _values(html: str, name: str) -> set[int]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select, name
    return {int(value) for value in re.findall(r'<option value="(\d+)"', select.group(0))}


def test_report_list_for_a_province_reader(province, reader, django_assert_max_num_queries):
    client, programme = reader
    assert len(province.programmes) == 124 and province.reports > 20_000
    with django_assert_max_num_queries(13):
        response = client.get(reverse("stations:report_list"))
    assert response.status_code == 200
    assert len(response.content) < MOST_BYTES, len(response.content)
    html = response.content.decode()
    county = programme.county.code
    assert _values(html, "township") == set(
        Area.objects.filter(level="township", code__startswith=county).values_list("pk", flat=True)
    )
    assert _values(html, "station") <= set(Station.objects.filter(programme=programme).values_list("pk", flat=True))
    switcher = client.get(reverse("programme:switcher")).content.decode()
    assert switcher.count('name="programme" value="gd-') >= 124


def _plans(client, url: str, table: str) -> list[str]:
    """EXPLAIN of every query the page ran that reads ``table``."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if f'FROM "{table}"' not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN {sql}")
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert plans, f"no query read {table}"
    return plans


@pytest.mark.parametrize(
    ("url_name", "table"),
    [("stations:report_list", "stations_monthlyreport"), ("stations:station_list", "stations_station")],
)
def test_list_queries_use_an_index(province, reader, url_name, table):
    client, _programme = reader
    for plan in _plans(client, reverse(url_name), table):
        assert f"Seq Scan on {table}" not in plan, plan
        assert "Index" in plan, plan
