from django.db import models


class PageGeneration(models.Model):
    """One row: the generation of the citizens' pages kept per process (public/cache.py).

    Not region data: a value every change to what public pages show replaces, read
    with each public page's own row in the same query.
    """

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "public page generation"

    def __str__(self) -> str:
        return str(self.value)
