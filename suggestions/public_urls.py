app_name = "concern"

urlpatterns = []
