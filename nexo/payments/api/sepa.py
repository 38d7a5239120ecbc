"""/payments: sepa (filled in by its own change)."""

from nexo.core.api import Endpoints

endpoints = Endpoints()
