import io

from django.core.management import call_command

from nexo.core.models import Company, User
from nexo.parties.models import Party
from nexo.parties.rules import normalize_tax_id


def test_demo_is_believable_deterministic_and_idempotent(roles):
    call_command("demo", stdout=io.StringIO())
    company = Company.objects.get(tax_id="B46123451")
    parties = Party.objects.filter(company=company)
    assert parties.count() >= 60
    assert parties.filter(status="lead").count() >= 20
    assert parties.filter(status="customer").count() >= 20
    assert parties.filter(is_supplier=True).count() >= 10
    for party in parties.prefetch_related("addresses"):
        assert normalize_tax_id(party.tax_id, party.country) == party.tax_id
        assert party.addresses.all()
    roles_of = {user.username: user.groups.get().name for user in User.objects.all()}
    assert set(roles_of.values()) == {"admin", "manager", "sales", "purchasing", "warehouse", "accounting"}
    snapshot = sorted(parties.values_list("name", "tax_id"))
    call_command("demo", stdout=io.StringIO())
    assert sorted(Party.objects.filter(company=company).values_list("name", "tax_id")) == snapshot
