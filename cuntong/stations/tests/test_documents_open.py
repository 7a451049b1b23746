"""The station list's XLSX export opens in LibreOffice with its importer-compatible headers and masked phones."""

from cuntong.web.testing import login, make_user

from .test_pages import network  # noqa: F401 (fixture)


def test_the_station_export_opens_in_libreoffice(network, libreoffice):  # noqa: F811
    office = login(make_user("office-user", "office"))
    [rows] = libreoffice(office.get("/stations/", {"export": "xlsx"}).content).values()
    assert rows[0][:4] == ["站点编号", "站点名称", "层级", "服务区域代码"]
    assert {row[1] for row in rows[1:]} == {station.name for station in network}
