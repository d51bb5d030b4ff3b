"""Static tables the demo district is built from: place names, organisations, the
matter-category tree and who is on duty for which branch of it.

Street names are the eight real streets (街道) of Shenzhen's Nanshan district; the
communities, estates and companies are realistic but invented.
"""

from __future__ import annotations

from gongzhi.access.choices import Role
from gongzhi.organisations.choices import DutyRole, OrganisationKind
from gongzhi.territory.choices import CommunityType

CITY = ("4403", "深圳市")
DISTRICT = ("440305", "南山区")
DISTRICT_SHORT = "南山"
CENTRE = (22.5330, 113.9305)  # Nanshan district office, roughly

#: (street name, community base names); ``small`` uses the first two streets.
STREETS: list[tuple[str, list[str]]] = [
    ("粤海街道", ["科技园", "海珠", "高新", "大冲", "铜鼓", "南油", "海滨"]),
    ("桃源街道", ["桃源", "龙联", "峰景", "珠光", "平山", "福光", "塘朗"]),
    ("南头街道", ["南头城", "田厦", "星海", "红花园", "前海", "马家龙", "安乐"]),
    ("南山街道", ["南山", "荔湾", "南园", "北头", "向南", "登良", "荔林"]),
    ("沙河街道", ["白石洲", "香山", "新塘", "沙河", "华侨城", "侨城东", "白石"]),
    ("蛇口街道", ["蛇口", "海昌", "渔一", "渔二", "湾厦", "东角头", "四海"]),
    ("招商街道", ["花果山", "水湾", "南海", "海月", "桃花园", "赤湾", "沿山"]),
    ("西丽街道", ["西丽", "白芒", "新围", "曙光", "松坪", "大磡", "麻磡"]),
]

ROADS = [
    "桃园路", "南海大道", "科苑路", "学府路", "前海路", "南新路", "登良路", "工业八路", "沙河西路", "侨香路",
    "留仙大道", "丽山路", "创业路", "南光路", "后海大道", "海德三道", "深南大道", "滨海大道", "沙河东路", "白石路",
    "望海路", "龙珠大道", "珠光路", "同乐路", "南头街", "中山园路", "东滨路", "蛇口新街", "太子路", "兴华路",
    "荔山路", "麒麟路", "松白路", "茶光路", "南坪大道", "北环大道", "高新南一道", "科技南路", "文心五路", "海秀路",
]  # fmt: skip

ESTATE_PREFIXES = [
    "阳光", "翠竹", "海韵", "锦绣", "荔景", "蔚蓝", "星海", "鼎太", "桂园", "金色", "天利", "半岛", "湾景", "雅园",
    "碧海", "云峰", "泊岸", "君汇", "华彩", "春晓", "怡海", "龙城", "美庐", "丽水", "嘉和", "瑞峰", "紫荆", "松涛",
    "明珠", "青青", "长源", "鸿瑞", "聚豪", "海岸", "新华", "东方", "景园", "花半里", "南粤", "鹏程",
]  # fmt: skip
COMMODITY_SUFFIXES = ["花园", "嘉园", "名苑", "华庭", "雅居", "公馆", "豪庭", "名城"]
WORK_UNITS = [
    "南油集团", "港务局", "蛇口工业区", "电子研究所", "石化公司", "机场公司", "招商局", "水泥厂", "邮电局", "食品公司",
]  # fmt: skip

#: How estates (and so buildings) of each community type are named and built.
#: (name patterns, floors range, has lift, built years range)
ESTATE_STYLES: dict[str, tuple[list[str], tuple[int, int], bool, tuple[int, int]]] = {
    CommunityType.OLD_RESIDENTIAL: (["{base}小区", "{base}新村", "{prefix}小区"], (6, 8), False, (1985, 1999)),
    CommunityType.COMMODITY_HOUSING: (["{prefix}{suffix}"], (18, 33), True, (2005, 2021)),
    CommunityType.URBAN_RURAL_FRINGE: (["{base}新村", "{base}工业区宿舍"], (4, 7), False, (1995, 2010)),
    CommunityType.URBAN_VILLAGE: (["{base}东村", "{base}西村", "{base}南村"], (5, 9), False, (1990, 2008)),
    CommunityType.RESETTLEMENT: (["{base}安置小区", "{prefix}家园"], (11, 18), True, (2008, 2018)),
    CommunityType.WORK_UNIT: (["{unit}宿舍区", "{unit}家属院"], (5, 7), False, (1980, 1995)),
    CommunityType.MIXED: (["{prefix}{suffix}", "{base}小区"], (7, 26), True, (1995, 2015)),
}

