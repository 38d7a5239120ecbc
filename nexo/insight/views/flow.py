urlpatterns = []


def document_panel(request, model_label, document):
    return None
