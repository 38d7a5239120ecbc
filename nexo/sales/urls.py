from django.urls import path

from nexo.sales.views import deliveries, editor, order_create, orders, quotations, settings

app_name = "sales"
quotation = "quotations/<id:quotation_id>"
delivery = "deliveries/<id:delivery_id>"
urlpatterns = [
    path("", quotations.quotation_list, name="quotation_list"),
    path("quotations/new/", quotations.quotation_create, name="quotation_create"),
    path("quotations/item-options/", editor.item_options, name="item_options"),
    path(f"{quotation}/", quotations.quotation_view, name="quotation_view"),
    path(f"{quotation}/header/", editor.quotation_header, name="quotation_header"),
    path(f"{quotation}/lines/", editor.line_add, name="line_add"),
    path(f"{quotation}/lines/<id:line_id>/", editor.line_update, name="line_update"),
    path(f"{quotation}/lines/<id:line_id>/delete/", editor.line_delete, name="line_delete"),
    path(f"{quotation}/comparison/", editor.cost_bases, name="comparison"),
    path(f"{quotation}/pdf/", quotations.quotation_pdf, name="quotation_pdf"),
    path(f"{quotation}/credit/", quotations.quotation_credit, name="quotation_credit"),
    path(f"{quotation}/send/", quotations.quotation_send, name="quotation_send"),
    path(f"{quotation}/send-again/", quotations.quotation_resend, name="quotation_resend"),
    path(f"{quotation}/mark-sent/", quotations.quotation_mark_sent, name="quotation_mark_sent"),
    path(f"{quotation}/accept/", quotations.quotation_accept, name="quotation_accept"),
    path(f"{quotation}/approve/", quotations.quotation_approve, name="quotation_approve"),
    path(f"{quotation}/refuse-approval/", quotations.quotation_refuse_approval, name="quotation_refuse_approval"),
    path(f"{quotation}/reject/", quotations.quotation_reject, name="quotation_reject"),
    path(f"{quotation}/revise/", quotations.quotation_revise, name="quotation_revise"),
    path(f"{quotation}/cancel/", quotations.quotation_cancel, name="quotation_cancel"),
    path(f"{quotation}/compare/", quotations.quotation_compare, name="quotation_compare"),
    path("settings/", settings.sales_settings, name="settings"),
    path("settings/email/<str:language>/", settings.email_template, name="email_template"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/new/", order_create.order_create, name="order_create"),
    path("orders/<id:order_id>/", orders.order_view, name="order_view"),
    path("orders/<id:order_id>/buy-shortages/", orders.order_buy_shortages, name="order_buy_shortages"),
    path("orders/<id:order_id>/cancel-remaining/", orders.order_cancel_remaining, name="order_cancel_remaining"),
    path("deliveries/", deliveries.delivery_list, name="delivery_list"),
    path(f"{delivery}/", deliveries.delivery_view, name="delivery_view"),
    path(f"{delivery}/validate/", deliveries.delivery_validate, name="delivery_validate"),
    path(f"{delivery}/return/", deliveries.delivery_return, name="delivery_return"),
    path(f"{delivery}/picking/", deliveries.picking_list, name="delivery_picking"),
    path(f"{delivery}/pdf/", deliveries.delivery_pdf, name="delivery_pdf"),
]
