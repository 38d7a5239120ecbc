"""Domain errors: a message a user understands and the HTTP status it maps to."""


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, str]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class ValidationFailed(DomainError):
    """One or more fields are wrong; `errors` names each field and its message."""

    status = 422
    title = "Invalid input"

    @classmethod
    def on(cls, field: str, message: str) -> "ValidationFailed":
        return cls(message, errors=[{"field": field, "message": message}])

    @classmethod
    def from_fields(cls, errors: dict[str, list[str]]) -> "ValidationFailed":
        flat = [{"field": field, "message": str(msg)} for field, msgs in errors.items() for msg in msgs]
        detail = "; ".join(f"{item['field']}: {item['message']}" for item in flat)
        return cls(detail, errors=flat)

    def field_messages(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for item in self.errors:
            grouped.setdefault(item["field"], []).append(item["message"])
        return grouped


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    """The record's state forbids the action."""

    status = 409
    title = "Conflict"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