#: District departments: key → (name, code). Codes look like unified social credit codes.
DEPARTMENTS: dict[str, tuple[str, str]] = {
    "government": ("南山区人民政府", "11440305007542710X"),
    "housing": ("南山区住房和建设局", "114403050075427301"),
    "urban": ("南山区城市管理和综合执法局", "114403050075427402"),
    "civil": ("南山区民政局", "114403050075427503"),
    "health": ("南山区卫生健康局", "114403050075427604"),
    "labour": ("南山区人力资源局", "114403050075427705"),
    "education": ("南山区教育局", "114403050075427806"),
    "transport": ("深圳市交通运输局南山管理局", "114403050075427907"),
    "market": ("深圳市市场监督管理局南山监管局", "114403050075428008"),
    "emergency": ("南山区应急管理局", "114403050075428109"),
}

PROPERTY_COMPANIES = ["荔园", "海韵", "星河湾", "南粤", "鹏城", "前湾", "安居", "华景", "锦城", "嘉信", "润城", "湾区"]
SOCIAL_ORGANISATIONS = [
    "南山区启航社工服务中心",
    "南山区和谐家园社区基金会",
    "南山区长者关爱协会",
    "南山区青少年发展服务中心",
]
#: Utilities the duty list routes outages to: key → (name, code)
ENTERPRISES: dict[str, tuple[str, str]] = {
    "water": ("深圳市水务集团南山分公司", "91440300MA5DEMO0W1"),
    "power": ("深圳供电局南山供电分局", "91440300MA5DEMO0P2"),
    "gas": ("深圳燃气南山服务站", "91440300MA5DEMO0G3"),
}
EVALUATOR = ("鹏城社会治理评估研究院", "52440300MJDEMO0E01")

# --- Matter categories (事项分类) -------------------------------------------------------
# Who handles a branch, as a selector:
#   "dept:<key>"   that district department, district-wide
#   "street"       each street office, for its street
#   "police"       each street's police station, for its street
#   "committee"    each residents' committee, for its community
#   "property"     each property company, for each community it manages
#   "owners"       each owners' committee, for its community
#   "ent:<key>"    that utility company, district-wide
L, A = DutyRole.LEAD, DutyRole.ASSIST
Duty = tuple[str, DutyRole]
#: (name, English name, duties, [(leaf name, English name, extra duties for this leaf)])
Branch = tuple[str, str, list[Duty], list[tuple[str, str, list[Duty]]]]
CATEGORIES: list[tuple[str, str, list[Branch]]] = [
    ("市政设施", "Municipal facilities", [
        ("道路", "Roads", [("dept:urban", L), ("street", A)], [
            ("路面破损", "Damaged road surface", []),
            ("井盖缺失", "Missing manhole cover", [("dept:emergency", A)]),
            ("人行道破损", "Broken pavement", []),
        ]),
        ("照明", "Street lighting", [("dept:urban", L)], [
            ("路灯不亮", "Street light out", []),
            ("灯杆损坏", "Damaged lamp post", []),
        ]),
        ("排水", "Drainage", [("dept:urban", L), ("ent:water", A)], [
            ("下水道堵塞", "Blocked drain", []),
            ("道路积水", "Waterlogged road", [("dept:emergency", A)]),
        ]),
    ]),
    ("物业管理", "Property management", [
        ("电梯", "Lifts", [("property", L), ("dept:market", A)], [
            ("电梯故障", "Lift breakdown", []),
            ("电梯困人", "Person trapped in a lift", [("dept:emergency", A)]),
        ]),
        ("公共设施", "Shared facilities", [("property", L)], [
            ("门禁损坏", "Broken entrance gate", []),
            ("楼道照明", "Stairwell lighting", []),
        ]),
        ("物业服务", "Property services", [("property", L), ("owners", A), ("committee", A)], [
            ("物业费争议", "Service charge dispute", []),
            ("维修资金使用", "Use of the maintenance fund", [("dept:housing", A)]),
        ]),
        ("房屋安全", "Building safety", [("dept:housing", L), ("street", A)], [
            ("房屋裂缝", "Cracks in a building", []),
            ("外墙脱落", "Falling facade tiles", [("property", A)]),
        ]),
    ]),
    ("环境卫生", "Environment and sanitation", [
        ("垃圾分类", "Waste sorting", [("dept:urban", L), ("committee", A)], [
            ("垃圾未清运", "Rubbish not collected", []),
            ("分类投放不规范", "Improper waste sorting", []),
        ]),
        ("市容", "Streetscape", [("dept:urban", L), ("street", A)], [
            ("乱张贴", "Illegal posters", []),
            ("占道经营", "Street vending on the road", []),
        ]),
        ("绿化", "Greening", [("dept:urban", L)], [
            ("树木倒伏", "Fallen tree", [("dept:emergency", A)]),
            ("绿地损毁", "Damaged green space", []),
        ]),
    ]),
    ("治安消防", "Public order and fire safety", [
        ("消防安全", "Fire safety", [("street", L), ("dept:emergency", A)], [
            ("消防通道堵塞", "Blocked fire lane", [("property", A)]),
            ("消防设施损坏", "Damaged fire equipment", [("property", A)]),
            ("电动车违规充电", "Unsafe e-bike charging", [("committee", A)]),
        ]),
        ("治安", "Public order", [("police", L)], [
            ("可疑人员", "Suspicious persons", []),
            ("噪音扰民", "Noise nuisance", [("committee", A)]),
        ]),
    ]),
    ("邻里纠纷", "Neighbour disputes", [
        ("相邻关系", "Neighbour relations", [("committee", L), ("street", A)], [
            ("漏水纠纷", "Water leak between flats", [("property", A)]),
            ("违章搭建", "Unauthorised construction", [("dept:urban", A)]),
        ]),
        ("家庭矛盾", "Family conflicts", [("committee", L)], [
            ("家庭纠纷", "Family dispute", [("police", A)]),
        ]),
    ]),
    ("社会保障", "Social security", [
        ("养老服务", "Elderly care", [("dept:civil", L), ("committee", A)], [
            ("高龄津贴", "Old-age allowance", []),
            ("居家养老", "Home-based elderly care", []),
        ]),
        ("社会救助", "Social assistance", [("dept:civil", L), ("street", A)], [
            ("低保申请", "Minimum living allowance (低保)", []),
            ("临时救助", "Temporary assistance", []),
        ]),
        ("就业", "Employment", [("dept:labour", L)], [
            ("就业援助", "Employment assistance", []),
            ("欠薪投诉", "Unpaid wages", []),
        ]),
    ]),
    ("公共服务", "Public services", [
        ("医疗卫生", "Health", [("dept:health", L)], [
            ("社康服务", "Community health centre", []),
            ("疫苗接种", "Vaccination", []),
        ]),
        ("教育", "Education", [("dept:education", L)], [
            ("学位咨询", "School place enquiry", []),
        ]),
        ("水电气", "Water, power and gas", [("street", A)], [
            ("停水", "Water outage", [("ent:water", L)]),
            ("停电", "Power outage", [("ent:power", L)]),
            ("燃气安全", "Gas safety", [("ent:gas", L), ("dept:emergency", A)]),
        ]),
    ]),
    ("交通出行", "Transport", [
        ("停车", "Parking", [("dept:transport", L), ("police", A)], [
            ("乱停车", "Illegal parking", []),
            ("充电桩", "EV charging points", [("property", A)]),
        ]),
        ("公交", "Public transport", [("dept:transport", L)], [
            ("公交站设施", "Bus stop facilities", []),
        ]),
    ]),
    ("咨询建议", "Enquiries and suggestions", [
        ("证照办理", "Permits and registration", [("police", L)], [
            ("户籍业务", "Household registration (户籍)", []),
            ("居住证办理", "Residence permit", []),
        ]),
        ("意见建议", "Suggestions", [("committee", L), ("street", A)], [
            ("社区建设建议", "Suggestion for the community", []),
        ]),
    ]),
]  # fmt: skip

