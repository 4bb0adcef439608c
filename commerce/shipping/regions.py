"""Place names compared across languages: 上海市 == 上海 == Shanghai == shanghai shi.

Shipping rules name places in the shop's language (usually Chinese) while customers type
addresses in either; every name is reduced to one canonical key (the Chinese name without its
administrative suffix) before comparing. Covers the provincial-level divisions and the larger
prefecture-level cities; an unknown name is compared as typed, without its suffix.
"""

from __future__ import annotations

import re

# Chinese name -> English/pinyin spellings (lower case, without spaces and suffixes).
_NAMES: dict[str, tuple[str, ...]] = {
    # municipalities, provinces, autonomous regions, SARs
    "北京": ("beijing", "peking"),
    "上海": ("shanghai",),
    "天津": ("tianjin",),
    "重庆": ("chongqing",),
    "河北": ("hebei",),
    "山西": ("shanxi",),
    "辽宁": ("liaoning",),
    "吉林": ("jilin",),
    "黑龙江": ("heilongjiang",),
    "江苏": ("jiangsu",),
    "浙江": ("zhejiang",),
    "安徽": ("anhui",),
    "福建": ("fujian",),
    "江西": ("jiangxi",),
    "山东": ("shandong",),
    "河南": ("henan",),
    "湖北": ("hubei",),
    "湖南": ("hunan",),
    "广东": ("guangdong",),
    "海南": ("hainan",),
    "四川": ("sichuan",),
    "贵州": ("guizhou",),
    "云南": ("yunnan",),
    "陕西": ("shaanxi",),
    "甘肃": ("gansu",),
    "青海": ("qinghai",),
    "台湾": ("taiwan",),
    "内蒙古": ("innermongolia", "neimenggu", "neimongol"),
    "广西": ("guangxi", "guangxizhuang"),
    "西藏": ("tibet", "xizang"),
    "宁夏": ("ningxia", "ningxiahui"),
    "新疆": ("xinjiang", "xinjianguyghur", "xinjianguygur"),
    "香港": ("hongkong", "xianggang"),
    "澳门": ("macau", "macao", "aomen"),
    # larger prefecture-level cities
    "广州": ("guangzhou", "canton"),
    "深圳": ("shenzhen",),
    "杭州": ("hangzhou",),
    "南京": ("nanjing",),
    "苏州": ("suzhou",),
    "无锡": ("wuxi",),
    "宁波": ("ningbo",),
    "武汉": ("wuhan",),
    "成都": ("chengdu",),
    "西安": ("xian", "xi'an"),
    "长沙": ("changsha",),
    "郑州": ("zhengzhou",),
    "青岛": ("qingdao",),
    "济南": ("jinan",),
    "厦门": ("xiamen", "amoy"),
    "福州": ("fuzhou",),
    "合肥": ("hefei",),
    "沈阳": ("shenyang",),
    "大连": ("dalian",),
    "哈尔滨": ("harbin", "haerbin"),
    "长春": ("changchun",),
    "石家庄": ("shijiazhuang",),
    "太原": ("taiyuan",),
    "昆明": ("kunming",),
    "贵阳": ("guiyang",),
    "南宁": ("nanning",),
    "南昌": ("nanchang",),
    "兰州": ("lanzhou",),
    "东莞": ("dongguan",),
    "佛山": ("foshan",),
    "珠海": ("zhuhai",),
    "海口": ("haikou",),
    "三亚": ("sanya",),
    "拉萨": ("lhasa", "lasa"),
    "乌鲁木齐": ("urumqi", "wulumuqi"),
    "呼和浩特": ("hohhot", "huhehaote"),
    "银川": ("yinchuan",),
    "西宁": ("xining",),
}
MUNICIPALITIES = frozenset({"北京", "上海", "天津", "重庆"})  # a province that is its own city
PLACE_NAMES_ZH = frozenset(_NAMES)  # the Chinese names above, without suffixes
_BY_LATIN = {latin: zh for zh, spellings in _NAMES.items() for latin in spellings}

_ZH_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "市", "省")
_LATIN_SUFFIXES = ("municipality", "province", "city", "shi", "sheng", "sar", "autonomousregion", "region")


def canonical_place(name: str | None) -> str:
    """The comparison key of a place name: "上海市", "Shanghai", "Shanghai Shi" -> "上海"."""
    text = (name or "").strip()
    if not text:
        return ""
    if re.search(r"[\u4e00-\u9fff]", text):
        compact = text.replace(" ", "")
        for suffix in _ZH_SUFFIXES:
            if compact.endswith(suffix) and len(compact) > len(suffix) + 1:
                return compact[: -len(suffix)]
        return compact
    latin = re.sub(r"[\s\-_.’]+", "", text.lower()).replace("'", "")
    if latin in _BY_LATIN:
        return _BY_LATIN[latin]
    for suffix in _LATIN_SUFFIXES:
        if latin.endswith(suffix) and latin[: -len(suffix)] in _BY_LATIN:
            return _BY_LATIN[latin[: -len(suffix)]]
    return latin
