from django.urls import path, register_converter

from nexo.parties import views
from nexo.parties.converters import ChildKindConverter
from nexo.parties.pickers import party_search_options

register_converter(ChildKindConverter, "kind")

app_name = "parties"
kinds = "<kind:kind>"
urlpatterns = [
    path("", views.party_list, name="party_list"),
    path("new/", views.party_create, name="party_create"),
    path("search/", party_search_options, name="party_search"),
    path("<id:party_id>/", views.party_view, name="party_view"),
    path("<id:party_id>/edit/", views.party_edit, name="party_edit"),
    path(f"<id:party_id>/{kinds}/", views.child_section, name="child_section"),
    path(f"<id:party_id>/{kinds}/new/", views.child_add, name="child_add"),
    path(f"<id:party_id>/{kinds}/<id:child_id>/edit/", views.child_edit, name="child_edit"),
    path(f"<id:party_id>/{kinds}/<id:child_id>/delete/", views.child_delete, name="child_delete"),
]
