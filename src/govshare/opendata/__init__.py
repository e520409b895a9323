"""Open data: the public portal (公共数据开放平台) of the city, per 山东省政府令第344号.

Owns releases (开放: a published catalog resource whose 开放属性 is 无条件开放 or 有条件开放, put on
the portal with the masks its data items pass — the de-identification check refuses personal
items left in the clear), level changes (lowering a level waits for a platform admin's
approval), public users (self-registration with e-mail verification, API keys), applications
for conditionally open resources (申请表 + 安全承诺书; decided by the provider's reviewers on
the portal's admin page, see ``hand_to_provider``), public data requests (数据需求) and usage
counts.

Public reads go through the catalog's and the datastore's services as the portal's system actor
(``service/_common.PORTAL``) once the portal has decided a resource is released; search is the
catalog's own full-text index. Anonymous, ``lang="zh-CN"`` pages live under ``/open``; the CKAN
Action API under ``/api/3/action`` (and ``/api/action``) with ``/datastore/dump/{id}``; DCAT-AP at
``/catalog.jsonld``, ``/catalog.ttl``, ``/catalog.rdf``.

Vocabulary (DESIGN.md glossary): 开放属性 = open_type / level (open / conditional / closed);
脱敏 = masking; 数据需求 = data request; 提供方 = provider.

Extra files: ``ckan.py`` (CKAN's dict shapes, identifiers and query syntax), ``demo.py`` (open
demo resources with small datasets), ``service/`` (a package split by sub-entity).
"""
