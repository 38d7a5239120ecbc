class ChildKindConverter:
    """Only the child records a party page edits in place: contacts and addresses."""

    regex = "contact|address"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
