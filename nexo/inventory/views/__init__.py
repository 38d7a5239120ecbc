"""Inventory pages: stock levels, moves (new, post, cancel), the stock count, the valuation report,
warehouses with their locations and the company's stock settings."""
