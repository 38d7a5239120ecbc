"""Demo purchasing and a year of stock: exchange rates, supplier prices, buying settings and twelve months of
purchase orders received at drifting costs, interleaved with customer deliveries, branch transfers and
stock counts, so that FIFO, average and last purchase cost the same item differently today.

The year is planned without the database from a fixed seed (`plan_year`): a weekly review per supplier
orders what fell under its reorder point, goods arrive after the supplier's lead time (some in two
receipts), customers take at most what is on hand. Then it is played through the services in date
order. Only the dates move with today; everything else is the same every time.
"""

from nexo.purchasing.demo.items import DemoItem
from nexo.purchasing.demo.loader import demo_items, demo_plan, load_demo_purchasing
from nexo.purchasing.demo.plan import YearPlan, plan_year
from nexo.purchasing.demo.year import STOCK_UP_ITEMS, STOCK_UP_METHODS

__all__ = [
    "STOCK_UP_ITEMS", "STOCK_UP_METHODS", "DemoItem", "YearPlan", "demo_items", "demo_plan",
    "load_demo_purchasing", "plan_year",
]  # fmt: skip
