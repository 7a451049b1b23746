"""Every registered importer's page opens for a user who may import it (the template must not call the class)."""

from cuntong.core.importer import IMPORTERS
from cuntong.core.scoping import permission_name
from cuntong.web.testing import login, make_user

ROLES = ("office", "poverty_office", "sysadmin")  # between them, every model an importer writes


def test_every_import_page_answers_200(base_data):
    users = [make_user(f"importer-{role}", role) for role in ROLES]
    assert {"stations", "station-reports", "station-candidates"} <= set(IMPORTERS)
    for name, importer in sorted(IMPORTERS.items()):
        user = next((u for u in users if u.has_perm(permission_name(importer.model, "add"))), None)
        assert user is not None, f"no role may import {name}"
        response = login(user).get(f"/import/{name}/")
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode()
        assert str(importer.title) in html and importer.columns[0].headers[0] in html
