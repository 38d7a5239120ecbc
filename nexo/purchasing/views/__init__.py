"""Purchasing pages: purchase orders and their receipts, suggestions, supplier prices, exchange rates and an
item's buying settings; the panels the item and party pages show."""
