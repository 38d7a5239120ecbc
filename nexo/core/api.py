"""What every API router shares: authentication, the company of a request, problem+json errors,
permissions, list envelopes and Idempotency-Key handling, and the `Endpoints` decorator that puts them together (docs/api.md)."""

import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, get_args, get_type_hints

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import IntegrityError, connection, transaction
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Path, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
)

from nexo.core import plainsql
from nexo.core.errors import DomainError, Forbidden, ValidationFailed
from nexo.core.middleware import RETRY_AFTER_SECONDS, database_busy
from nexo.core.models import IdempotencyRecord, User
from nexo.core.rules import round_money
from nexo.core.services import token_authenticate
from nexo.core.tenancy import companies_of, resolve_company
from nexo.core.validation import MAX_ID, record_id

logger = logging.getLogger(__name__)
PROBLEM_CONTENT_TYPE = "application/problem+json"
COMPANY_HEADER = "X-Company"


# C0 control characters but tab, line feed and carriage return: no one types them, and exports (XLSX)
# cannot hold them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def text_only(value: str) -> str:
    """Refuse what no database column or export can hold: control characters (but tab and line breaks)
    and unpaired surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if CONTROL_CHARACTERS.search(value):
        raise ValueError("must not contain control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains characters that are not valid text") from None
    return value


SafeText = AfterValidator(text_only)


class StrictSchema(Schema):
    """Input schemas refuse fields they do not know, and text a database cannot store."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _text_only(cls, value):
        return text_only(value) if isinstance(value, str) else value


class ProblemField(Schema):
    field: str
    message: str


class Problem(Schema):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ProblemField] = []


# Ids in paths: positive and within a 64-bit integer, so a huge number is a 422, not a database error.
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
# List envelopes: a page of at most 500 rows, from an offset a database can address.
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=1_000_000_000)]
# Ids sent in a body or a query string.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _utc_instant(value: datetime) -> datetime:
    try:  # Stored in UTC: an offset that pushes year 1 or 9999 out of range is bad input, not a crash.
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must be a date and time between the years 1 and 9999") from None


# An instant sent with its offset, kept in UTC: PostgreSQL refuses offsets beyond ±15:59 (`+16:00`).
Instant = Annotated[AwareDatetime, AfterValidator(_utc_instant)]


# Decimals travel as JSON strings both ways (docs/api.md): "1234.50", never 1234.5.
DECIMAL_TEXT = re.compile(r"-?\d{1,20}(\.\d{1,10})?")


def _decimal_text(value: object) -> object:
    if isinstance(value, Decimal):  # a default, or a value already parsed
        return value
    if isinstance(value, str) and DECIMAL_TEXT.fullmatch(value.strip()):
        return value.strip()
    raise ValueError('Send a decimal number as a string, e.g. "1234.50".')


def positive_pattern(digits: int, places: int) -> str:
    """The JSON Schema pattern of a decimal above zero with up to `digits` integer digits and `places`
    decimals, no leading zero: "0" and "0.0" do not match, so the contract refuses what the server refuses."""
    fractions = "|".join(f"{'0' * zeros}[1-9]\\d{{0,{places - zeros - 1}}}" for zeros in range(places))
    return rf"^(?:[1-9]\d{{0,{digits - 1}}}(?:\.\d{{1,{places}}})?|0\.(?:{fractions}))$"


def decimal_in(
    *, max_digits: int, places: int, pattern: str, example: str, about: str, **bounds
) -> type[Decimal]:
    """An input decimal sent as a string, with its digits, places and bounds (ge, gt, le) checked."""
    return Annotated[
        Decimal,
        Field(max_digits=max_digits, decimal_places=places, **bounds),
        BeforeValidator(_decimal_text),
        WithJsonSchema({"type": "string", "pattern": pattern, "examples": [example], "description": about}),
    ]


def decimal_out(places: int, *, example: str, about: str) -> type[Decimal]:
    """An output decimal written as a string with exactly `places` decimals, rounded half-up."""
    return Annotated[
        Decimal,
        PlainSerializer(lambda value: f"{round_money(Decimal(value), places):f}", return_type=str),
        WithJsonSchema(
            {
                "type": "string",
                "pattern": rf"^-?\d+\.\d{{{places}}}$",
                "examples": [example],
                "description": about,
            }
        ),
    ]


# The decimals every module's API shows alike; a module declares its own only where its bounds differ.
MoneyOut = decimal_out(2, example="1234.50", about="An amount, a decimal string with 2 decimals.")
PriceOut = decimal_out(6, example="12.500000", about="A unit price or cost, a decimal string with 6 decimals.")
QuantityOut = decimal_out(4, example="10.0000", about="A quantity, a decimal string with 4 decimals.")
PercentOut = decimal_out(2, example="15.00", about="A percentage, a decimal string with 2 decimals.")
PercentIn = decimal_in(
    max_digits=5, places=2, ge=0, le=100, pattern=r"^\d{1,3}(\.\d{1,2})?$", example="15.00",
    about="Percentage 0 to 100, a decimal string with up to 2 decimals.",
)  # fmt: skip

