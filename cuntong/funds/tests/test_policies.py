"""One policy per action: verifying the ledger is allowed and refused alike on the page and in the API — county
finance may, a township-scoped finance member may not, and without a programme both answer 404 saying so."""

import pytest

from cuntong.funds import policies
from cuntong.web.testing import HONGYANG, login, make_user

from .factories import contract

PAGE = "/funds/ledger/verify/"
API = "/api/v1/funds/ledger/verify/"


def _answers(user) -> tuple[int, int]:
    client = login(user)
    return client.post(PAGE).status_code, client.get(API).status_code


@pytest.fixture
def chain(cast):
    contract(cast.office, number=1)


def test_county_finance_may_verify_on_the_page_and_in_the_api(cast, chain):
    assert policies.may_read_ledger(cast.finance)
    assert _answers(cast.finance) == (302, 200)


def test_a_township_finance_member_is_refused_on_both(cast, chain):
    township_finance = make_user("finance-hongyang", "finance", HONGYANG)
    assert not policies.may_read_ledger(township_finance)
    assert _answers(township_finance) == (403, 403)
    assert login(township_finance).get("/api/v1/funds/ledger/head/").status_code == 403


def test_without_a_programme_both_answer_404_saying_so(cast, chain, monkeypatch):
    monkeypatch.setattr("cuntong.programme.middleware.current_programme", lambda request: None)
    client = login(cast.finance)
    page, api = client.post(PAGE), client.get(API)
    assert (page.status_code, api.status_code) == (404, 404)
    assert "尚未分配到任何示范项目" in api.json()["detail"]
    assert client.get("/api/v1/funds/ledger/head/").status_code == 404


def test_the_api_verifies_the_programme_it_is_asked_for(cast, chain):
    client = login(cast.finance)
    assert client.get(API, {"programme": "puning-2019"}).json()["ok"] is True
    assert client.get(API, {"programme": "no-such"}).status_code == 404
