"""storyboard.html loaded in the real headless Chromium: what the page shows on a phone and on paper."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html
from PIL import Image

from exporters import get_format
from exporters.mlt_common import layout
from exporters.storyboard import write
from scriptkit.errors import ScriptkitError
from scriptkit.models import ExportOptions
from tests.fixtures import sample_timeline

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NASTY = 'She types <script>alert("x")</script> & "quotes" <b>bold</b>'

#: Test-only probe page: the storyboard in a 390x844 frame (an iPhone-sized viewport; a headless window is
#: at least 500 px wide), and a script reporting what the browser actually laid out and loaded. The
#: shipped page itself has no scripts.
PROBE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="phone" src="storyboard.html" style="width:390px;height:844px;border:0"></iframe>
<script>
document.getElementById('phone').addEventListener('load', () => {
  const frame = document.getElementById('phone');
  const doc = frame.contentDocument;
  const imgs = [...doc.images];
  const cards = [...doc.querySelectorAll('article.card')];
  const out = {
    cards: cards.length,
    scenes: doc.querySelectorAll('section.scene').length,
    images: imgs.length,
    loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
    widest_card: Math.max(...cards.map(c => c.getBoundingClientRect().width)),
    viewport: frame.contentWindow.innerWidth,
    scroll_width: doc.documentElement.scrollWidth,
    one_column: new Set(cards.map(c => Math.round(c.getBoundingClientRect().left))).size === 1,
    text: doc.body.innerText,
  };
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script></body></html>
"""


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"chromium-profile-{len(list(tmp.glob('chromium-profile-*')))}"
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", *args,
    ]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("storyboard")
    tl = sample_timeline(tmp)
    clip = next(c for c in tl.find_clips() if c.name == "sc01-kitchen-002")
    meta = clip.metadata["scriptkit"]
    meta["action"] = NASTY
    out = tmp / "project" / "storyboard.html"
    write(tl, out, ExportOptions(project_dir=str(out.parent)))
    return tmp, tl, layout(tl), out


def test_registered() -> None:
    assert get_format("storyboard").extension == ".html"


def test_page_is_self_contained_and_escaped(page) -> None:
    _, _, lay, out = page
    text = out.read_text(encoding="utf-8")
    doc = lxml_html.fromstring(text)
    assert doc.xpath("//script") == []
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text), "no network references"
    assert all(img.get("src").startswith("data:image/jpeg;base64,") for img in doc.xpath("//img"))
    assert len(doc.xpath("//article[@class='card']")) == len(lay.shots)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in text
    assert doc.xpath("//b") == []
    nasty = doc.xpath("//article[@data-shot='sc01-kitchen-002']//p[@class='source']")[0].text_content()
    assert nasty == f"Script line 8: {NASTY}"


def test_deterministic(page, tmp_path: Path) -> None:
    _, tl, _, out = page
    again = tmp_path / "again.html"
    write(tl, again, ExportOptions(project_dir=str(tmp_path)))
    assert again.read_bytes() == out.read_bytes()


def test_phone_view_in_chromium(page) -> None:
    tmp, _, lay, out = page
    probe_page = out.with_name("probe.html")
    probe_page.write_text(PROBE, encoding="utf-8")
    result = chromium(
        tmp, "--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom", probe_page.as_uri()
    )
    found = lxml_html.fromstring(result.stdout).xpath("//pre[@id='probe']")
    assert found, "the probe did not run"
    seen = json.loads(found[0].text_content())
    assert seen["cards"] == len(lay.shots) == 6 and seen["scenes"] == 3
    assert seen["images"] == seen["loaded"] == len(lay.shots)
    assert seen["one_column"] and seen["widest_card"] <= seen["viewport"] == 390
    assert seen["scroll_width"] <= seen["viewport"], "nothing wider than the phone screen"
    text = seen["text"]
    for needle in (
        "sc01-kitchen-001", "sc03-carriage-001", "close up", "01:00:03:00", "Who calls at this hour?",
        "RINGS", "fade in from black", "dissolve from sc01-kitchen-003", "wipe to sc03-carriage-001",
        "Script line 5: A dark kitchen.", "LEO (V.O.)", "MAYA", NASTY,
    ):  # fmt: skip
        assert needle in text, needle
    kitchen = sum(s.duration for s in lay.shots if s.meta["scene_id"] == "sc01-kitchen")
    assert f"{lay.seconds(kitchen):.1f} s" in text


def test_phone_screenshot(page) -> None:
    tmp, _, _, out = page
    shot = tmp / "phone.png"
    chromium(tmp, "--window-size=390,844", f"--screenshot={shot}", out.as_uri())
    with Image.open(shot) as img:
        assert img.size == (390, 844)
        colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50, "a real page, not a blank screenshot"


def test_prints_one_page_per_scene(page) -> None:
    tmp, _, _, out = page
    pdf = tmp / "print.pdf"
    chromium(tmp, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", out.as_uri())
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))
    assert pages == 3


def test_missing_keyframe_is_a_clear_error(tmp_path: Path) -> None:
    tl = sample_timeline(tmp_path, shots=2, transitions=False)
    gone = layout(tl).shots[0].path
    gone.unlink()
    out = tmp_path / "p" / "storyboard.html"
    with pytest.raises(ScriptkitError, match="sc01-kitchen-001"):
        write(tl, out, ExportOptions(project_dir=str(out.parent)))
    assert not out.exists()
