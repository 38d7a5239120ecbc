"""The demo company's users: one per role, shared by every module's demo data."""

from django.contrib.auth.models import Group
from django.db import transaction

from nexo.core.models import Company, Membership, User
from nexo.core.roles import ROLES
from nexo.core.services import company_create

DEMO_PASSWORD = "nexo-demo"
# (user name, first name, last name, role)
DEMO_USERS = [
    ("admin", "Ana", "Martínez", "admin"),
    ("gerente", "Javier", "Ortega", "manager"),
    ("ventas", "Lucía", "Ferrer", "sales"),
    ("ventas2", "Pablo", "Navarro", "sales"),
    ("compras", "Elena", "Soler", "purchasing"),
    ("almacen", "Miguel", "Ribera", "warehouse"),
    ("contabilidad", "Carmen", "Vidal", "accounting"),
]
DEMO_COMPANIES = [
    {"name": "Suministros Levante, S.L.", "tax_id": "B46123451", "street": "Calle de la Industria, 24",
     "postal_code": "46980", "city": "Paterna", "province": "Valencia", "email": "info@suministroslevante.es",
     "phone": "+34 961 234 567"},
    {"name": "Levante Instalaciones, S.L.", "tax_id": "B46765434", "street": "Avenida del Puerto, 112",
     "postal_code": "46023", "city": "Valencia", "province": "Valencia", "email": "hola@levanteinstalaciones.es",
     "phone": "+34 963 456 780"},
]  # fmt: skip


def demo_logins() -> list[tuple[str, str, str]]:
    return [(username, DEMO_PASSWORD, role) for username, _first, _last, role in DEMO_USERS]


@transaction.atomic
def demo_companies_and_users() -> tuple[Company, Company, dict[str, User]]:
    """Both demo companies and the users; admin and manager work in both. Idempotent."""
    companies = [
        Company.objects.filter(tax_id=data["tax_id"]).first() or company_create(**data)
        for data in DEMO_COMPANIES
    ]
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLES)}
    users = {}
    for username, first_name, last_name, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@suministroslevante.es",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = user.is_superuser = role == "admin"
            user.save()
            user.groups.add(groups[role])
        users[username] = user
        both = role in {"admin", "manager"}
        for index, company in enumerate(companies if both else companies[:1]):
            Membership.objects.get_or_create(user=user, company=company, defaults={"is_default": index == 0})
    return companies[0], companies[1], users
