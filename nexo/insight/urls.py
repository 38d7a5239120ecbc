from nexo.insight.views import dashboards, flow, party360, search

app_name = "insight"
urlpatterns = [
    *flow.urlpatterns,
    *party360.urlpatterns,
    *dashboards.urlpatterns,
    *search.urlpatterns,
]
