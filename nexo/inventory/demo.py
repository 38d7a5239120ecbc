"""Demo warehouses: the central warehouse with two shelves and a branch in Alicante; stock never negative.

The year of stock itself (receipts, deliveries, transfers, a count) comes with the purchasing demo, which
plays it through the inventory services once there are suppliers and orders to bring the goods in.
"""

from django.db import transaction

from nexo.core.models import Company, User
from nexo.inventory import services
from nexo.inventory.models import Location, Warehouse

BRANCH_CODE, BRANCH_NAME = "ALC", "Alicante"
SHELVES = ("Estantería A", "Estantería B")


def demo_branch(company: Company) -> Warehouse | None:
    return Warehouse.objects.filter(company=company, code=BRANCH_CODE).first()


def demo_shelves(company: Company) -> list[Location]:
    """The shelves of the main warehouse, in the order of SHELVES (those that exist)."""
    main_id = services.settings_of(company).default_warehouse_id
    found = {
        location.name: location
        for location in Location.objects.filter(company=company, warehouse_id=main_id, name__in=SHELVES)
    }
    return [found[name] for name in SHELVES if name in found]


@transaction.atomic
def load_demo_inventory(company: Company, users: dict[str, User]) -> str:
    """Create the branch and the shelves unless the branch exists; returns a summary."""
    if demo_branch(company) is not None:
        return ""
    by = users["almacen"]
    settings = services.inventory_settings_update(company=company, by=by, allow_negative_stock=False)
    main = settings.default_warehouse
    for name in SHELVES:
        services.location_create(company=company, by=by, warehouse_id=main.pk, name=name)
    branch = services.warehouse_create(company=company, by=by, code=BRANCH_CODE, name=BRANCH_NAME)
    return f"2 warehouses ({main}, with {' and '.join(SHELVES)}; {branch}); negative stock not allowed"
