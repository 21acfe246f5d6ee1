app_name = "receptions"

urlpatterns = []
