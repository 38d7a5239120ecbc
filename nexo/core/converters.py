class RecordIdConverter:
    """`<id:...>` in URLs: a positive id that fits a bigint (at most 18 digits), else the URL does not match."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
