"""One home for the canonical layer kinds, column names, field roles and value codes.

A loaded layer keeps its original attribute columns untouched and gains canonical columns
(the names below) holding normalised values. Ids are ``str``; units are in the names.
"""

from __future__ import annotations

# --- layer kinds (also the layer names inside a project GeoPackage) ------------------------
PIPES = "pipes"
MANHOLES = "manholes"
OUTFALLS = "outfalls"
ENTERPRISES = "enterprises"
PLANTS = "plants"
ZONES = "zones"
BOUNDARY = "boundary"
POPULATION = "population"  # residents: polygons (or points) with a head count
FARMS = "farms"  # livestock farms: points with kind and head count
LAYER_KINDS = (PIPES, MANHOLES, OUTFALLS, ENTERPRISES, PLANTS, ZONES, BOUNDARY, POPULATION, FARMS)

LAYER_LABELS_ZH = {
    PIPES: "管线",
    MANHOLES: "检查井",
    OUTFALLS: "排放口",
    ENTERPRISES: "企业",
    PLANTS: "污水处理厂",
    ZONES: "保护区",
    BOUNDARY: "园区范围",
    POPULATION: "人口",
    FARMS: "畜禽养殖场",
}

GEOMETRY_KIND = {
    PIPES: "line",
    MANHOLES: "point",
    OUTFALLS: "point",
    ENTERPRISES: "point",
    PLANTS: "point",
    ZONES: "polygon",
    BOUNDARY: "polygon",
    POPULATION: "polygon",
    FARMS: "point",
}

# --- columns every imported layer gets ------------------------------------------------------
SRC_FID = "src_fid"  # 0-based feature index in the source file (for messages)
SRC_PART = "src_part"  # part number when a multipart feature was exploded (0 otherwise)

# --- canonical columns per kind --------------------------------------------------------------
PIPE_ID = "pipe_id"
FROM_NODE = "from_node"
TO_NODE = "to_node"
SYSTEM = "system"  # one of SYSTEM_VALUES
DIAMETER_MM = "diameter_mm"
MATERIAL = "material"
FROM_INVERT_M = "from_invert_m"  # invert at the start (起点) manhole end
TO_INVERT_M = "to_invert_m"  # invert at the end (终点) manhole end
FLOW_DIR = "flow_dir"  # "forward" (digitised order) / "reverse" / None
PIPE_CLASS = "pipe_class"  # "main" / "branch" / None
STATUS = "status"  # "open" / "blocked" / "closed" (barriers) / None
OWNER = "owner"
YEAR = "year"
LENGTH_M = "length_m"  # geometric length in metres (computed on import)

NODE_ID = "node_id"
GROUND_M = "ground_m"
DEPTH_M = "depth_m"
NODE_TYPE = "node_type"

OUTFALL_ID = "outfall_id"
NAME = "name"
OUTFALL_CLASS = "outfall_class"  # one of OUTFALL_CLASSES
RECEIVING_WATER = "receiving_water"

ENT_ID = "ent_id"
CREDIT_CODE = "credit_code"
PERMIT_NO = "permit_no"
INDUSTRY = "industry"
FLOW_TPD = "flow_tpd"  # wastewater t/d
COD_MGL = "cod_mgl"
CONNECT_NODE = "connect_node"  # 接入井

PLANT_ID = "plant_id"
PLANT_TYPE = "plant_type"  # "own" / "shared"
PROCESS = "process"
CAPACITY_TPD = "capacity_tpd"  # design capacity, t/d
LOAD_TPD = "load_tpd"  # actual load, t/d
COD_IN_MGL = "cod_in_mgl"
COD_OUT_MGL = "cod_out_mgl"
STANDARD = "standard"
ONLINE_MONITORING = "online_monitoring"  # bool

ZONE_ID = "zone_id"
ZONE_CLASS = "zone_class"  # one of ZONE_CLASSES
ZONE_LEVEL = "zone_level"  # one of ZONE_LEVELS or None

PARK_CODE = "park_code"
AREA_KM2 = "area_km2"

POP_ID = "pop_id"
PEOPLE = "people"  # resident population (persons)

