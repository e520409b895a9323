"""The portal's DCAT-AP feeds at the paths ckanext-dcat serves (``/catalog.jsonld``,
``/catalog.ttl``, ``/catalog.rdf``): the catalog's DCAT-AP export of the released resources,
with the portal's landing pages and download distributions, serialised by rdflib and cached per
portal stamp."""

from __future__ import annotations

import json
import warnings

from rdflib import Graph
from sqlalchemy.orm import Session

from govshare.catalog import service as catalog
from govshare.core.config import get_settings
from govshare.core.errors import FieldError, Invalid
from govshare.core.i18n import _
from govshare.core.security import Actor, require
from govshare.opendata import ckan, permissions
from govshare.opendata.service._common import cached, datasets_by_resource, released, stamp

FEEDS = {
    "jsonld": ("json-ld", "application/ld+json"),
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "rdf": ("xml", "application/rdf+xml"),
}
MEDIA = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def get_portal_dcat(session: Session, actor: Actor, fmt: str) -> tuple[bytes, str]:
    """The released resources as DCAT-AP in JSON-LD, Turtle or RDF/XML: (content, media type)."""
    require(permissions.can_get_portal_dcat(actor), "opendata.get_portal_dcat")
    if fmt not in FEEDS:
        raise Invalid(_("不支持的格式。"), errors=[FieldError("format", _("不支持的格式。"))])
    key = stamp(session, actor)
    rdf_format, media = FEEDS[fmt]

    def build() -> bytes:
        base = get_settings().base_url.rstrip("/")
        opened = set(session.scalars(released("open")))
        with_data = [rid for rid in datasets_by_resource(session) if rid in opened]
        distributions = {
            rid: [
                {
                    "@type": "dcat:Distribution",
                    "dct:title": {"@value": f"{label}", "@language": "zh"},
                    "dct:format": label,
                    "dcat:mediaType": MEDIA[f],
                    "dcat:accessURL": {"@id": f"{base}/open/datasets/{rid}"},
                    "dcat:downloadURL": {"@id": f"{base}/open/datasets/{rid}/download.{f}"},
                }
                for f, label, _m in ckan.FORMATS
            ]
            for rid in with_data
        }
        doc = catalog.get_open_dcat(
            session,
            actor,
            released(),
            landing=f"{base}/open/datasets/{{id}}",
            distributions=distributions,
            title=_("德州市公共数据开放目录"),
            publisher=_("德州市电子政务办公室"),
        )
        if fmt == "jsonld":
            return json.dumps(doc, ensure_ascii=False, indent=1).encode()
        with warnings.catch_warnings():  # rdflib 7.6's JSON-LD parser uses ConjunctiveGraph
            warnings.simplefilter("ignore", DeprecationWarning)
            graph = Graph().parse(data=json.dumps(doc), format="json-ld")
        out = graph.serialize(format=rdf_format)
        return out.encode() if isinstance(out, str) else out

    return cached(("dcat", key, fmt), build), media
