from django.db import models


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may see."""

    def visible_to(self, user, *, for_write: bool = False):
        from .scope import restrict

        return restrict(self, user, for_write=for_write)
