"""Exchange forms of the published catalog: DCAT-AP JSON-LD and the province's exchange form.

The province form maps the 2017 guide's elements to the names of GB/T 21063.3-2007 (core
metadata) and DB37/T 2885-2016 (Shandong's extension). Which elements those standards mark
mandatory is [M] in STANDARDS.md §1.5, so the mapping is data here (``PROVINCE_FIELDS``), shown in
docs/guides/catalog.md, and easy to correct when the standard's text is at hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from govshare.catalog.schemas import (
    CATEGORY_CLASS_LABELS,
    FORMAT_CLASS_LABELS,
    OPEN_TYPE_LABELS,
    SHARE_METHOD_LABELS,
    SHARE_TYPE_LABELS,
    TYPE_CODE_LABELS,
    ResourcePublic,
)
from govshare.core.db import local_today

EU = "http://publications.europa.eu/resource/authority"
FREQUENCY = {
    "实时": f"{EU}/frequency/CONT",
    "每日": f"{EU}/frequency/DAILY",
    "每周": f"{EU}/frequency/WEEKLY",
    "每月": f"{EU}/frequency/MONTHLY",
    "每季度": f"{EU}/frequency/QUARTERLY",
    "每半年": f"{EU}/frequency/ANNUAL_2",
    "每年": f"{EU}/frequency/ANNUAL",
}
ACCESS_RIGHTS = {
    "open": f"{EU}/access-right/PUBLIC",
    "conditional": f"{EU}/access-right/RESTRICTED",
    "closed": f"{EU}/access-right/NON_PUBLIC",
}
# The EU file-type authority for the formats people download; other formats are described by
# a dct:MediaTypeOrExtent node with their label (DCAT-AP: dct:format is never a bare literal).
FILE_TYPES = {
    "CSV": f"{EU}/file-type/CSV",
    "XLSX": f"{EU}/file-type/XLSX",
    "XLS": f"{EU}/file-type/XLS",
    "JSON": f"{EU}/file-type/JSON",
    "XML": f"{EU}/file-type/XML",
    "PDF": f"{EU}/file-type/PDF",
    "PARQUET": f"{EU}/file-type/PARQUET",
}
LANGUAGE_ZH = f"{EU}/language/ZHO"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "adms": "http://www.w3.org/ns/adms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


def _zh(text: str) -> dict[str, str]:
    return {"@value": text, "@language": "zh"}


def dcat_format(label: str) -> dict[str, Any]:
    """A format as DCAT-AP wants it: the EU file-type IRI when there is one, else a
    dct:MediaTypeOrExtent node carrying the label."""
    iri = FILE_TYPES.get(label.strip().upper())
    if iri:
        return {"@id": iri}
    return {"@type": "dct:MediaTypeOrExtent", "rdfs:label": _zh(label)}


def resource_iri(code: str) -> str:
    """A stable IRI for a resource named by its code (``dct:relation`` needs IRIs, not text)."""
    return f"urn:govshare:resource:{code}"


def _theme(base_url: str, code: str, name: str) -> dict[str, Any]:
    return {
        "@id": f"{base_url}/themes/{code}",
        "@type": "skos:Concept",
        "skos:prefLabel": _zh(name),
        "skos:notation": code,
        "skos:inScheme": {"@id": f"{base_url}/themes"},
    }


def dcat_dataset(r: ResourcePublic, base_url: str) -> dict[str, Any]:
    """One published resource as a dcat:Dataset."""
    url = f"{base_url}/catalog/resources/{r.id}"
    ds: dict[str, Any] = {
        "@id": url,
        "@type": "dcat:Dataset",
        "dct:identifier": r.code,
        "dct:title": _zh(r.name),
        "dct:description": _zh(r.abstract),
        "dct:publisher": {
            "@type": "foaf:Agent",
            "foaf:name": _zh(r.provider_name),
            "dct:identifier": r.provider_code,
        },
        "dcat:theme": {"@id": f"{base_url}/themes/{r.category_code}"},
        "dct:accessRights": {"@id": ACCESS_RIGHTS[r.open_type]},
        "dcat:keyword": [_zh(k) for k in r.keywords],
        "adms:version": str(r.version),
        "dcat:landingPage": {"@id": url},
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dct:format": dcat_format(r.format_type or FORMAT_CLASS_LABELS[r.format_class]),
                "dcat:accessURL": {"@id": r.service_url or url},
            }
        ],
    }
    if r.update_cycle in FREQUENCY:
        ds["dct:accrualPeriodicity"] = {"@id": FREQUENCY[r.update_cycle]}
    if r.publish_date:
        ds["dct:issued"] = {"@value": r.publish_date.isoformat(), "@type": "xsd:date"}
    ds["dct:modified"] = {"@value": r.updated_at.date().isoformat(), "@type": "xsd:date"}
    if r.related_codes:
        ds["dct:relation"] = [{"@id": resource_iri(c)} for c in r.related_codes]
    return ds


def dcat_catalog(
    resources: Sequence[ResourcePublic], base_url: str, title: str, publisher: str
) -> dict[str, Any]:
    """The published catalog as DCAT-AP JSON-LD: the catalog node first, then the datasets, then
    the theme concepts (the catalog's categories as a skos:ConceptScheme)."""
    datasets = [dcat_dataset(r, base_url) for r in resources]
    themes = {r.category_code: r.category_name for r in resources}
    catalog = {
        "@id": f"{base_url}/catalog",
        "@type": "dcat:Catalog",
        "dct:title": _zh(title),
        "dct:description": _zh(
            f"{title}：{len(datasets)} 项信息资源的元数据，按国家政务信息资源目录编制指南编目。"
        ),
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": _zh(publisher)},
        "dct:language": {"@id": LANGUAGE_ZH},
        "dct:modified": {"@value": local_today().isoformat(), "@type": "xsd:date"},
        "dcat:themeTaxonomy": {
            "@id": f"{base_url}/themes",
            "@type": "skos:ConceptScheme",
            "dct:title": _zh("政务信息资源分类"),
        },
        "dcat:dataset": [{"@id": d["@id"]} for d in datasets],
    }
    concepts = [_theme(base_url, code, name) for code, name in sorted(themes.items())]
    return {"@context": CONTEXT, "@graph": [catalog, *datasets, *concepts]}


@dataclass(frozen=True)
class ProvinceField:
    """One element of the exchange form: our field, its GB/T 21063.3 and DB37/T 2885 names."""

    key: str
    gbt21063: str
    db37: str


PROVINCE_FIELDS: tuple[ProvinceField, ...] = (
    ProvinceField("category", "信息资源分类", "信息资源分类"),
    ProvinceField("name", "信息资源名称", "信息资源名称"),
    ProvinceField("code", "信息资源标识符", "信息资源代码"),
    ProvinceField("provider_name", "信息资源提供方", "信息资源提供方"),
    ProvinceField("provider_code", "", "信息资源提供方代码"),
    ProvinceField("abstract", "信息资源摘要", "信息资源摘要"),
    ProvinceField("format", "", "信息资源格式"),
    ProvinceField("share_type", "", "共享类型"),
    ProvinceField("share_conditions", "", "共享条件"),
    ProvinceField("share_method", "", "共享方式"),
    ProvinceField("open_type", "", "开放属性"),
    ProvinceField("open_conditions", "", "开放条件"),
    ProvinceField("update_cycle", "", "更新周期"),
    ProvinceField("publish_date", "信息资源发布日期", "发布日期"),
    ProvinceField("related_codes", "", "关联资源代码"),
    ProvinceField("keywords", "关键字说明", "关键字说明"),
    ProvinceField("service_url", "在线资源链接地址", "在线资源链接地址"),
    ProvinceField("maintainer", "元数据维护方", "元数据维护方"),
    ProvinceField("metadata_date", "元数据更新日期", "元数据更新日期"),
    ProvinceField("version", "", "元数据版本"),
    ProvinceField("grading_level", "", "数据分级"),
    ProvinceField("record_count", "", "数据量"),
)


def province_record(r: ResourcePublic) -> dict[str, Any]:
    """One resource in the province form, keyed by the DB37/T 2885 element names."""
    values: dict[str, Any] = {
        "category": f"{r.category_code} {r.category_name}",
        "name": r.name,
        "code": r.code,
        "provider_name": r.provider_name,
        "provider_code": r.provider_code,
        "abstract": r.abstract,
        "format": f"{FORMAT_CLASS_LABELS[r.format_class]}/{r.format_type}".rstrip("/"),
        "share_type": SHARE_TYPE_LABELS[r.share_type],
        "share_conditions": r.share_conditions or r.legal_basis,
        "share_method": SHARE_METHOD_LABELS[r.share_method],
        "open_type": OPEN_TYPE_LABELS[r.open_type],
        "open_conditions": r.open_conditions,
        "update_cycle": r.update_cycle,
        "publish_date": r.publish_date.isoformat() if r.publish_date else "",
        "related_codes": "；".join(r.related_codes),
        "keywords": "；".join(r.keywords),
        "service_url": r.service_url,
        "maintainer": r.provider_name,
        "metadata_date": r.updated_at.date().isoformat(),
        "version": str(r.version),
        "grading_level": str(r.grading_level),
        "record_count": "" if r.record_count is None else str(r.record_count),
    }
    out = {f.db37: values[f.key] for f in PROVINCE_FIELDS}
    out["目录类别"] = CATEGORY_CLASS_LABELS[r.category_class]
    out["信息项"] = [
        {
            "信息项名称": i.name,
            "数据类型": f"{i.type_code}（{TYPE_CODE_LABELS[i.type_code]}）",
            "数据长度": "" if i.length is None else str(i.length),
        }
        for i in r.data_items
    ]
    return out


def province_xml(records: Sequence[dict[str, Any]], area_code: str, generated: str) -> bytes:
    """The province form as XML (element names are the DB37/T 2885 names)."""
    root = ElementTree.Element(
        "政务信息资源目录", {"行政区划代码": area_code, "生成时间": generated}
    )
    for rec in records:
        node = ElementTree.SubElement(root, "信息资源")
        for key, value in rec.items():
            if key == "信息项":
                items = ElementTree.SubElement(node, "信息项信息")
                for item in value:
                    child = ElementTree.SubElement(items, "信息项")
                    for k, v in item.items():
                        ElementTree.SubElement(child, k).text = v
            else:
                ElementTree.SubElement(node, key).text = str(value)
    ElementTree.indent(root)
    data: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return data
