app_name = "placards"

urlpatterns = []
