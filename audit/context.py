"""The request facts an audit record needs, reachable from services without a request."""

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("audit_current_ip", default=None)
