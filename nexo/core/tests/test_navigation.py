"""The navigation: the modules' entries grouped by business area, only what the role may open."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from nexo.core import context_processors
from nexo.core.modules import NAVIGATION_GROUPS, NavigationEntry, nexo_modules


def _navigation(user, path="/"):
    request = RequestFactory().get(path)
    request.user = user
    return context_processors.navigation_for(request)


def _labels(navigation):
    with translation.override("en"):
        return {
            str(group["label"]): [str(entry["label"]) for entry in group["entries"]] for group in navigation
        }


def test_every_declared_entry_names_a_declared_group():
    groups = {key for key, _label in NAVIGATION_GROUPS}
    for module in nexo_modules():
        for declared in module.navigation:
            assert NavigationEntry(*declared).group in groups, (module.label, declared)


def test_groups_follow_the_declared_order_and_empty_ones_are_left_out(manager_user):
    navigation = _navigation(manager_user)
    assert [group["key"] for group in navigation] == [
        "home", "sales", "purchasing", "inventory", "catalog", "parties", "invoicing", "accounting", "collections",
        "reports",
    ]  # fmt: skip
    labels = _labels(navigation)
    assert labels["Sales"] == ["Pipeline", "Activities", "Forecast", "Quotations", "Sales orders"]
    assert "Purchase orders" in labels["Purchasing"] and "Stock valuation" in labels["Inventory"]
    assert labels["Accounting"][:2] == ["Journal entries", "Chart of accounts"]
    assert labels["Reports"] == [
        "Trial balance", "General ledger", "Journal", "Profit and loss", "Balance sheet", "VAT summary", "VAT books",
        "Receivables aging", "Sales dashboard", "Margin dashboard", "Purchasing and stock dashboard",
        "Finance dashboard",
    ]  # fmt: skip
    assert labels["Collections"][:3] == ["Due amounts", "Record payment", "Payments"]


def test_a_role_sees_only_the_entries_it_may_open(warehouse_user, sales_user):
    warehouse = _labels(_navigation(warehouse_user))
    assert warehouse["Sales"] == ["Sales orders"]
    assert "Delivery notes" in warehouse["Inventory"]
    assert "Invoices" not in warehouse.get("Invoicing", [])
    assert "Stock count" in warehouse["Inventory"]
    sales = _labels(_navigation(sales_user))
    assert "Pipeline" in sales["Sales"] and "Stock count" not in sales.get("Inventory", [])
    assert sales.get("Purchasing") == ["Supplier prices"]
    assert sales["Reports"][-2:] == ["Sales dashboard", "Margin dashboard"]
    assert "Finance dashboard" not in sales["Reports"]
    assert warehouse["Reports"] == ["Purchasing and stock dashboard"]


def test_the_current_page_and_its_group_are_marked(manager_user):
    navigation = _navigation(manager_user, "/inventory/valuation/")
    current = [
        (group["key"], entry["url"]) for group in navigation for entry in group["entries"] if entry["current"]
    ]
    assert current == [("inventory", "/inventory/valuation/")]
    assert [group["key"] for group in navigation if group["current"]] == ["inventory"]
    assert not any(
        entry["current"] for group in _navigation(manager_user, "/nowhere/") for entry in group["entries"]
    )


def test_an_entry_in_an_undeclared_group_is_refused(manager_user, monkeypatch):
    module = next(iter(nexo_modules()))
    monkeypatch.setattr(module, "navigation", [NavigationEntry("gardening", "Roses", "home")])
    with pytest.raises(ValueError, match="gardening"):
        _navigation(manager_user)


def test_the_shell_marks_the_current_page_for_screen_readers(manager_user, client):
    client.force_login(manager_user)
    html = client.get("/crm/forecast/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<a href="/crm/forecast/" aria-current="page">Forecast</a>' in html
    assert 'aria-controls="nav-sales" data-disclosure="group">Sales' in html
    assert 'aria-expanded="false" aria-controls="shell-menu"' in html