FARM_ID = "farm_id"
LIVESTOCK = "livestock"  # kind of animal: pig / cattle / dairy / poultry / sheep (free text kept)
HEAD_COUNT = "head_count"  # animals on hand (头/只)

# id column per kind (the column a user types an id of)
ID_COLUMN = {
    PIPES: PIPE_ID,
    MANHOLES: NODE_ID,
    OUTFALLS: OUTFALL_ID,
    ENTERPRISES: ENT_ID,
    PLANTS: PLANT_ID,
    ZONES: ZONE_ID,
    BOUNDARY: NAME,
    POPULATION: POP_ID,
    FARMS: FARM_ID,
}

# --- value codes -----------------------------------------------------------------------------
SEWAGE, RAIN, COMBINED, INDUSTRIAL = "sewage", "rain", "combined", "industrial"
SYSTEM_VALUES = (SEWAGE, RAIN, COMBINED, INDUSTRIAL)
SYSTEM_LABELS_ZH = {SEWAGE: "污水", RAIN: "雨水", COMBINED: "合流", INDUSTRIAL: "工业废水专管"}

OUTFALL_CLASSES = (
    "industrial",  # 工业排污口
    "municipal_plant",  # 城镇污水处理厂排污口
    "rain",  # 雨水排口
    "plant_overflow",  # 污水处理厂溢流口
    "farmland_return",  # 农田退水口
    "rural_domestic",  # 农村生活污水排口
    "other",
)
OUTFALL_CLASS_LABELS_ZH = {
    "industrial": "工业排污口",
    "municipal_plant": "污水处理厂排污口",
    "rain": "雨水排口",
    "plant_overflow": "溢流口",
    "farmland_return": "农田退水口",
    "rural_domestic": "农村生活污水排口",
    "other": "其他排口",
}

ZONE_CLASSES = ("redline", "nature_reserve", "water_source", "scenic", "other")
ZONE_CLASS_LABELS_ZH = {
    "redline": "生态保护红线",
    "nature_reserve": "自然保护区",
    "water_source": "饮用水水源保护区",
    "scenic": "风景名胜区",
    "other": "其他敏感区",
}
ZONE_LEVELS = ("core", "buffer", "experimental", "level1", "level2", "quasi")
ZONE_LEVEL_LABELS_ZH = {
    "core": "核心区",
    "buffer": "缓冲区",
    "experimental": "实验区",
    "level1": "一级保护区",
    "level2": "二级保护区",
    "quasi": "准保护区",
}

