"""State changes owned by core: number sequences, API tokens, user preferences."""

import hashlib
import secrets
from datetime import timedelta

from babel.numbers import list_currencies
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.core import plainsql
from nexo.core.errors import NotFound, ValidationFailed
from nexo.core.models import ApiToken, Company, Sequence, User
from nexo.core.modules import nexo_modules

TOKEN_PREFIX = "nexo_"
TOKEN_USE_PRECISION = timedelta(hours=1)


# ISO 4217 codes as CLDR knows them (babel, no network), without the codes for "no currency" and tests.
CURRENCIES = frozenset(list_currencies()) - {"XXX", "XTS"}


def currency_code(value: str | None, field: str = "currency") -> str:
    """An ISO 4217 currency code in capitals (`eur` → `EUR`); anything else is a 422 on `field`."""
    code = (value or "").strip().upper()
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        raise ValidationFailed.on(field, _("Use a three-letter currency code, such as EUR or USD."))
    if code not in CURRENCIES:
        raise ValidationFailed.on(
            field, _("%(code)s is not an ISO 4217 currency code, such as EUR or USD.") % {"code": code}
        )
    return code


def sequence_next(*, company_id: int, series: str, year: int) -> int:
    """The next number of a gapless series, under a row lock; the caller's transaction keeps it gapless."""
    # One statement: the upsert takes the row's lock (PostgreSQL) until the caller's transaction ends, and a
    # new series starts at 1. SQLite has upserts with RETURNING since 3.35.
    table = plainsql.quoted(Sequence._meta.db_table)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (company_id, series, year, last_number) VALUES (%s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (company_id, series, year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [company_id, series, year],
        )
        return cursor.fetchone()[0]


def token_hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a bearer token; the raw token is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed.on("name", "Give the token a name.")
    if len(name) > 100:
        raise ValidationFailed.on("name", "Ensure this value has at most 100 characters.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:12], key_hash=token_hash(raw))
    return token, raw


def token_revoke(*, user: User, token_id: int) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
        if token is None:
            raise NotFound("No such token.")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
        return token


def token_authenticate(raw_token: str) -> User | None:
    # Plain SQL: read on every API request, where building the ORM's query cost more than running it.
    tokens, users = plainsql.quoted(ApiToken._meta.db_table), plainsql.quoted(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {plainsql.columns(ApiToken, 't')}, {plainsql.columns(User, 'u')} "  # noqa: S608
            f"FROM {tokens} t JOIN {users} u ON u.id = t.user_id "
            "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active = %s LIMIT 1",
            [token_hash(raw_token), True],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(ApiToken._meta.concrete_fields)
    token = plainsql.from_row(ApiToken, row[:width])
    token.user = plainsql.from_row(User, row[width:])
    now = timezone.now()
    # `last_used_at` is a day-level hint on the profile page: writing it at most once an hour keeps reads
    # with a token from needing the database's write lock (on SQLite, held by an import for minutes).
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def user_set_language(*, user: User, language: str) -> User:
    if language not in dict(User.Language.choices):
        raise ValidationFailed.on("language", "Unknown language.")
    user.language = language
    user.save(update_fields=["language"])
    return user


def company_create(*, by: User | None = None, **fields) -> Company:
    """A new company, set up by every module that needs something to start with (the CRM's stages…)."""
    if "currency" in fields:
        fields["currency"] = currency_code(fields["currency"])
    with transaction.atomic():
        company = Company(**fields)
        company.full_clean()
        company.save()
        for module in nexo_modules():
            module.setup_company(company)
        return company