ERROR_RESPONSES = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}
# Served to every endpoint, documented on every operation by nexo.api.NexoAPI.get_openapi_schema.
COMMON_PROBLEMS = {
    413: "The body is larger than the server accepts.",
    503: "The database is busy: try again after the seconds `Retry-After` gives.",
}


def _attach_company(request: HttpRequest) -> bool:
    requested = request.headers.get(COMPANY_HEADER)
    if requested is None and getattr(request, "company", None) is not None:
        return True  # the session's company, already resolved by the middleware
    requested_id = record_id(requested)
    if requested is not None and requested_id is None:
        return False
    company = resolve_company(request.user, requested_id)
    if company is None or (requested_id is not None and company.pk != requested_id):
        return False
    request.company = company
    preload_permissions(request.user)
    return True


def preload_permissions(user) -> None:
    """The user's permissions, own and through groups, read in one query and left where Django's
    ModelBackend keeps them for the request (it would read them in two). Superusers are left to Django."""
    if user.is_superuser or not user.is_active or hasattr(user, "_perm_cache"):
        return
    own, groups = User._meta.get_field("user_permissions"), User._meta.get_field("groups")
    group_permissions = Group._meta.get_field("permissions")
    quote = plainsql.quoted
    permissions, content_types = quote(Permission._meta.db_table), quote(ContentType._meta.db_table)
    sql = (
        f"SELECT ct.app_label, p.codename, 'user' FROM {permissions} p "  # noqa: S608 (names quoted)
        f"JOIN {content_types} ct ON ct.id = p.content_type_id "
        f"JOIN {quote(own.m2m_db_table())} up ON up.{quote(own.m2m_reverse_name())} = p.id "
        f"WHERE up.{quote(own.m2m_column_name())} = %s "
        "UNION ALL "
        f"SELECT ct.app_label, p.codename, 'group' FROM {permissions} p "
        f"JOIN {content_types} ct ON ct.id = p.content_type_id "
        f"JOIN {quote(group_permissions.m2m_db_table())} gp "
        f"ON gp.{quote(group_permissions.m2m_reverse_name())} = p.id "
        f"JOIN {quote(groups.m2m_db_table())} ug "
        f"ON ug.{quote(groups.m2m_reverse_name())} = gp.{quote(group_permissions.m2m_column_name())} "
        f"WHERE ug.{quote(groups.m2m_column_name())} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, user.pk])
        rows = cursor.fetchall()
    user._user_perm_cache = {f"{app}.{codename}" for app, codename, source in rows if source == "user"}
    user._group_perm_cache = {f"{app}.{codename}" for app, codename, source in rows if source == "group"}
    user._perm_cache = user._user_perm_cache | user._group_perm_cache


class BearerTokenAuth(HttpBearer):
    openapi_description = "A token from the profile page or `nexo token create USERNAME`."

    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user if _attach_company(request) else None


class CompanySessionAuth(SessionAuth):
    """The browser session, with CSRF checked on unsafe methods."""

    def _get_key(self, request):
        # Without a signed-in session there is nothing for CSRF to protect: the request is unauthenticated
        # (401, as for GET), not a failed CSRF check (403).
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None:
            return None
        return user if _attach_company(request) else None


def problem(status: int, title: str, detail: str, errors: list[dict] | None = None) -> HttpResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "errors": errors or []}
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)


