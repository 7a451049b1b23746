"""The office (``*.*``) reads the delivery log already; the system administrator, who keeps the channels working,
reads it too."""

ROLE_PERMISSIONS = {"sysadmin": ["notify.audit_delivery"]}
