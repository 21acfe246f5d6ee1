app_name = "calendars"

urlpatterns = []
