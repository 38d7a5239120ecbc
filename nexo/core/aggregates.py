"""Aggregates of money columns."""

from decimal import Decimal

from django.db.models import DecimalField, Sum

from nexo.core.rules import round_money


class MoneySum(Sum):
    """SUM of a money column, to the cent. SQLite sums decimal columns as floats (112256.08 comes back as
    112256.079999999), and Django quantizes only plain columns, not aggregates: every sum of amounts a
    report shows or a service posts goes through this."""

    output_field = DecimalField(max_digits=20, decimal_places=2)

    def get_db_converters(self, connection):
        return [*super().get_db_converters(connection), _to_cents]


def _to_cents(value, expression, connection):
    return None if value is None else round_money(Decimal(value))