def _field_of(location: list | tuple) -> str:
    # ("body", "payload", "addresses", 0, "city") -> "addresses.0.city"
    parts = [str(part) for part in location]
    while parts and parts[0] in {"body", "query", "path", "header", "payload", "form"}:
        parts.pop(0)
    return ".".join(parts) or "body"


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def invalid_input(request, exc: NinjaValidationError):
        errors = [
            {"field": _field_of(item.get("loc", ())), "message": item.get("msg", "")} for item in exc.errors
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "The request is not valid."
        return problem(422, "Invalid input", detail, errors)

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return problem(exc.status, exc.title, exc.detail, exc.errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return problem(401, "Unauthorized", "Send a valid bearer token or sign in.")

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return problem(403, "Forbidden", str(exc) or "Your role does not allow this.")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return problem(404, "Not found", "No such record.")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return problem(exc.status_code, "Error", str(exc))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        return problem(413, "Content too large", COMMON_PROBLEMS[413])

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        if database_busy(exc):
            response = problem(503, "Service unavailable", COMMON_PROBLEMS[503])
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        logger.exception("API error on %s %s", request.method, request.path)
        return problem(500, "Server error", "Something went wrong on our side; nothing was changed.")


Renames = Mapping[str, str] | Callable[[str], str]


def _renamed_field(field: str, schema: type[BaseModel] | None, renames: Renames | None) -> str:
    """The API's name for a service's error field: an explicit rename first, then `x` → `x_id` where the
    input schema (or the nested schema the path leads to, as in `lines.0.item`) has `x_id` and no `x`."""
    if renames is not None:
        renamed = renames(field) if callable(renames) else renames.get(field, field)
        if renamed != field:
            return renamed
    parts = field.split(".")
    current = schema
    for index, part in enumerate(parts):
        if current is None or part.isdigit():
            continue
        fields = current.model_fields
        if part in fields:
            current = _nested_schema(fields[part].annotation)
        elif index == len(parts) - 1 and f"{part}_id" in fields:
            parts[index] = f"{part}_id"
        else:
            break
    return ".".join(parts)


def _nested_schema(annotation: Any) -> type[BaseModel] | None:
    """The schema inside `list[LineIn]`, `LineIn | None` and the like, or None for a plain value."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _nested_schema(argument)
        if found is not None:
            return found
    return None


@contextmanager
def fields_named(schema: type[BaseModel] | None = None, renames: Renames | None = None) -> Iterator[None]:
    """Report a service's field errors under the names the API's schemas use (`unit` → `unit_id`).

    The exception keeps its class (a duplicate lead stays a duplicate lead); only the field names, and a
    detail that merely listed them, change."""
    try:
        yield
    except ValidationFailed as failure:
        errors = [
            {**error, "field": _renamed_field(error["field"], schema, renames)} for error in failure.errors
        ]
        if errors != failure.errors:
            listed = "; ".join(f"{error['field']}: {error['message']}" for error in failure.errors)
            if failure.detail == listed:
                failure.detail = "; ".join(f"{error['field']}: {error['message']}" for error in errors)
                failure.args = (failure.detail,)
            failure.errors = errors
        raise


def require_perm(request: HttpRequest, *perms: str) -> None:
    if not request.user.has_perms(perms):
        raise Forbidden("Your role does not allow this.")


def page_of(queryset, *, limit: int, offset: int) -> tuple[int, list]:
    """A list envelope's count and the rows of one page."""
    return queryset.count(), list(queryset[offset : offset + limit])


def json_ready(schema: type[BaseModel] | None, body: Any) -> Any:
    """A body as the response schema writes it: what an Idempotency-Key stores for its replays."""
    if schema is None:
        return body
    return schema.model_validate(body, from_attributes=True).model_dump(mode="json")


def idempotent(
    request: HttpRequest, produce: Callable[[], Any], *, status: int = 201, schema: type[BaseModel] | None = None
) -> Status:
    """Run a creating request once per Idempotency-Key: the same key and body replay the first answer.

    `produce` creates the record and returns its body; it runs in this transaction, so a failure stores
    nothing and the key can be used again. Without a key the body goes out as it is (the response schema
    writes it once); with one it is stored as `schema` writes it.
    """
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return Status(status, produce())
    if len(key) > 200 or not key.isascii() or not key.isprintable():
        raise ValidationFailed.on("Idempotency-Key", "Use up to 200 printable ASCII characters.")
    fingerprint = hashlib.sha256(
        b"%s %s\n%s" % (request.method.encode(), request.path.encode(), request.body)
    ).hexdigest()
    scope = {"user": request.user, "company": request.company, "key": key}
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.select_for_update().filter(**scope).first()
            if record is None:
                body = json_ready(schema, produce())
                IdempotencyRecord.objects.create(
                    **scope, fingerprint=fingerprint, status_code=status, body=body
                )
                return Status(status, body)
    except IntegrityError:
        # Another request with the same key may have won the race; ours was rolled back whole.
        record = IdempotencyRecord.objects.filter(**scope).first()
        if record is None:
            raise
    if record.fingerprint != fingerprint:
        raise ValidationFailed.on("Idempotency-Key", "This key was already used with a different request.")
    return Status(record.status_code, record.body)


IDEMPOTENCY_NOTE = "Accepts an `Idempotency-Key` header: the same key and body replay the first answer."
PATH_PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")


class Endpoints:
    """The API's counterpart of `@page`: one decorator per method that does an endpoint's plumbing.

    In this order: the role's permission (403), the record's visibility (404), the Idempotency-Key (a
    creating request runs once per key), the service's error fields named as the input schema names them
    (`party` → `party_id`), the handler, re-reading what it made (`read`), and the status. The handler keeps
    only what is its own: the service call with the request's values.

        endpoints = Endpoints()  # one per file of a module's `api` package (see `module_router`)

        @endpoints.post("/quotations", QuotationOut, perm="sales.add_quotation", idempotent=True,
                        read=quotation_body, summary="Create a quotation")
        def quotation_create(request, payload: QuotationIn):
            return services.quotation_create(company=request.company, by=request.user, **payload.fields()).pk

    - `perm`: one permission or several, all needed (`()`: any signed-in user).
    - `visible(request, record_id)`: raises NotFound when the user may not see the record named by the
      path's first parameter (`{quotation_id}`); runs before anything else touches it.
    - `read(request, result)`: turns what the handler returned (an id, a record) into the answer's body.
    - `idempotent`: for creating requests (status 201 by default); the description says so.
    - `renames`: field names the `x` → `x_id` rule does not find (a mapping, or a function of the name).
    - `problems`: error answers documented otherwise than as `Problem` (e.g. `{422: LeadProblem}`).
    """

    def __init__(self, router: Router | None = None):
        self.router = router or Router()

    def get(self, path: str, response: Any, **options) -> Callable:
        return self._route("GET", path, response, **options)

    def post(self, path: str, response: Any, **options) -> Callable:
        return self._route("POST", path, response, **options)

    def put(self, path: str, response: Any, **options) -> Callable:
        return self._route("PUT", path, response, **options)

    def patch(self, path: str, response: Any, **options) -> Callable:
        return self._route("PATCH", path, response, **options)

    def delete(self, path: str, response: Any, **options) -> Callable:
        return self._route("DELETE", path, response, **options)

    def _route(
        self,
        method: str,
        path: str,
        response: Any,
        *,
        perm: str | tuple[str, ...] | list[str],
        summary: str,
        description: str = "",
        visible: Callable[[HttpRequest, int], None] | None = None,
        read: Callable[[HttpRequest, Any], Any] | None = None,
        idempotent: bool = False,
        status: int | None = None,
        renames: Renames | None = None,
        problems: Mapping[int, Any] | None = None,
        **route_options,
    ) -> Callable:
        perms = (perm,) if isinstance(perm, str) else tuple(perm)
        status = status or (201 if idempotent else 204 if response is None else 200)
        record_parameter = next(iter(PATH_PARAMETER.findall(path)), None)
        if visible is not None and record_parameter is None:
            raise TypeError(f"{path}: `visible` needs a record id in the path")
        if idempotent:
            description = f"{description} {IDEMPOTENCY_NOTE}".strip()
        schema = response if isinstance(response, type) and issubclass(response, BaseModel) else None

        def decorate(handler: Callable) -> Callable:
            payload_schema = _payload_schema(handler)

            @functools.wraps(handler)
            def endpoint(request: HttpRequest, *args, **kwargs):
                require_perm(request, *perms)
                if visible is not None:
                    visible(request, kwargs[record_parameter])

                def produce() -> Any:
                    with fields_named(payload_schema, renames):
                        result = handler(request, *args, **kwargs)
                    if isinstance(result, Status):
                        return result
                    return read(request, result) if read is not None else result

                if idempotent:
                    return _idempotent(request, produce, status=status, schema=schema)
                body = produce()
                if isinstance(body, Status) or status == 200:
                    return body
                return Status(status, body)

            return self.router.api_operation(
                [method],
                path,
                response={status: response, **ERROR_RESPONSES, **(problems or {})},
                summary=summary,
                description=description or None,
                **route_options,
            )(endpoint)

        return decorate


def module_router(tag: str, *parts: Any) -> Router:
    """A module's API: the endpoints of each file of its `api` package (`part.endpoints`, an `Endpoints`),
    in the order given, under the module's tag. The module's AppConfig names it in `api_router`."""
    router = Router(tags=[tag])
    for part in parts:
        router.add_router("", part.endpoints.router)
    return router


_idempotent = idempotent  # the decorator's keyword of the same name shadows it inside `_route`


def _payload_schema(handler: Callable) -> type[BaseModel] | None:
    """The input schema of a handler's body parameter (`payload: QuotationIn`), if it has one."""
    for name, annotation in get_type_hints(handler).items():
        if name == "return":
            continue
        found = _nested_schema(annotation)
        if found is not None and issubclass(found, StrictSchema):
            return found
    return None


core_router = Router(tags=["core"])
core_endpoints = Endpoints(core_router)


class CompanyOut(Schema):
    id: int
    name: str
    tax_id: str
    currency: str


class MeOut(Schema):
    username: str
    full_name: str
    language: str
    company: CompanyOut
    companies: list[CompanyOut]
    roles: list[str]


@core_endpoints.get("/me", MeOut, perm=(), summary="The signed-in user and the company in use")
def me(request: HttpRequest):
    user = request.user
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "language": user.language,
        "company": request.company,
        "companies": list(companies_of(user)),
        "roles": sorted(user.groups.values_list("name", flat=True)),
    }
