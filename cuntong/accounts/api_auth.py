"""API token authentication: ``Authorization: Token <key>``; the key is matched by its SHA-256."""

import hashlib
import secrets

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from cuntong.audit.services import log_event

from .models import ApiToken


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(user, name: str, expires_at=None) -> tuple[ApiToken, str]:
    """Create a token; the plaintext key is returned once and never stored. Logged as a security event."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:8], key_hash=hash_key(key), expires_at=expires_at)
    log_event("api_token", user=user, obj=token, step="issued", expires_at=expires_at.isoformat() if expires_at else "")
    return token, key


def revoke_token(token: ApiToken) -> None:
    """Stop a token working at once; the row stays so its history (created, last used) can still be read."""
    if token.is_active:
        ApiToken.objects.filter(pk=token.pk).update(is_active=False)
        token.is_active = False
        log_event("api_token", user=token.user, obj=token, step="revoked")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确：应为 “Token <密钥>”。"))
        key = header[1].decode(errors="replace")
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key), is_active=True).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("令牌无效或已停用。"))
        if token.expires_at and token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("令牌已过期。"))
        if token.last_used_at is None or (timezone.now() - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
