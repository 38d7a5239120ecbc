"""supplier_invoices API."""

from nexo.core.api import Endpoints

endpoints = Endpoints()
