"""The demo's collections and payments (filled in by its own change)."""


def load_demo_payments(company, users):
    return None
