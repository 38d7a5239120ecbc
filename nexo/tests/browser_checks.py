"""What every browser test checks on a page it opens: no sideways scroll and no serious or critical axe
violation at a laptop's and at a phone's width, with a screenshot of each when NEXO_SCREENSHOTS names a
folder."""

import os
from pathlib import Path

import pytest

SIZES = ((1366, 768), (390, 844))
AXE_PATH = Path(
    os.environ.get(
        "NEXO_AXE_PATH", Path(__file__).resolve().parents[2] / ".venv/axe/node_modules/axe-core/axe.min.js"
    )
)
RUN_AXE = """async () => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a",
    "wcag21aa"]}, resultTypes: ["violations"]});
  return results.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
}"""


def look_at(page, name: str) -> None:
    """Check the page at both widths (`name` labels the failure and the screenshots), back at the laptop's."""
    if not AXE_PATH.is_file():
        pytest.fail(f"axe-core is not installed at {AXE_PATH}: `make test` installs it")
    shots = os.environ.get("NEXO_SCREENSHOTS", "")
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (page.url, width)
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.evaluate(AXE_PATH.read_text())
        assert page.evaluate(RUN_AXE) == [], (name, width)
        if shots:
            page.screenshot(path=f"{shots}/{name}-{width}x{height}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
