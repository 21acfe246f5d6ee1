"""What other apps hear about a station.

`station_moved` is sent inside the transaction of `station_update` when a station's
region changes, so apps whose rows copy the station's region (receptions, the
reception schedule, activities) move them in the same transaction: a figure never
counts a station's history in a township it has left.
"""

from django.dispatch import Signal

# Sent with station=, old_region=, new_region=.
station_moved = Signal()
