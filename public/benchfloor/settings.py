"""Settings of the floor site: the portal's, with a one-view URLconf."""

from congress_portal.settings import *  # noqa: F403

ROOT_URLCONF = "public.benchfloor.urls"
