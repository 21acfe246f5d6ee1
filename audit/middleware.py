from core.net import client_ip

from .context import current_ip


class AuditContextMiddleware:
    """Remembers the client IP for the audit records written during this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
