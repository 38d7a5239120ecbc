"""Insight keeps no data of its own: it reads the other modules. Its one model holds no rows (no table);
it exists to declare who may open each dashboard, as permissions the roles are given."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dashboard(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_sales_dashboard", _("Can view the sales dashboard")),
            ("view_margin_dashboard", _("Can view the margin dashboard")),
            ("view_stock_dashboard", _("Can view the purchasing and stock dashboard")),
            ("view_finance_dashboard", _("Can view the finance dashboard")),
        ]
