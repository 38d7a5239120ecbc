"""CRM API: /opportunities (with move, win, lose, reopen), /stages, /activities, /leads, /forecast."""

from ninja import Router

router = Router(tags=["crm"])
