"""`make screenshots` (tools/screenshots.py) names pages that exist, and keeps its PNGs small without
changing a pixel when it can. The shots themselves need chromium and the demo: the command is their test."""

import importlib.util
import io
import random
from pathlib import Path

from django.urls import resolve
from PIL import Image

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "screenshots.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("screenshots_tool", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


screenshots = _load_script()


def test_every_shot_is_a_page_of_the_application_at_a_laptop_or_a_phone_width():
    views = {}
    for shot in screenshots.SHOTS:
        match = resolve(shot.path.replace(screenshots.QUOTATION, "1"))
        views[shot.name] = match.view_name
        assert shot.viewport in (screenshots.DESKTOP, screenshots.PHONE), shot.name
        assert shot.ready, shot.name
    assert views["pipeline-board"] == "crm:board"
    assert views["quotation-editor"] == views["quotation-editor-phone"] == "sales:quotation_view"
    assert views["stock-levels"] == "inventory:stock_levels"
    assert screenshots.DESKTOP == {"width": 1366, "height": 768}
    assert screenshots.PHONE == {"width": 390, "height": 844}
    names = screenshots.SHOT_NAMES
    assert len(names) == len(set(names)) and screenshots.PDF_SHOT in names


def test_a_screenshot_within_the_budget_is_kept_pixel_for_pixel():
    image = Image.new("RGB", (300, 200), "white")
    image.paste((13, 90, 140), (20, 20, 280, 60))  # a flat button, as on a page
    png = screenshots.png_bytes(image)
    assert len(png) <= screenshots.SIZE_BUDGET
    assert Image.open(io.BytesIO(png)).convert("RGB").tobytes() == image.tobytes()


def test_a_screenshot_over_the_budget_becomes_a_palette_image():
    noise = random.Random(12)
    image = Image.frombytes("RGB", (400, 400), bytes(noise.randrange(256) for _ in range(400 * 400 * 3)))
    lossless = io.BytesIO()
    image.save(lossless, format="PNG", optimize=True)
    assert lossless.tell() > screenshots.SIZE_BUDGET  # the case under test
    png = screenshots.png_bytes(image)
    assert Image.open(io.BytesIO(png)).mode == "P"
    assert len(png) < lossless.tell()
