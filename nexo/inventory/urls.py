from django.urls import path

from nexo.inventory.pickers import location_search
from nexo.inventory.views import count, moves, stock, stock_accounting, warehouses

app_name = "inventory"
urlpatterns = [
    path("", stock.stock_levels, name="stock_levels"),
    path("valuation/", stock.valuation, name="valuation"),
    path("stock-accounting/", stock_accounting.stock_accounting, name="stock_accounting"),
    path("moves/", moves.move_list, name="move_list"),
    path("moves/new/", moves.move_create, name="move_create"),
    path("moves/<id:move_id>/", moves.move_view, name="move_view"),
    path("moves/<id:move_id>/done/", moves.move_post, name="move_done"),  # posts it: the move becomes done
    path("moves/<id:move_id>/cancel/", moves.move_cancel, name="move_cancel"),
    path("count/", count.stock_count, name="stock_count"),
    path("locations/search/", location_search, name="location_search"),
    path("warehouses/", warehouses.warehouse_list, name="warehouse_list"),
    path("warehouses/new/", warehouses.warehouse_create, name="warehouse_create"),
    path("warehouses/<id:warehouse_id>/", warehouses.warehouse_view, name="warehouse_view"),
    path("warehouses/<id:warehouse_id>/edit/", warehouses.warehouse_edit, name="warehouse_edit"),
    path("warehouses/<id:warehouse_id>/locations/", warehouses.location_add, name="location_add"),
    path("locations/<id:location_id>/edit/", warehouses.location_edit, name="location_edit"),
    path("locations/<id:location_id>/active/", warehouses.location_toggle, name="location_toggle"),
    path("settings/", warehouses.settings, name="settings"),
]
