"""Rule messages name another township's station only as "其他乡镇的站点" with the distance (issue 10.3)."""

import pytest

from cuntong.stations import rules, services, spatial
from cuntong.web.testing import HONGYANG, NANXI, login, make_user

from .factories import make_station


def _neighbours():
    nanxi = make_station(f"{NANXI}201", name="南溪机密服务点")
    lat, lng = spatial.offset(float(nanxi.latitude), float(nanxi.longitude), 90, 1500)
    own = make_station(f"{HONGYANG}201", status=rules.PROPOSED, at=(lat, lng), name="洪阳新点")
    return nanxi, own


def test_township_sees_another_townships_station_unnamed(base_data):
    nanxi, own = _neighbours()
    client = login(make_user("hongyang", "township", HONGYANG))
    [violation] = client.get(f"/api/v1/stations/{own.pk}/rule-check/").json()["violations"]
    assert "其他乡镇的站点" in violation["message"] and "1,500.0 米" in violation["message"]
    text = str(violation)
    assert nanxi.name not in text and nanxi.code not in text and nanxi.pk not in violation["stations"]
    page = client.get(f"/stations/{own.pk}/").content.decode()
    assert "其他乡镇的站点" in page and nanxi.name not in page


def test_the_office_sees_both_and_the_refusal_names_nothing_hidden(base_data):
    nanxi, own = _neighbours()
    office = login(make_user("office", "office"))
    [violation] = office.get(f"/api/v1/stations/{own.pk}/rule-check/").json()["violations"]
    assert nanxi.name in violation["message"]
    hongyang = make_user("hongyang", "township", HONGYANG)
    with pytest.raises(services.RulesBroken) as refused:
        services.transition(own, rules.APPROVED, user=services.SYSTEM)
    assert nanxi.name in refused.value.messages[0]
    details = services.violations_for(services.rule_check_for(own), hongyang, own=[own.pk])
    assert details[0]["labels"] == ["洪阳新点", "其他乡镇的站点"] and details[0]["stations"] == [own.pk, None]