# --- field roles: canonical column -> (value type, usual source names) -------------------
# Names are matched case-insensitively after stripping spaces/underscores; Chinese names are
# also matched when cut at 10 bytes by the DBF format (GBK: 5 characters).
ROLE_ALIASES: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    PIPES: {
        PIPE_ID: (
            "str",
            (
                "编号",
                "管线编号",
                "管段编号",
                "管道编号",
                "pipe_id",
                "pipeid",
                "facilityid",
                "facility_id",
                "link_id",
                "linkid",
                "conduit_id",
                "conduitid",
                "asset_id",
                "assetid",
                "gravitymainid",
                "mainid",
                "sewer_id",
                "pipe_ref",
                "pipe_no",
                "gis_id",
                "gisid",
                "unitid",
                "id",
                "name",
                "conduit",
                "gxbh",
                "bh",
                "objectid",
            ),
        ),
        FROM_NODE: (
            "str",
            (
                "起点编号",
                "起点井号",
                "起始井号",
                "起点",
                "上游井号",
                "上游井",
                "from_node",
                "fromnode",
                "usstructid",
                "us_struct_id",
                "upstructid",
                "fromstructid",
                "from_struct",
                "upstreamstructure",
                "us_node_id",
                "usnodeid",
                "us_node",
                "usnode",
                "upstream_node",
                "upstreamnode",
                "upstreamid",
                "up_node",
                "upnode",
                "inletnode",
                "inlet_node",
                "from_mh",
                "frommh",
                "us_mh",
                "usmh",
                "up_mh",
                "upmh",
                "upstream_mh",
                "us_manhole",
                "start_node",
                "startnode",
                "start_mh",
                "from_id",
                "fromid",
                "node1",
                "from",
                "qdbh",
                "upstream",
            ),
        ),
        TO_NODE: (
            "str",
            (
                "终点编号",
                "终点井号",
                "终止井号",
                "终点",
                "下游井号",
                "下游井",
                "to_node",
                "tonode",
                "dsstructid",
                "ds_struct_id",
                "dnstructid",
                "downstructid",
                "tostructid",
                "to_struct",
                "downstreamstructure",
                "ds_node_id",
                "dsnodeid",
                "ds_node",
                "dsnode",
                "downstream_node",
                "downstreamnode",
                "downstreamid",
                "dn_node",
                "dnnode",
                "down_node",
                "outletnode",
                "outlet_node",
                "to_mh",
                "tomh",
                "ds_mh",
                "dsmh",
                "dn_mh",
                "dnmh",
                "downstream_mh",
                "ds_manhole",
                "end_node",
                "endnode",
                "end_mh",
                "to_id",
                "toid",
                "node2",
                "to",
                "zdbh",
                "downstream",
            ),
        ),
        SYSTEM: (
            "system",
            (
                "类型",
                "管线类型",
                "管道类型",
                "类别",
                "排水类型",
                "排水体制",
                "system",
                "watertype",
                "water_type",
                "systemtype",
                "system_type",
                "sewertype",
                "sewer_type",
                "sewer_use",
                "servicetype",
                "service",
                "networktype",
                "type",
                "pipe_type",
                "gxlx",
                "lx",
            ),
        ),
        DIAMETER_MM: (
            "float",
            (
                "管径",
                "管径mm",
                "管径(mm)",
                "口径",
                "dn",
                "diameter",
                "diameter_mm",
                "diameter_in",
                "diam",
                "dia",
                "pipe_dia",
                "pipedia",
                "pipe_diam",
                "pipesize",
                "pipe_size",
                "size",
                "gj",
                "geom1",
                "rise",
                "span",
            ),
        ),
        MATERIAL: (
            "str",
            (
                "材质",
                "管材",
                "material",
                "pipe_material",
                "pipematerial",
                "pipe_mat",
                "materialtype",
                "mat_type",
                "matl",
                "mat",
                "cz",
            ),
        ),
        FROM_INVERT_M: (
            "float",
            (
                "起点管底高程",
                "起点管底",
                "起点高程",
                "起点管底标高",
                "上游管底高程",
                "from_invert",
                "us_invert",
                "usinvert",
                "up_invert",
                "upinvert",
                "upstream_invert",
                "upstreaminvert",
                "upstreamin",
                "invert_in",
                "invertin",
                "inv_in",
                "in_invert",
                "inlet_invert",
                "inletinvert",
                "inletnodei",
                "inletelev",
                "invert_up",
                "invertup",
                "invert_us",
                "us_il",
                "usil",
                "us_inv_level",
                "upstream_il",
                "up_elev",
                "from_elev",
                "start_inv",
                "start_invert",
                "qdgdgc",
                "z1",
            ),
        ),
        TO_INVERT_M: (
            "float",
            (
                "终点管底高程",
                "终点管底",
                "终点高程",
                "终点管底标高",
                "下游管底高程",
                "to_invert",
                "ds_invert",
                "dsinvert",
                "dn_invert",
                "dninvert",
                "down_invert",
                "downinvert",
                "downstream_invert",
                "downstreaminvert",
                "invert_out",
                "invertout",
                "inv_out",
                "out_invert",
                "outlet_invert",
                "outletinvert",
                "outletelev",
                "invert_dn",
                "invertdn",
                "invert_ds",
                "ds_il",
                "dsil",
                "ds_inv_level",
                "downstream_il",
                "dn_elev",
                "to_elev",
                "end_inv",
                "end_invert",
                "zdgdgc",
                "z2",
                "downstream",
            ),
        ),
        FLOW_DIR: (
            "flow_dir",
            ("流向", "flow_dir", "flowdir", "flow_direction", "direction", "lx_dir"),
        ),
        PIPE_CLASS: (
            "pipe_class",
            ("主管支管", "主管/支管", "管级", "主支", "级别", "pipe_class", "class", "hierarchy"),
        ),
        STATUS: (
            "status",
            ("状态", "运行状态", "status", "state", "lifecyclestatus", "lifecycle", "opstatus"),
        ),
        OWNER: ("str", ("权属单位", "权属", "owner", "ownedby", "owned_by", "ownership")),
        YEAR: (
            "float",
            (
                "建设年代",
                "建设年份",
                "年代",
                "year",
                "year_insta",
                "yearinstalled",
                "year_installed",
                "installyear",
                "install_year",
                "yr_inst",
                "yearbuilt",
                "year_built",
                "built",
            ),
        ),
    },
    MANHOLES: {
        NODE_ID: (
            "str",
            (
                "编号",
                "井号",
                "检查井编号",
                "node_id",
                "nodeid",
                "facilityid",
                "facility_id",
                "structid",
                "struct_id",
                "structureid",
                "structure_id",
                "manholeid",
                "manhole_id",
                "mh_id",
                "mhid",
                "mh_ref",
                "asset_id",
                "assetid",
                "gis_id",
                "gisid",
                "unitid",
                "id",
                "name",
                "jbh",
                "objectid",
            ),
        ),
        GROUND_M: (
            "float",
            (
                "地面高程",
                "井面高程",
                "地面标高",
                "井盖高程",
                "ground",
                "ground_m",
                "groundelev",
                "ground_elev",
                "ground_level",
                "rim",
                "rimelev",
                "rim_elev",
                "rimelevation",
                "rim_elevation",
                "cover_level",
                "coverlevel",
                "cover_elev",
                "surface_elev",
                "top_elev",
                "dmgc",
            ),
        ),
        DEPTH_M: (
            "float",
            (
                "井深",
                "depth",
                "depth_m",
                "maxdepth",
                "max_depth",
                "mh_depth",
                "mhdepth",
                "total_depth",
                "js",
            ),
        ),
        NODE_TYPE: (
            "str",
            (
                "类型",
                "井类型",
                "type",
                "node_type",
                "structtype",
                "struct_type",
                "structuretype",
                "structure_type",
                "mh_type",
                "subtype",
                "subtypecd",
            ),
        ),
        SYSTEM: (
            "system",
            (
                "管线类型",
                "系统",
                "排水类型",
                "排水体制",
                "system",
                "watertype",
                "water_type",
                "systemtype",
                "system_type",
                "sewertype",
                "sewer_type",
                "servicetype",
                "service",
            ),
        ),
    },
    OUTFALLS: {
        OUTFALL_ID: (
            "str",
            (
                "编号",
                "排口编号",
                "排污口编号",
                "outfall_id",
                "outfallid",
                "facilityid",
                "facility_id",
                "outfall_no",
                "id",
                "code",
                "objectid",
            ),
        ),
        NAME: ("str", ("名称", "排口名称", "排污口名称", "name", "outfall_name")),
        OUTFALL_CLASS: (
            "outfall_class",
            ("类别", "排口类别", "排口类型", "类型", "class", "type", "outfall_type"),
        ),
        RECEIVING_WATER: (
            "str",
            (
                "受纳水体",
                "receiving",
                "receiving_water",
                "receivingwater",
                "waterbody",
                "water_body",
                "receiving_stream",
                "water",
            ),
        ),
        STATUS: ("str", ("状态", "status")),
        NODE_ID: ("str", ("接入井", "所在井", "节点编号", "node_id", "node")),
    },
    ENTERPRISES: {
        ENT_ID: ("str", ("企业编号", "编号", "ent_id", "id")),
        NAME: ("str", ("名称", "企业名称", "单位名称", "name", "company")),
        CREDIT_CODE: ("str", ("统一社会信用代码", "信用代码", "统一社会", "credit_code", "uscc")),
        PERMIT_NO: (
            "str",
            ("排污许可证编号", "排污许可证", "许可证编号", "排污许可", "permit_no", "permit"),
        ),
        INDUSTRY: ("str", ("行业", "所属行业", "行业类别", "industry")),
        FLOW_TPD: (
            "float",
            ("废水量", "废水量t/d", "排水量", "污水量", "flow_tpd", "flow", "wastewater"),
        ),
        COD_MGL: ("float", ("cod", "codmg/l", "cod浓度", "cod_mgl")),
        CONNECT_NODE: ("str", ("接入井", "接管井", "接入点", "connect_node", "manhole")),
    },
    PLANTS: {
        PLANT_ID: ("str", ("编号", "厂编号", "plant_id", "id", "code")),
        NAME: ("str", ("名称", "污水厂名称", "厂名", "name")),
        PLANT_TYPE: ("plant_type", ("类型", "建设类型", "自建共用", "plant_type", "type")),
        PROCESS: ("str", ("处理工艺", "工艺", "process")),
        CAPACITY_TPD: (
            "capacity",
            ("设计规模", "设计处理能力", "设计能力", "capacity", "capacity_tpd", "design"),
        ),
        LOAD_TPD: ("capacity", ("实际负荷", "实际处理量", "处理量", "load", "load_tpd")),
        COD_IN_MGL: ("float", ("进水cod", "cod_in", "cod_in_mgl", "influent_cod")),
        COD_OUT_MGL: ("float", ("出水cod", "cod_out", "cod_out_mgl", "effluent_cod")),
        STANDARD: ("str", ("排放标准", "执行标准", "standard")),
        ONLINE_MONITORING: ("bool", ("在线监测", "online", "online_monitoring")),
        NODE_ID: ("str", ("接入井", "进水井", "node_id", "node")),
    },
    ZONES: {
        ZONE_ID: ("str", ("编号", "zone_id", "id", "code", "objectid")),
        NAME: ("str", ("名称", "保护区名称", "name")),
        ZONE_CLASS: ("zone_class", ("类别", "保护区类别", "类型", "class", "type", "zone_class")),
        ZONE_LEVEL: (
            "zone_level",
            ("分区", "级别", "功能区", "保护级别", "level", "zone", "zone_level"),
        ),
    },
    BOUNDARY: {
        NAME: ("str", ("名称", "园区名称", "name")),
        PARK_CODE: ("str", ("园区代码", "代码", "编码", "code", "park_code")),
        AREA_KM2: ("float", ("面积", "面积km2", "area", "area_km2")),
    },
    POPULATION: {
        POP_ID: ("str", ("编号", "pop_id", "id", "code")),
        NAME: ("str", ("名称", "小区名称", "村庄名称", "片区名称", "name")),
        PEOPLE: (
            "float",
            ("人口", "常住人口", "人口数", "人数", "服务人口", "people", "population", "pop"),
        ),
    },
    FARMS: {
        FARM_ID: ("str", ("编号", "养殖场编号", "farm_id", "id", "code")),
        NAME: ("str", ("名称", "养殖场名称", "养殖场", "name")),
        LIVESTOCK: (
            "str",
            ("畜种", "畜禽种类", "养殖种类", "种类", "livestock", "kind", "species"),
        ),
        HEAD_COUNT: (
            "float",
            ("存栏量", "存栏数", "存栏", "养殖量", "头数", "head_count", "heads", "count"),
        ),
    },
}

