"""Catalog: the government information resource catalog (政务信息资源目录) per the 2017 national
compilation guide (发改高技〔2017〕1272号) and STANDARDS.md §1.

Owns resources (信息资源) with their national core metadata, data items (信息项), the category
tree (类/项/目/细目), versions and reviews (filing: draft → submitted → returned | published →
revised → retired), search (jieba-segmented tokens in SQLite FTS5 or PostgreSQL full text),
Excel/CSV import and export, statistics and the exchange exports (DCAT-AP, province form).

Vocabulary (DESIGN.md glossary): 政务信息资源目录 / 信息资源 = catalog / resource;
信息项 = data item; 提供方 = provider; 共享类型 = share_type (unconditional / conditional /
none); 开放属性 = open_type (open / conditional / closed); 更新周期 = update_cycle;
一数一源 = authoritative provider.

Extra files: ``rules.py`` (the guide's rules as named checks, shared by forms, API and import),
``search.py`` (segmentation and the two full-text backends), ``excel.py`` (the template, the
.xlsx/.csv readers and the .xlsx writer), ``exchange.py`` (DCAT-AP JSON-LD and the GB/T 21063.3 /
DB37/T 2885 field mapping) and ``demo.py`` (categories and ≥ 300 deterministic demo resources).
"""
