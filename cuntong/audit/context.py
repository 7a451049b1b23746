"""Who is acting right now: set per request by the middleware, per command or task by ``acting_as``."""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    explicit_user: object = None
    request: object = None
    address: str | None = None
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    via: str = "system"

    @property
    def user(self):
        """Read late: API token authentication sets request.user after the middleware ran."""
        if self.explicit_user is not None:
            return self.explicit_user
        user = getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None


_current: ContextVar[Actor | None] = ContextVar("cuntong_actor", default=None)


def current_actor() -> Actor:
    return _current.get() or Actor()


@contextmanager
def acting_as(user=None, *, request=None, address: str | None = None, via: str = "command"):
    token = _current.set(Actor(explicit_user=user, request=request, address=address, via=via))
    try:
        yield _current.get()
    finally:
        _current.reset(token)