# --- value normalisation tables (lower-cased keys) -------------------------------------------
SYSTEM_SYNONYMS = {
    SEWAGE: (
        "污水",
        "ws",
        "w",
        "sewage",
        "sewer",
        "foul",
        "污",
        "生活污水",
        "sanitary",
        "ss",
        "san",
        "sanitary sewer",
        "sanitary sewage",
        "foul water",
        "foul sewer",
        "wastewater",
        "waste water",
        "污水管",
        "污水管道",
    ),
    RAIN: (
        "雨水",
        "ys",
        "y",
        "rain",
        "storm",
        "stormwater",
        "雨",
        "surface",
        "sw",
        "sd",
        "storm sewer",
        "storm drain",
        "storm drainage",
        "storm water",
        "surface water",
        "drainage",
        "雨水管",
        "雨水管道",
    ),
    COMBINED: ("合流", "hl", "combined", "合", "cs", "合流制", "combined sewer", "comb"),
    INDUSTRIAL: ("工业废水专管", "工业废水", "工业", "gy", "industrial", "专管", "废水"),
}
FLOW_DIR_SYNONYMS = {
    "forward": ("正向", "顺向", "顺", "正", "1", "forward", "f", "+", "与数字化方向一致"),
    "reverse": ("反向", "逆向", "逆", "反", "-1", "reverse", "r", "-", "与数字化方向相反"),
}
PIPE_CLASS_SYNONYMS = {
    "main": ("主管", "干管", "主干管", "main", "trunk", "主"),
    "branch": ("支管", "接户管", "连接管", "branch", "lateral", "支"),
}
STATUS_SYNONYMS = {
    "open": (
        "正常",
        "使用",
        "在用",
        "open",
        "normal",
        "active",
        "in service",
        "inservice",
        "existing",
    ),
    "blocked": ("堵塞", "blocked", "block"),
    "closed": (
        "关闭",
        "封堵",
        "废弃",
        "closed",
        "abandoned",
        "close",
        "abandoned in place",
        "removed",
        "inactive",
        "out of service",
    ),
}
PLANT_TYPE_SYNONYMS = {
    "own": ("自建", "园区自建", "专用", "own", "dedicated", "park"),
    "shared": ("共用", "依托", "城镇", "市政", "shared", "municipal"),
}
OUTFALL_CLASS_SYNONYMS = {
    "industrial": ("工业", "工业排污口", "工业排口", "企业排口", "industrial"),
    "municipal_plant": (
        "污水处理厂",
        "污水处理厂排污口",
        "城镇污水处理厂",
        "污水厂排口",
        "municipal_plant",
        "wwtp",
        "plant",
    ),
    "rain": ("雨水", "雨水排口", "雨水排放口", "rain", "storm"),
    "plant_overflow": ("溢流", "溢流口", "污水处理厂溢流口", "overflow", "plant_overflow", "cso"),
    "farmland_return": ("农田退水", "农田退水口", "farmland", "farmland_return"),
    "rural_domestic": ("农村生活", "农村生活污水", "农村生活污水排口", "rural", "rural_domestic"),
    "other": ("其他", "other"),
}
ZONE_CLASS_SYNONYMS = {  # most specific first: "饮用水水源一级保护区" is a water-source zone
    "water_source": (
        "饮用水水源保护区",
        "水源保护区",
        "水源地",
        "饮用水源",
        "水源",
        "饮用水",
        "water_source",
        "drinking_water",
    ),
    "redline": ("生态保护红线", "生态红线", "红线", "redline", "red line", "eco_redline"),
    "scenic": ("风景名胜区", "风景区", "风景", "名胜", "scenic"),
    "nature_reserve": ("自然保护区", "自然保护", "保护区", "nature_reserve", "reserve", "nature"),
    "other": ("其他", "敏感区", "其他敏感区", "敏感", "湿地", "森林公园", "地质公园", "other"),
}
ZONE_LEVEL_SYNONYMS = {  # "准保护区" before the levels it contains no word of
    "quasi": ("准保护区", "准保护", "quasi"),
    "level1": ("一级保护区", "一级", "一级区", "level1", "1", "i"),
    "level2": ("二级保护区", "二级", "二级区", "level2", "2", "ii"),
    "core": ("核心区", "核心", "core"),
    "buffer": ("缓冲区", "缓冲", "buffer"),
    "experimental": ("实验区", "实验", "experimental"),
}

VALUE_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "system": SYSTEM_SYNONYMS,
    "flow_dir": FLOW_DIR_SYNONYMS,
    "pipe_class": PIPE_CLASS_SYNONYMS,
    "status": STATUS_SYNONYMS,
    "plant_type": PLANT_TYPE_SYNONYMS,
    "outfall_class": OUTFALL_CLASS_SYNONYMS,
    "zone_class": ZONE_CLASS_SYNONYMS,
    "zone_level": ZONE_LEVEL_SYNONYMS,
}
