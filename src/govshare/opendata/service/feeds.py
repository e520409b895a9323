"""The portal's DCAT-AP feeds at the paths ckanext-dcat serves (``/catalog.jsonld``,
``/catalog.ttl``, ``/catalog.rdf``): the catalog's DCAT-AP export of the released resources,
with the portal's landing pages and download distributions, serialised by rdflib and cached per
portal stamp."""

from __future__ import annotations

import functools
import json
import warnings
from importlib import resources

from pyshacl import validate
from rdflib import RDF, SH, Graph, URIRef
from rdflib.namespace import DCAT
from sqlalchemy.orm import Session

from govshare.catalog import service as catalog
from govshare.catalog.exchange import dcat_format
from govshare.core.config import get_settings
from govshare.core.errors import FieldError, Invalid
from govshare.core.i18n import _
from govshare.core.security import Actor, require
from govshare.opendata import ckan, permissions
from govshare.opendata.schemas import DcatCheck, DcatFinding
from govshare.opendata.service._common import cached, datasets_by_resource, released, stamp

FEEDS = {
    "jsonld": ("json-ld", "application/ld+json"),
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "rdf": ("xml", "application/rdf+xml"),
}
IANA = "https://www.iana.org/assignments/media-types"
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
                    "dct:format": dcat_format(label),
                    "dcat:mediaType": {"@id": f"{IANA}/{MEDIA[f]}"},
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


SHOWN = 200  # findings listed per severity; the counts are always complete


@functools.cache
def _shapes() -> Graph:
    """The DCAT-AP 3 core shapes shipped with govshare (src/govshare/data), parsed once."""
    text = resources.files("govshare").joinpath("data/dcat-ap-3-core-shapes.ttl").read_text()
    return Graph().parse(data=text, format="turtle")


def check_portal_dcat(session: Session, actor: Actor) -> DcatCheck:
    """The public DCAT-AP feed, exactly as harvesters get it, validated with pyshacl against the
    DCAT-AP 3 core shapes: conformance, every violation and warning by node and property."""
    require(permissions.can_check_portal_dcat(actor), "opendata.check_portal_dcat")
    content, _media = get_portal_dcat(session, actor, "ttl")
    data = Graph().parse(data=content, format="turtle")
    conforms, report, _text = validate(data, shacl_graph=_shapes(), inference="none")
    found: dict[bool, list[DcatFinding]] = {True: [], False: []}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(result, SH.resultPath)
        found[report.value(result, SH.resultSeverity) == SH.Violation].append(
            DcatFinding(
                focus=str(report.value(result, SH.focusNode)),
                path=data.namespace_manager.normalizeUri(path) if isinstance(path, URIRef) else "",
                message=str(report.value(result, SH.resultMessage) or ""),
            )
        )
    for findings in found.values():
        findings.sort(key=lambda f: (f.message, f.focus, f.path))
    return DcatCheck(
        conforms=bool(conforms),
        datasets=len(set(data.subjects(RDF.type, DCAT.Dataset))),
        triples=len(data),
        violation_count=len(found[True]),
        warning_count=len(found[False]),
        violations=found[True][:SHOWN],
        warnings=found[False][:SHOWN],
    )
