from django.urls import include, path

from nexo.catalog.pickers import item_search
from nexo.catalog.views import categories, items, price_check, price_lists

app_name = "catalog"
lists = "price-lists/<id:price_list_id>"
urlpatterns = [
    path("", items.item_list, name="item_list"),
    path("items/new/", items.item_create, name="item_create"),
    path("items/search/", item_search, name="item_search"),
    path("items/<id:item_id>/", items.item_view, name="item_view"),
    path("items/<id:item_id>/edit/", items.item_edit, name="item_edit"),
    path("categories/", categories.category_list, name="category_list"),
    path("categories/<id:category_id>/edit/", categories.category_edit, name="category_edit"),
    path("price-lists/", price_lists.price_list_list, name="price_list_list"),
    path("price-lists/new/", price_lists.price_list_create, name="price_list_create"),
    path(f"{lists}/", price_lists.price_list_view, name="price_list_view"),
    path(f"{lists}/edit/", price_lists.price_list_edit, name="price_list_edit"),
    path(f"{lists}/default/", price_lists.price_list_make_default, name="price_list_make_default"),
    path(f"{lists}/rules/new/", price_lists.rule_add, name="rule_add"),
    path(f"{lists}/rules/<id:rule_id>/edit/", price_lists.rule_edit, name="rule_edit"),
    path(f"{lists}/rules/<id:rule_id>/delete/", price_lists.rule_delete, name="rule_delete"),
    path(f"{lists}/customers/", price_lists.customer_add, name="customer_add"),
    path(f"{lists}/customers/<id:party_id>/remove/", price_lists.customer_remove, name="customer_remove"),
    path("price-check/", price_check.price_check, name="price_check"),
    path("", include("nexo.catalog.urls_transfer")),
]
