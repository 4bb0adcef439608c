"""Parsing the XML WeChat posts to us, safely.

defusedxml refuses DTDs, entity declarations and external references (XXE, billion laughs);
size, depth and field-count limits bound what a hostile body can make us allocate.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

MAX_XML_BYTES = 64 * 1024
MAX_DEPTH = 4
MAX_ELEMENTS = 200


class XmlRejected(ValueError):
    """The body is not a WeChat XML document we are willing to read."""


def parse_wechat_xml(data: bytes | str, *, max_bytes: int = MAX_XML_BYTES) -> dict[str, Any]:
    """`<xml><A>1</A><B><C>2</C></B></xml>` -> {"A": "1", "B": {"C": "2"}}; repeated tags -> lists."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise XmlRejected("XML body too large")
    if not raw.strip():
        raise XmlRejected("empty XML body")
    try:
        root = SafeElementTree.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise XmlRejected(f"malformed or forbidden XML: {type(exc).__name__}") from None
    if root.tag != "xml":
        raise XmlRejected("the root element must be <xml>")
    if sum(1 for _ in root.iter()) > MAX_ELEMENTS:
        raise XmlRejected("too many XML elements")
    value = _to_value(root, 0)
    return value if isinstance(value, dict) else {}


def _to_value(element: Element, depth: int) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    if depth >= MAX_DEPTH:
        raise XmlRejected("XML nested too deeply")
    result: dict[str, Any] = {}
    for child in children:
        value = _to_value(child, depth + 1)
        if child.tag in result:
            existing = result[child.tag]
            result[child.tag] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            result[child.tag] = value
    return result


def cdata(text: str) -> str:
    """Text safe inside <![CDATA[...]]>: a literal ']]>' would end the section early."""
    return text.replace("]]>", "]]]]><![CDATA[>")