#: How many staff accounts of each role per organisation/area they serve.
STAFF_PER_UNIT: dict[Role, int] = {
    Role.GRID_WORKER: 1,  # per grid
    Role.COMMUNITY_WORKER: 2,  # per residents' committee
    Role.STREET_OFFICIAL: 2,  # per street office
    Role.DISTRICT_OFFICIAL: 2,  # district government
    Role.DEPARTMENT_HANDLER: 1,  # per department
    Role.PROPERTY_STAFF: 1,  # per property company
    Role.OWNERS_COMMITTEE: 1,  # per owners' committee
    Role.SOCIAL_ORG_STAFF: 1,  # per social organisation
    Role.ENTERPRISE_STAFF: 1,  # per enterprise
    Role.VOLUNTEER_LEADER: 1,  # per volunteer team
    Role.POLICE_LIAISON: 1,  # per police station
    Role.EVALUATOR: 2,  # the evaluator
}

#: The organisation kind each organisation-bound role works for.
ROLE_ORGANISATION_KIND: dict[Role, OrganisationKind] = {
    Role.GRID_WORKER: OrganisationKind.RESIDENTS_COMMITTEE,
    Role.COMMUNITY_WORKER: OrganisationKind.RESIDENTS_COMMITTEE,
    Role.STREET_OFFICIAL: OrganisationKind.STREET_OFFICE,
    Role.DISTRICT_OFFICIAL: OrganisationKind.GOVERNMENT_DEPARTMENT,
    Role.DEPARTMENT_HANDLER: OrganisationKind.GOVERNMENT_DEPARTMENT,
    Role.PROPERTY_STAFF: OrganisationKind.PROPERTY_COMPANY,
    Role.OWNERS_COMMITTEE: OrganisationKind.OWNERS_COMMITTEE,
    Role.SOCIAL_ORG_STAFF: OrganisationKind.SOCIAL_ORGANISATION,
    Role.ENTERPRISE_STAFF: OrganisationKind.ENTERPRISE,
    Role.VOLUNTEER_LEADER: OrganisationKind.VOLUNTEER_TEAM,
    Role.POLICE_LIAISON: OrganisationKind.POLICE_STATION,
    Role.EVALUATOR: OrganisationKind.EVALUATOR,
}
