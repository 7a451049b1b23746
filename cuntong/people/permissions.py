"""Who reads the roster. ``people`` is a privileged app (accounts/roles.py): a wildcard such as the business
readers' ``*.view_*`` never reaches it, so only the roles named here see registered-poor people at all."""

ROLE_PERMISSIONS = {
    "poverty_office": ["people.*"],  # imports and maintains the roster; may reveal, with a logged reason
    "office": ["people.view_resident"],
    "township": ["people.view_resident"],  # their township's roster, for poverty training
    "evaluator": ["people.view_resident"],
}
