"""The installed business modules, lowest layer first: the one list that feeds the settings
(INSTALLED_APPS), the page URLs and the API router. Adding a module is one line here plus its folder
(docs/how-to.md, "Add a module")."""

MODULES = [
    "nexo.core",
    "nexo.parties",
    "nexo.catalog",
    "nexo.accounting",
    "nexo.crm",
    "nexo.inventory",
    "nexo.purchasing",
    "nexo.sales",
    "nexo.invoicing",
    "nexo.payments",
    "nexo.compliance",
    "nexo.insight",
]
