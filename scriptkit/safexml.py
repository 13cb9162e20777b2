"""The one safe XML parser behind every XML reader (Final Draft, FCPXML, xmeml, MLT/Kdenlive).

Hostile XML is refused, never processed:

- entity declarations (the "billion laughs" bomb, XXE `SYSTEM "file:///etc/passwd"`) and entity references;
- a DOCTYPE with an external identifier (`SYSTEM` / `PUBLIC`: an external DTD); the bare `<!DOCTYPE fcpxml>`
  and `<!DOCTYPE xmeml>` that FCP, Resolve and Premiere write are fine;
- files over `MAX_XML_BYTES`, nesting deeper than libxml2's 256 levels, a text node over 10 MB (lxml without
  `huge_tree`);
- nothing is ever fetched (no network, no DTD loading, no entity resolution).

Every refusal and every syntax error is one `ScriptkitError` naming the file and, where known, the line.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from scriptkit.errors import ScriptkitError
from scriptkit.io import read_bounded

#: Larger than any real project file (a feature-length Premiere xmeml is a few MB); larger input is refused.
MAX_XML_BYTES = 128 * 1024 * 1024

_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
#: lxml's own position suffix ("..., line 6, column 3"): the error names file and line itself.
_LXML_WHERE = re.compile(r",?\s*line \d+(?:,\s*column \d+)?\s*$")
_ENTITY_REFUSED = "refusing XML entity declarations (a timeline or screenplay never has them: XML bomb or XXE?)"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_bytes(data: bytes, path: str | Path | None) -> etree._Element:
    """The root element of XML `data`, read safely (see the module docstring); `path` names the file in errors."""
    if len(data) > MAX_XML_BYTES:
        raise ScriptkitError(
            f"file is {len(data) / 2**20:.0f} MB; an XML file is read up to {MAX_XML_BYTES // 2**20} MB", path
        )
    declared = _ENTITY.search(data)
    if declared:
        raise ScriptkitError(_ENTITY_REFUSED, path, data.count(b"\n", 0, declared.start()) + 1)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        message = _LXML_WHERE.sub("", str(exc.msg or "syntax error")).strip()
        if "amplification" in message or "entity reference loop" in message.lower():
            raise ScriptkitError(_ENTITY_REFUSED, path, exc.lineno or None) from None
        if "XML_PARSE_HUGE" in message or "Excessive depth" in message:
            message = "beyond the XML safety limits (nesting deeper than 256 levels or a text over 10 MB)"
        raise ScriptkitError(f"malformed XML: {message}", path, exc.lineno or None) from None
    except (etree.ParserError, ValueError, LookupError) as exc:
        raise ScriptkitError(f"cannot read as XML: {exc}", path) from None
    if root is None:
        raise ScriptkitError("malformed XML: no root element", path)
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None and any(True for _ in docinfo.internalDTD.iterentities()):
        raise ScriptkitError(_ENTITY_REFUSED, path, 1)
    if docinfo.system_url or docinfo.public_id:
        raise ScriptkitError(
            f"refusing an external DTD ({docinfo.system_url or docinfo.public_id!r}): nothing is fetched", path, 1
        )
    for node in root.iter(etree.Entity):
        raise ScriptkitError("refusing an XML entity reference", path, node.sourceline or None)
    return root


def parse_file(path: str | Path) -> etree._Element:
    """`parse_bytes` of a file, the size checked before anything is read."""
    return parse_bytes(read_bounded(Path(path), MAX_XML_BYTES, "an XML file"), path)
