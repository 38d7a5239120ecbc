"""Demo pipeline: being written."""


def load_demo_pipeline(company, users) -> str:
    return ""
