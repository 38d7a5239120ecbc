urlpatterns = []


def party_panel(request, party):
    return None
