from django.urls import path

from nexo.purchasing.views import orders, prices, receive, suggestions

app_name = "purchasing"
order = "orders/<id:order_id>"
urlpatterns = [
    path("", orders.order_list, name="order_list"),
    path("orders/new/", orders.order_create, name="order_create"),
    path("orders/item-options/", orders.item_options, name="item_options"),
    path(f"{order}/", orders.order_view, name="order_view"),
    path(f"{order}/edit/", orders.order_edit, name="order_edit"),
    path(f"{order}/confirm/", orders.order_confirm, name="order_confirm"),
    path(f"{order}/cancel/", orders.order_cancel, name="order_cancel"),
    path(f"{order}/pdf/", orders.order_pdf, name="order_pdf"),
    path(f"{order}/send/", orders.order_send, name="order_send"),
    path(f"{order}/receive/", receive.order_receive, name="order_receive"),
    path("receipts/<id:receipt_id>/", receive.receipt_view, name="receipt_view"),
    path("suggestions/", suggestions.suggestions, name="suggestions"),
    path("supplier-prices/", prices.supplier_price_list, name="supplier_price_list"),
    path("supplier-prices/new/", prices.supplier_price_create, name="supplier_price_create"),
    path(
        "supplier-prices/<id:supplier_price_id>/edit/", prices.supplier_price_edit, name="supplier_price_edit"
    ),
    path(
        "supplier-prices/<id:supplier_price_id>/delete/",
        prices.supplier_price_delete,
        name="supplier_price_delete",
    ),
    path("exchange-rates/", prices.exchange_rate_list, name="exchange_rate_list"),
    path("items/<id:item_id>/buying/", prices.item_purchasing_edit, name="item_purchasing_edit"),
]
