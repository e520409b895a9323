"""Deterministic demo data: the 目 of the classification and ≥ 300 realistic resources.

Categories: the 目 of the five base catalogs and the twelve thematic ones, and one 目 per
municipal department, vertical unit and county under 部门 → 省及其下各级政务部门 (307). Resources
are generated from fixed templates with a fixed seed, through the real services, so every rule
holds for them. Names of people never appear: demo resources describe data, they hold none.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from govshare.accounts import service as accounts
from govshare.catalog.models import Category
from govshare.catalog.schemas import CategoryCreate
from govshare.catalog.service import create_category
from govshare.core.security import SYSTEM

BASE_MU: dict[str, tuple[str, ...]] = {
    "101": ("人口基本信息", "户籍管理信息", "人口变动信息"),
    "102": ("法人单位登记信息", "法人单位变更信息", "法人年度报告信息"),
    "103": ("基础测绘信息", "国土空间规划信息", "不动产登记信息", "自然资源调查信息"),
    "104": ("公共信用信息", "信用评价信息", "守信激励和失信惩戒信息"),
    "105": ("个人电子证照", "法人电子证照"),
}
THEMATIC_MU: dict[str, tuple[str, ...]] = {
    "201": ("政务服务事项", "公共服务设施"),
    "202": ("医疗卫生服务", "疾病预防控制"),
    "203": ("社会保险", "社会救助"),
    "204": ("食品安全监管", "药品安全监管"),
    "205": ("企业安全生产", "危险化学品管理"),
    "206": ("价格监测",),
    "207": ("能源供应保障",),
    "208": ("信用监管",),
    "209": ("住房和城乡建设", "城市管理"),
    "210": ("网格化社会治理",),
    "211": ("环境质量监测", "污染源监管"),
    "212": ("应急资源", "突发事件"),
}
DEPARTMENTAL_XIANG = "307"  # 省（自治区、直辖市）及其下各级政务部门


def seed_categories(session: Session) -> dict[int, str]:
    """Create the 目 of the demo classification; returns department id → its 部门目录 code."""
    by_code = {c.full_code: c for c in session.scalars(select(Category))}
    for xiang, names in {**BASE_MU, **THEMATIC_MU}.items():
        for i, name in enumerate(names, 1):
            create_category(
                session,
                SYSTEM,
                CategoryCreate(parent_id=by_code[xiang].id, code=f"{i:03d}", name=name),
            )
    units, _c = accounts.list_departments(session, SYSTEM, limit=1000)
    kinds = ("municipal", "vertical", "county")
    own = [u for u in units if str(u.kind) in kinds or getattr(u.kind, "value", "") in kinds]
    out: dict[int, str] = {}
    for i, unit in enumerate(own, 1):
        created = create_category(
            session,
            SYSTEM,
            CategoryCreate(
                parent_id=by_code[DEPARTMENTAL_XIANG].id,
                code=f"{i:03d}",
                name=unit.name,
                department_id=unit.id,
                sort_order=i,
            ),
        )
        out[unit.id] = created.full_code
    return out


# --- resources ---------------------------------------------------------------------------------
# One line per resource: unit | 目 (前段码, or "own" for the unit's 部门目录) | name | abstract |
# format class/type | share | open | cycle | grading | items. Items: name:type[:length][:flags],
# flags k = key, r = required, p = personal, 2/3/4 = sensitivity, @unit = authoritative source.
ID = "公民身份号码:C:18:krp3@市公安局"
USCC = "统一社会信用代码:C:18:kr@市市场监管局"
NAME = "姓名:C:50:rp2"
PHONE = "联系电话:C:20:p3"
ORG = "单位名称:C:200:r"
CORE: tuple[str, ...] = (
    f"市公安局|101001|人口基础信息|全市户籍人口和登记流动人口的基础身份信息，用于身份核验和人口统计。|database/达梦|conditional|closed|实时|3|姓名:C:20:rp2|性别:C:2:p|{ID}|出生日期:D::p|民族:C:10:p|户籍地区划:C:6|户籍地址:C:100:p3|联系电话:C:11:p3|登记日期:D|更新时间:T|是否有效:L|家庭人口数:I",
    f"市公安局|101002|户籍登记信息|户籍迁入、迁出、变更登记记录。|database/达梦|conditional|closed|每日|3|{ID}|{NAME}|户籍地址:C:200:p3|迁移类型:C:20|登记日期:D",
    f"市公安局|101003|流动人口居住登记信息|流动人口居住登记和居住证办理信息。|database/达梦|conditional|closed|每日|3|{ID}|{NAME}|居住地址:C:200:p3|登记日期:D|居住证编号:C:30",
    "市卫生健康委|101003|出生医学证明信息|新生儿出生医学证明签发信息。|database/KingbaseES|conditional|closed|每日|3|出生医学证明编号:C:20:kr|新生儿姓名:C:50:p2|母亲公民身份号码:C:18:p3@市公安局|出生日期:D:p|出生地点:C:100",
    f"市民政局|101003|死亡登记信息|殡葬服务机构和医疗机构报送的死亡登记信息。|database/达梦|conditional|closed|每日|3|{ID}|{NAME}|死亡日期:D:p|火化日期:D",
    "市民政局|101002|婚姻登记信息|结婚、离婚登记记录。|database/达梦|conditional|closed|每日|3|男方公民身份号码:C:18:p3@市公安局|女方公民身份号码:C:18:p3@市公安局|登记类型:C:10|登记日期:D|登记机关:C:100",
    f"市市场监管局|102001|市场主体登记信息|全市企业、个体工商户、农民专业合作社的登记信息。|database/达梦|unconditional|conditional|实时|2|{USCC}|名称:C:100:r|法定代表人:C:50:p2|成立日期:D|注册资本:Y|住所:C:100|登记状态:C:10|所属区划:C:6",
    f"市市场监管局|102002|市场主体变更登记信息|市场主体名称、住所、法定代表人等事项的变更记录。|database/达梦|unconditional|conditional|每日|2|{USCC}|变更事项:C:50|变更前内容:M|变更后内容:M|变更日期:D",
    f"市市场监管局|102003|企业年度报告信息|企业年度报告公示信息。|database/达梦|unconditional|open|每年|1|{USCC}|报告年度:I|从业人数:I|资产总额:Y|营业总收入:Y",
    f"市编办|102001|机关事业单位登记信息|机关、事业单位法人登记管理信息。|database/达梦|unconditional|open|每月|1|{USCC}|单位名称:C:200:r|举办单位:C:200|开办资金:Y|宗旨和业务范围:M",
    f"市民政局|102001|社会组织登记信息|社会团体、民办非企业单位、基金会登记信息。|database/达梦|unconditional|open|每月|1|{USCC}|组织名称:C:200:r|业务主管单位:C:100|登记日期:D|活动地域:C:100",
    "市自然资源局|103001|基础地理信息数据|全市 1:2000 基础地理信息数据（矢量与影像）。|file/xml|conditional|closed|每年|3|图幅号:C:20:k|比例尺:C:10|测绘日期:D|坐标系:C:30",
    "市自然资源局|103002|国土空间总体规划|市级国土空间总体规划成果数据。|file/pdf|unconditional|open|每年|1|规划名称:C:100|批准文号:C:50|批准日期:D",
    "市自然资源局|103003|不动产登记信息|土地、房屋等不动产权利登记信息。|database/Oracle|conditional|closed|实时|3|不动产单元号:C:28:kr|权利人:C:100:p2|权利人证件号码:C:18:p3@市公安局|坐落:C:200|面积:B|权利类型:C:20|登记日期:D",
    "市自然资源局|103004|土地利用现状调查数据|国土调查土地利用现状图斑数据。|database/Oracle|unconditional|conditional|每年|2|图斑编号:C:20:k|地类编码:C:10|地类名称:C:50|图斑面积:B|坐落单位:C:100",
    "市水利局|103004|河湖水系基础数据|河流、湖泊、水库等水系基础信息。|database/达梦|unconditional|open|每年|1|河湖编码:C:20:k|河湖名称:C:50|长度:B|流域面积:B",
    f"市发改委|104001|公共信用信息|全市法人和自然人公共信用信息归集数据。|database/达梦|conditional|closed|每日|3|{USCC}|信息类别:C:20|信息内容:M|认定单位:C:100|认定日期:D",
    f"市发改委|104002|公共信用综合评价结果|市场主体公共信用综合评价等级。|database/达梦|unconditional|conditional|每月|2|{USCC}|主体名称:C:200|评价等级:C:2|评价日期:D",
    f"市发改委|104003|失信惩戒对象名单|严重失信主体名单及惩戒措施。|database/达梦|unconditional|conditional|每日|2|{USCC}|主体名称:C:200|列入事由:M|列入日期:D|惩戒措施:M",
    f"市市场监管局|104001|行政处罚信息|市场监管领域行政处罚决定信息（双公示）。|database/达梦|unconditional|open|实时|1|行政处罚决定书文号:C:50:kr|{USCC}|当事人名称:C:200|违法行为类型:C:100|处罚内容:M|处罚决定日期:D",
    f"市行政审批局|104001|行政许可信息|行政许可决定信息（双公示）。|database/达梦|unconditional|open|实时|1|行政许可决定书文号:C:50:kr|{USCC}|许可类别:C:50|许可内容:M|许可决定日期:D|有效期至:D",
    f"市市场监管局|105002|营业执照电子证照|电子营业执照照面信息。|database/达梦|unconditional|open|实时|1|{USCC}|企业名称:C:200:r|类型:C:50|法定代表人:C:50|住所:C:200|发照日期:D",
    f"市公安局|105001|居民身份证电子证照|居民身份证电子证照照面信息，仅用于身份核验。|interface_db|conditional|closed|实时|4|{ID}|{NAME}|有效期限:C:30|签发机关:C:100|照片:G::p4",
    "市民政局|105001|结婚证电子证照|结婚证电子证照信息。|database/达梦|conditional|closed|实时|3|证照编号:C:30:kr|持证人公民身份号码:C:18:p3@市公安局|持证人姓名:C:50:p2|登记日期:D",
    f"市人社局|105001|社会保障卡电子证照|社会保障卡电子证照信息。|database/达梦|conditional|closed|实时|3|社会保障号码:C:18:krp3|{NAME}|发卡日期:D|卡状态:C:10",
    f"市住建局|105002|建筑业企业资质证书|建筑业企业资质电子证书信息。|database/达梦|unconditional|open|实时|1|证书编号:C:30:kr|{USCC}|资质类别及等级:C:100|有效期至:D",
    f"市交通运输局|105002|道路运输经营许可证|道路运输经营许可电子证照。|database/达梦|unconditional|open|实时|1|许可证号:C:30:kr|{USCC}|经营范围:M|有效期至:D",
    f"市卫生健康委|105002|医疗机构执业许可证|医疗机构执业许可电子证照。|database/达梦|unconditional|open|实时|1|登记号:C:30:kr|{USCC}|机构名称:C:200|诊疗科目:M|有效期至:D",
)
# Topics per unit: (resource name, 主题 目 or "own", abstract, items, format, grading).
TOPICS: dict[str, tuple[tuple[str, str, str, str, str, int], ...]] = {
    "市人社局": (
        (
            "城镇职工养老保险参保信息",
            "203001",
            "职工基本养老保险参保与缴费状态。",
            f"{ID}|{NAME}|参保状态:C:10|参保日期:D|缴费基数:Y:p3",
            "database/达梦",
            3,
        ),
        (
            "失业保险待遇发放信息",
            "203001",
            "失业保险金申领与发放记录。",
            f"{ID}|{NAME}|发放金额:Y:p3|发放月份:C:6",
            "database/达梦",
            3,
        ),
        (
            "就业登记信息",
            "own",
            "劳动者就业、失业登记信息。",
            f"{ID}|{NAME}|{USCC}|就业日期:D",
            "database/达梦",
            3,
        ),
        (
            "职业技能等级证书信息",
            "own",
            "职业技能等级认定证书信息。",
            f"证书编号:C:30:kr|{ID}|{NAME}|职业名称:C:100|等级:C:10",
            "database/达梦",
            3,
        ),
    ),
    "市医保局": (
        (
            "基本医疗保险参保信息",
            "203001",
            "城乡居民和职工基本医疗保险参保信息。",
            f"{ID}|{NAME}|参保类型:C:20|参保状态:C:10",
            "database/达梦",
            3,
        ),
        (
            "定点医药机构名录",
            "202001",
            "医保定点医疗机构和零售药店名录。",
            f"{USCC}|机构名称:C:200:r|机构类型:C:20|地址:C:200",
            "spreadsheet/xlsx",
            1,
        ),
        (
            "医保基金结算汇总",
            "own",
            "按月汇总的医保基金结算数据（不含个人明细）。",
            "结算月份:C:6:k|统筹区:C:6|结算人次:I|结算金额:Y",
            "spreadsheet/xlsx",
            1,
        ),
    ),
    "市民政局": (
        (
            "最低生活保障对象信息",
            "203002",
            "城乡低保对象及保障金发放信息。",
            f"{ID}|{NAME}|保障类别:C:20|保障金额:Y:p3|所属区县:C:50",
            "database/达梦",
            3,
        ),
        (
            "特困人员供养信息",
            "203002",
            "特困人员认定与供养信息。",
            f"{ID}|{NAME}|供养方式:C:20|认定日期:D",
            "database/达梦",
            3,
        ),
        (
            "养老服务机构名录",
            "201002",
            "全市养老服务机构基本信息。",
            f"{USCC}|机构名称:C:200:r|床位数:I|地址:C:200",
            "spreadsheet/xlsx",
            1,
        ),
        (
            "行政区划和地名信息",
            "own",
            "乡镇（街道）、村（社区）区划与标准地名。",
            "区划代码:C:12:k|名称:C:100|上级区划代码:C:12",
            "database/达梦",
            1,
        ),
    ),
    "市卫生健康委": (
        (
            "医疗机构名录",
            "202001",
            "全市医疗卫生机构名录。",
            f"{USCC}|机构名称:C:200:r|机构类别:C:50|床位数:I|地址:C:200",
            "database/达梦",
            1,
        ),
        (
            "预防接种信息",
            "202002",
            "儿童预防接种记录。",
            "受种者公民身份号码:C:18:p3@市公安局|受种者姓名:C:50:p2|疫苗名称:C:100|接种日期:D",
            "database/达梦",
            3,
        ),
        (
            "执业医师注册信息",
            "own",
            "执业医师注册与执业地点信息。",
            f"医师执业证书编码:C:30:kr|{NAME}|执业类别:C:20|执业机构:C:200",
            "database/达梦",
            2,
        ),
    ),
    "市教育局": (
        (
            "中小学学籍信息",
            "201001",
            "全市中小学学生学籍信息。",
            f"全国学籍号:C:19:krp3|{NAME}|学校名称:C:200|年级:C:10|入学日期:D",
            "database/达梦",
            3,
        ),
        (
            "学校基本信息",
            "201002",
            "各级各类学校基本信息。",
            f"{USCC}|学校名称:C:200:r|办学类型:C:20|在校生数:I|地址:C:200",
            "spreadsheet/xlsx",
            1,
        ),
        (
            "教师资格认定信息",
            "own",
            "教师资格认定与证书信息。",
            f"证书号码:C:30:kr|{NAME}|资格种类:C:50|任教学科:C:50",
            "database/达梦",
            2,
        ),
    ),
    "市住建局": (
        (
            "商品房预售许可信息",
            "209001",
            "商品房预售许可证核发信息。",
            f"预售许可证号:C:30:kr|{USCC}|项目名称:C:200|预售面积:B",
            "database/达梦",
            1,
        ),
        (
            "建设工程施工许可信息",
            "209001",
            "建筑工程施工许可证核发信息。",
            f"施工许可证编号:C:30:kr|{USCC}|工程名称:C:200|合同价格:Y",
            "database/达梦",
            1,
        ),
        (
            "住房保障对象信息",
            "203002",
            "公租房等住房保障对象信息。",
            f"{ID}|{NAME}|保障方式:C:20|保障房地址:C:200:p3",
            "database/达梦",
            3,
        ),
    ),
    "市公积金中心": (
        (
            "住房公积金缴存信息",
            "own",
            "单位和个人住房公积金缴存信息。",
            f"{ID}|{NAME}|{USCC}|月缴存额:Y:p3|缴存状态:C:10",
            "database/达梦",
            3,
        ),
        (
            "住房公积金贷款信息",
            "own",
            "住房公积金个人贷款发放与还款信息。",
            f"{ID}|贷款金额:Y:p3|贷款期限:I|发放日期:D",
            "database/达梦",
            3,
        ),
    ),
    "市交通运输局": (
        (
            "道路运输车辆信息",
            "own",
            "营运车辆道路运输证信息。",
            f"道路运输证号:C:30:kr|车牌号码:C:10|{USCC}|车辆类型:C:20",
            "database/达梦",
            1,
        ),
        (
            "公交线路与站点信息",
            "201002",
            "城市公交线路、站点与运营时间。",
            "线路编号:C:10:k|线路名称:C:50|站点名称:C:100|首末班时间:C:20",
            "self_describing/json",
            1,
        ),
    ),
    "市生态环境局": (
        (
            "空气质量监测数据",
            "211001",
            "国控、省控空气自动监测站小时数据。",
            "站点编号:C:20:k|监测时间:T|PM2.5浓度:N|PM10浓度:N|AQI:I",
            "database/达梦",
            1,
        ),
        (
            "排污许可信息",
            "211002",
            "排污许可证核发信息。",
            f"许可证编号:C:30:kr|{USCC}|行业类别:C:50|有效期至:D",
            "database/达梦",
            1,
        ),
        (
            "重点排污单位名录",
            "211002",
            "重点排污单位名录。",
            f"{USCC}|单位名称:C:200:r|排污类别:C:50",
            "spreadsheet/xlsx",
            1,
        ),
    ),
    "市应急局": (
        (
            "危险化学品企业信息",
            "205002",
            "危险化学品生产、经营、储存企业信息。",
            f"{USCC}|企业名称:C:200:r|危险化学品名称:M|重大危险源等级:C:10",
            "database/达梦",
            2,
        ),
        (
            "安全生产行政处罚信息",
            "205001",
            "安全生产领域行政处罚信息。",
            f"处罚决定书文号:C:50:kr|{USCC}|处罚内容:M|处罚日期:D",
            "database/达梦",
            1,
        ),
        (
            "应急物资储备信息",
            "212001",
            "应急物资储备库与物资清单。",
            "储备库编号:C:20:k|物资名称:C:100|数量:I|存放地点:C:200",
            "spreadsheet/xlsx",
            2,
        ),
        (
            "避难场所信息",
            "212001",
            "应急避难场所位置与容量。",
            "场所编号:C:20:k|场所名称:C:100|容纳人数:I|地址:C:200|经纬度:C:50",
            "self_describing/json",
            1,
        ),
    ),
    "市市场监管局": (
        (
            "食品经营许可信息",
            "204001",
            "食品经营许可证核发信息。",
            f"许可证编号:C:30:kr|{USCC}|经营者名称:C:200|经营项目:M|有效期至:D",
            "database/达梦",
            1,
        ),
        (
            "药品经营许可信息",
            "204002",
            "药品经营许可证核发信息。",
            f"许可证编号:C:30:kr|{USCC}|企业名称:C:200|经营范围:M",
            "database/达梦",
            1,
        ),
        (
            "食品抽检信息",
            "204001",
            "食品安全监督抽检结果。",
            f"抽检编号:C:30:kr|{USCC}|食品名称:C:100|抽检结果:C:10|抽检日期:D",
            "database/达梦",
            1,
        ),
        (
            "重要商品价格监测数据",
            "206001",
            "粮油、肉蛋菜等重要商品价格。",
            "监测日期:D:k|商品名称:C:50|规格:C:50|价格:Y",
            "spreadsheet/xlsx",
            1,
        ),
    ),
    "市发改委": (
        (
            "政府投资项目信息",
            "own",
            "政府投资项目审批、核准、备案信息。",
            f"项目代码:C:24:kr|项目名称:C:200|{USCC}|总投资:Y|建设地点:C:200",
            "database/达梦",
            1,
        ),
        (
            "能源消费统计",
            "207001",
            "重点用能单位能源消费数据。",
            f"{USCC}|年度:I|综合能源消费量:N",
            "spreadsheet/xlsx",
            2,
        ),
    ),
    "市统计局": (
        (
            "规模以上工业企业名录",
            "own",
            "规模以上工业企业名录及主要指标。",
            f"{USCC}|单位名称:C:200:r|行业代码:C:4|从业人员:I|营业收入:Y",
            "spreadsheet/xlsx",
            1,
        ),
        (
            "地区生产总值统计数据",
            "own",
            "季度、年度地区生产总值核算数据。",
            "统计期:C:6:k|地区:C:50|地区生产总值:Y|增速:N",
            "spreadsheet/xlsx",
            1,
        ),
        (
            "人口抽样调查汇总数据",
            "own",
            "人口变动抽样调查汇总数据（不含个人）。",
            "年度:I:k|地区:C:50|常住人口:I|出生率:N|死亡率:N",
            "spreadsheet/xlsx",
            1,
        ),
    ),
    "市财政局": (
        (
            "政府采购项目信息",
            "own",
            "政府采购项目、合同与供应商信息。",
            f"项目编号:C:30:kr|项目名称:C:200|{USCC}|合同金额:Y",
            "database/达梦",
            1,
        ),
        (
            "财政预算执行数据",
            "own",
            "一般公共预算收支执行情况。",
            "期间:C:6:k|科目编码:C:20|科目名称:C:100|执行数:Y",
            "spreadsheet/xlsx",
            1,
        ),
    ),
    "市农业农村局": (
        (
            "耕地地力保护补贴发放信息",
            "own",
            "耕地地力保护补贴发放记录。",
            f"{ID}|{NAME}|补贴面积:B|补贴金额:Y:p3",
            "database/达梦",
            3,
        ),
        (
            "农民专业合作社信息",
            "own",
            "农民专业合作社名录。",
            f"{USCC}|合作社名称:C:200:r|成员数:I|主营产品:C:100",
            "spreadsheet/xlsx",
            1,
        ),
    ),
    "市城管局": (
        (
            "城市部件信息",
            "209002",
            "井盖、路灯、垃圾箱等城市部件普查数据。",
            "部件编号:C:20:k|部件类型:C:20|所在位置:C:200|权属单位:C:100",
            "database/达梦",
            1,
        ),
        (
            "数字城管案件信息",
            "210001",
            "城市管理问题上报与处置记录。",
            "案件编号:C:20:k|问题类型:C:50|发生地点:C:200|处置状态:C:10|上报时间:T",
            "database/达梦",
            1,
        ),
    ),
    "市司法局": (
        (
            "律师事务所信息",
            "own",
            "律师事务所执业许可信息。",
            f"{USCC}|律所名称:C:200:r|负责人:C:50|执业人数:I",
            "spreadsheet/xlsx",
            1,
        ),
        (
            "人民调解案件信息",
            "210001",
            "人民调解组织受理和调解案件。",
            "案件编号:C:20:k|纠纷类型:C:50|调解结果:C:20|受理日期:D",
            "database/达梦",
            2,
        ),
    ),
    "市退役军人局": (
        (
            "退役军人信息",
            "own",
            "退役军人基本信息与优待信息。",
            f"{ID}|{NAME}|退役时间:D|安置方式:C:20",
            "database/达梦",
            3,
        ),
    ),
    "市税务局": (
        (
            "纳税人登记信息",
            "102001",
            "纳税人税务登记信息。",
            f"{USCC}|纳税人名称:C:200:r|登记注册类型:C:50|主管税务机关:C:100",
            "database/Oracle",
            2,
        ),
        (
            "纳税信用等级信息",
            "104002",
            "纳税人纳税信用评价等级。",
            f"{USCC}|纳税人名称:C:200|信用等级:C:2|评价年度:I",
            "database/Oracle",
            1,
        ),
    ),
    "市气象局": (
        (
            "气象观测数据",
            "212002",
            "地面气象观测站逐时数据。",
            "站号:C:10:k|观测时间:T|气温:N|降水量:N|风速:N",
            "self_describing/json",
            1,
        ),
        (
            "气象预警信息",
            "212002",
            "气象灾害预警信号发布信息。",
            "预警编号:C:30:k|预警类型:C:20|预警级别:C:10|发布时间:T",
            "self_describing/json",
            1,
        ),
    ),
    "市民热线管理办": (
        (
            "12345 热线工单汇总数据",
            "201001",
            "按月汇总的 12345 热线工单数量与办结率。",
            "统计月份:C:6:k|诉求类型:C:20|工单数:I|按时办结率:N",
            "spreadsheet/xlsx",
            1,
        ),
    ),
    "市行政审批局": (
        (
            "政务服务事项目录",
            "201001",
            "行政许可、公共服务等政务服务事项目录。",
            "事项编码:C:40:kr|事项名称:C:200|事项类型:C:20|办理时限:I",
            "database/达梦",
            1,
        ),
    ),
    "市文旅局": (
        (
            "A 级旅游景区信息",
            "own",
            "A 级旅游景区名录。",
            "景区名称:C:100:kr|等级:C:5|地址:C:200|开放时间:C:100",
            "spreadsheet/xlsx",
            1,
        ),
    ),
    "市商务局": (
        (
            "对外贸易经营者备案信息",
            "own",
            "对外贸易经营者备案登记。",
            f"{USCC}|企业名称:C:200:r|备案日期:D",
            "database/达梦",
            1,
        ),
    ),
    "市科技局": (
        (
            "高新技术企业名录",
            "own",
            "认定的高新技术企业名单。",
            f"{USCC}|企业名称:C:200:r|证书编号:C:30|认定日期:D",
            "spreadsheet/xlsx",
            1,
        ),
    ),
    "市工信局": (
        (
            "专精特新中小企业名单",
            "own",
            "专精特新中小企业认定名单。",
            f"{USCC}|企业名称:C:200:r|认定年度:I",
            "spreadsheet/xlsx",
            1,
        ),
    ),
}
# Every county government files the same kinds of local resources.
COUNTY: tuple[tuple[str, str, str, str, str, int], ...] = (
    (
        "{c}最低生活保障对象名录",
        "203002",
        "{c}城乡低保对象名录。",
        f"{ID}|{NAME}|保障金额:Y:p3|所属乡镇:C:50",
        "database/达梦",
        3,
    ),
    (
        "{c}网格化社会治理事件信息",
        "210001",
        "{c}网格员上报的社会治理事件。",
        "事件编号:C:20:k|事件类型:C:50|发生地点:C:200|处置状态:C:10",
        "database/达梦",
        2,
    ),
    (
        "{c}政务服务事项办件信息",
        "201001",
        "{c}政务服务事项办件数量与时效。",
        "办件编号:C:30:k|事项名称:C:200|受理日期:D|办结日期:D",
        "database/达梦",
        1,
    ),
    (
        "{c}农村土地承包经营权信息",
        "103003",
        "{c}农村土地承包经营权确权登记。",
        f"承包合同编号:C:30:kr|{ID}|承包地面积:B|坐落:C:200",
        "database/达梦",
        3,
    ),
    (
        "{c}乡村公共服务设施",
        "201002",
        "{c}村卫生室、文化广场等公共服务设施。",
        "设施编号:C:20:k|设施名称:C:100|所在村:C:100|经纬度:C:50",
        "spreadsheet/xlsx",
        1,
    ),
    (
        "{c}安全生产检查记录",
        "205001",
        "{c}对企业开展安全生产检查的记录。",
        f"检查编号:C:30:kr|{USCC}|检查日期:D|隐患数量:I",
        "database/达梦",
        1,
    ),
    (
        "{c}扬尘污染源清单",
        "211002",
        "{c}建筑工地等扬尘污染源清单。",
        "污染源编号:C:20:k|名称:C:100|地址:C:200|管控措施:M",
        "spreadsheet/xlsx",
        1,
    ),
    (
        "{c}财政预算公开数据",
        "own",
        "{c}一般公共预算公开数据。",
        "年度:I:k|科目名称:C:100|预算数:Y|执行数:Y",
        "spreadsheet/xlsx",
        1,
    ),
    (
        "{c}特困人员供养名录",
        "203002",
        "{c}特困人员供养名录。",
        f"{ID}|{NAME}|供养方式:C:20",
        "database/达梦",
        3,
    ),
    (
        "{c}重点项目建设信息",
        "own",
        "{c}市县重点项目建设进度。",
        "项目代码:C:24:kr|项目名称:C:200|年度投资:Y|形象进度:M",
        "spreadsheet/xlsx",
        1,
    ),
    (
        "{c}学校名录",
        "201002",
        "{c}中小学、幼儿园名录。",
        f"{USCC}|学校名称:C:200:r|学段:C:20|在校生数:I",
        "spreadsheet/xlsx",
        1,
    ),
    (
        "{c}医疗卫生机构名录",
        "202001",
        "{c}乡镇卫生院、村卫生室名录。",
        f"{USCC}|机构名称:C:200:r|机构类别:C:50",
        "spreadsheet/xlsx",
        1,
    ),
    (
        "{c}自然村和居民点信息",
        "own",
        "{c}自然村、居民点名称与位置。",
        "村编码:C:12:k|名称:C:100|户数:I|经纬度:C:50",
        "self_describing/json",
        1,
    ),
    (
        "{c}河长制河湖信息",
        "103004",
        "{c}河长制管理河湖及河长信息。",
        "河湖编码:C:20:k|河湖名称:C:50|县级河长:C:50",
        "spreadsheet/xlsx",
        1,
    ),
    (
        "{c}食品生产小作坊登记信息",
        "204001",
        "{c}食品生产加工小作坊登记。",
        f"登记证编号:C:30:kr|{USCC}|作坊名称:C:200|生产品种:C:100",
        "database/达梦",
        1,
    ),
    (
        "{c}应急救援队伍信息",
        "212001",
        "{c}应急救援队伍与装备。",
        "队伍编号:C:20:k|队伍名称:C:100|人数:I|主要装备:M",
        "spreadsheet/xlsx",
        2,
    ),
    (
        "{c}12345 热线工单办理数据",
        "210001",
        "{c}承办的 12345 热线工单办理情况汇总。",
        "统计月份:C:6:k|工单数:I|按时办结率:N|满意率:N",
        "spreadsheet/xlsx",
        1,
    ),
)
SHARE_METHOD = {
    "database": "interface",
    "spreadsheet": "file",
    "file": "file",
    "self_describing": "interface",
}
LEGAL_BASIS = "《山东省电子政务和政务数据管理办法》（省政府令第329号）第二十八条；《中华人民共和国个人信息保护法》第三十四条"
CONDITIONS = "仅向依法履职需要的政务部门共享，使用方须说明用途并经提供方审核；不得向第三方提供。"
DEMO_REVIEWER = "dianzheng.reviewer"


def _items(spec: str, units: dict[str, int]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for part in spec.split("|"):
        bits = part.split(":")
        name, type_code = bits[0], bits[1]
        rest = bits[2:]
        length = int(rest.pop(0)) if rest and rest[0].isdigit() else None
        if rest and not rest[0]:
            rest.pop(0)
        flags = rest[0] if rest else ""
        source = flags.split("@", 1)[1] if "@" in flags else None
        flags = flags.split("@", 1)[0]
        level = max([int(c) for c in flags if c.isdigit()] or [1])
        out.append(
            {
                "name": name,
                "type_code": type_code,
                "length": length,
                "is_key": "k" in flags,
                "required": "r" in flags or "k" in flags,
                "personal": "p" in flags,
                "sensitivity_level": level,
                "authoritative_provider_id": units[source] if source else None,
            }
        )
    return out


def _filing(
    unit_id: int,
    category: str,
    name: str,
    abstract: str,
    fmt: str,
    grading: int,
    items: list[dict[str, object]],
    cycle: str,
    share: str | None = None,
    opening: str | None = None,
) -> dict[str, object]:
    from govshare.core.config import get_settings

    if fmt == "interface_db":
        fmt = "database/达梦"
    format_class, format_type = fmt.split("/")
    default = get_settings().catalog_grading_defaults[grading]
    share_type, open_type = share or default[0], opening or default[1]
    if open_type == "open" and any(i["personal"] for i in items):
        open_type = "closed"
    data: dict[str, object] = {
        "name": name,
        "category_code": category,
        "provider_department_id": unit_id,
        "abstract": abstract,
        "format_class": format_class,
        "format_type": format_type,
        "share_type": share_type,
        "share_method": SHARE_METHOD[format_class],
        "open_type": open_type,
        "update_cycle": cycle,
        "grading_level": grading,
        "data_items": items,
        "keywords": [],
        "record_count": None,
    }
    if (share_type, open_type) != tuple(default):
        data["grading_override_reason"] = "按数据共享责任清单确定，已经本单位数据安全审查。"
    if share_type != "unconditional":
        data["legal_basis"] = LEGAL_BASIS
    if share_type == "conditional":
        data["share_conditions"] = CONDITIONS
    if open_type == "conditional":
        data["open_conditions"] = "依申请开放：经脱敏处理后向申请人提供，须签署数据安全承诺书。"
    return data


GENERIC: tuple[tuple[str, str, str, str, int], ...] = (
    (
        "权责清单",
        "行政权力事项和责任事项清单。",
        "事项编码:C:40:kr|事项名称:C:200|事项类别:C:20|实施依据:M",
        "spreadsheet/xlsx",
        1,
    ),
    (
        "政府信息主动公开目录",
        "主动公开的政府信息目录。",
        "索引号:C:40:kr|信息名称:C:200|发布日期:D|公开方式:C:20",
        "self_describing/json",
        1,
    ),
    (
        "行政执法人员信息",
        "持证行政执法人员与执法类别。",
        "执法证号:C:20:kr|姓名:C:50:rp2|执法类别:C:50|发证日期:D",
        "database/达梦",
        2,
    ),
)
CYCLES = ("每日", "每周", "每月", "每月", "每季度", "每年", "实时")


def _units(session: Session) -> dict[str, int]:
    rows, _c = accounts.list_departments(session, SYSTEM, limit=10_000)
    out: dict[str, int] = {}
    for d in rows:
        for key in (d.short_name, d.name):
            if key:
                out.setdefault(key, d.id)
    return out


def demo_filings(session: Session, own: dict[int, str]) -> list[dict[str, object]]:
    """Every demo resource as a filing (deterministic)."""
    import random

    from govshare.core.areas import COUNTIES

    rng = random.Random(371400)
    units = _units(session)
    out: list[dict[str, object]] = []
    for line in CORE:
        unit, cat, name, abstract, fmt, share, opening, cycle, grade, *specs = line.split("|")
        out.append(
            _filing(
                units[unit],
                cat,
                name,
                abstract,
                fmt,
                int(grade),
                _items("|".join(specs), units),
                cycle,
                share,
                opening,
            )
        )
    for unit, topics in TOPICS.items():
        uid = units[unit]
        for name, cat, abstract, items, fmt, grading in topics:
            category = own[uid] if cat == "own" else cat
            out.append(
                _filing(
                    uid,
                    category,
                    name,
                    abstract,
                    fmt,
                    grading,
                    _items(items, units),
                    rng.choice(CYCLES),
                )
            )
    short: dict[int, str] = {}
    for key, uid in units.items():
        short.setdefault(uid, key)
    for area in COUNTIES:
        uid = units[area.name]
        for name, cat, abstract, items, fmt, grading in COUNTY:
            category = own[uid] if cat == "own" else cat
            out.append(
                _filing(
                    uid,
                    category,
                    name.format(c=area.name),
                    abstract.format(c=area.name),
                    fmt,
                    grading,
                    _items(items, units),
                    rng.choice(CYCLES),
                )
            )
    for uid, category in sorted(own.items()):
        if short.get(uid) in {a.name for a in COUNTIES}:
            continue
        for name, abstract, items, fmt, grading in GENERIC:
            out.append(
                _filing(
                    uid,
                    category,
                    f"{short[uid]}{name}",
                    abstract,
                    fmt,
                    grading,
                    _items(items, units),
                    rng.choice(CYCLES),
                )
            )
    return out


def seed_resources(session: Session, own: dict[int, str]) -> dict[str, int]:
    """File, submit, return and publish the demo resources; returns counts by final status.

    The core base resources (人口基础信息 of 市公安局, 市场主体登记信息 of 市市场监管局 …) are
    always published: later modules build on them.
    """
    from govshare.catalog.schemas import ResourceCreate, ReturnDecision, ReviewDecision
    from govshare.catalog.service.common import Lookups
    from govshare.catalog.service.resources import create, submit
    from govshare.catalog.service.reviews import publish, send_back

    cache = Lookups(names={}, codes={})  # the demo fills an empty catalog
    counts = {"published": 0, "submitted": 0, "returned": 0, "draft": 0}
    for n, filing in enumerate(demo_filings(session, own)):
        created = create(session, SYSTEM, ResourceCreate.model_validate(filing), cache)
        status = (
            "published"
            if n < len(CORE)
            else (
                "published",
                "published",
                "published",
                "published",
                "published",
                "published",
                "published",
                "published",
                "submitted",
                "returned",
                "draft",
            )[n % 11]
        )
        if status != "draft":
            submit(session, SYSTEM, created.id)
        if status == "published":
            publish(session, SYSTEM, created.id, ReviewDecision(), cache)
        elif status == "returned":
            send_back(
                session,
                SYSTEM,
                created.id,
                ReturnDecision(comment="摘要请写明数据范围和统计口径；信息项请补充数据长度。"),
            )
        counts[status] += 1
    return counts


def seed_reviewer(session: Session, password: str) -> None:
    """A 市电政办 catalog reviewer account for the demo."""
    from govshare.accounts.schemas import UserCreate

    units = _units(session)
    accounts.create_user(
        session,
        SYSTEM,
        UserCreate(
            username=DEMO_REVIEWER,
            real_name="目录审核员（演示）",
            department_id=units["市电政办"],
            password=password,
            roles=["catalog_reviewer"],
        ),
    )
