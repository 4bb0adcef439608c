"""After-sales reasons and kinds in the words customers use.

"they're too tight, I want to send them back", "还没发货吧 我不想要了 退款", "刀收到有个缺口":
the message that asks for a return, exchange or refund often says why already. These are
patterns over what customers type (not texts shown to them, so they live here rather than in
the message catalogs); each reason maps to a position in the catalog's `aftersales.reasons`
list (the buttons the reason step offers).

A negated word ("东西没坏", "not broken", "没有质量问题") is no reason; an English word one
typing slip away from a reason word ("qualty", "brokn", "tigth") still is.
"""

from __future__ import annotations

import re

from dialogs.i18n import t, t_list
from dialogs.messages import Lang

# Positions in `aftersales.reasons` (both catalogs list them in this order).
CHANGED_MIND = 0
WRONG_SIZE = 1
DAMAGED = 2
NOT_AS_DESCRIBED = 3
LATE = 4

_ZH: dict[int, tuple[str, ...]] = {
    DAMAGED: (
        "坏了",
        "坏的",
        "坏掉",
        "破了",
        "破损",
        "破的",
        "碎了",
        "裂了",
        "裂开",
        "裂缝",
        "有裂",
        "漏水",
        "漏气",
        "漏了",
        "渗水",
        "质量",
        "瑕疵",
        "次品",
        "残次",
        "不能用",
        "用不了",
        "没法用",
        "没反应",
        "开不了机",
        "不工作",
        "故障",
        "划痕",
        "刮花",
        "掉漆",
        "脱胶",
        "开胶",
        "断了",
        "缺口",
        "磕了",
        "凹了",
        "变形",
        "起球",
        "掉色",
        "过敏",
        "起疹",
        "烂了",
        "发霉",
        "过期",
        "异味",
        "有味道",
        "坏",
        "漏",
    ),
    NOT_AS_DESCRIBED: (
        "与描述不符",
        "和描述不符",
        "跟描述不",
        "描述不符",
        "和描述不一样",
        "跟图片不",
        "和图片不",
        "货不对板",
        "实物",
        "跟图片差",
        "和图片差",
        "图片差",
        "图片不符",
        "不是正品",
        "假货",
        "发错",
        "寄错",
        "送错",
        "少发",
        "漏发",
        "不是我买的",
    ),
    WRONG_SIZE: (
        "太紧",
        "有点紧",
        "有些紧",
        "比较紧",
        "偏紧",
        "很紧",
        "太松",
        "有点松",
        "有点小",
        "有些小",
        "有点大",
        "有些大",
        "有点短",
        "有点长",
        "小一码",
        "大一码",
        "太小",
        "太大",
        "太短",
        "太长",
        "偏小",
        "偏大",
        "小了",
        "大了",
        "紧了",
        "松了",
        "短了",
        "长了",
        "挤脚",
        "夹脚",
        "磨脚",
        "挤",
        "尺码",
        "尺寸",
        "码数",
        "码不对",
        "不合适",
        "不合身",
        "不合脚",
        "穿不下",
        "穿不上",
        "戴不上",
        "颜色不对",
        "颜色不喜欢",
        "色差",
        "买错",
        "型号不对",
        "版本不对",
        "拍错",
        "选错",
        "不舒服",
    ),
    LATE: ("太晚", "太慢", "晚到", "迟到", "等太久", "等了太久", "送得太慢", "到得太晚", "物流太慢"),
    CHANGED_MIND: (
        "不想要了",
        "不想要",
        "不要了",
        "不需要了",
        "用不上",
        "用不着",
        "改主意",
        "后悔",
        "冲动",
        "不喜欢",
        "不想买了",
        "买多了",
        "多买了",
        "重复购买",
        "重复下单",
        "买重",
        "拍重",
        "下重",
        "重复买",
        "重复拍",
        "多拍了",
        "多下了",
        "拍了两",
        "下了两",
        "买了两次",
        "已经有了",
        "已经买了",
        "家里有了",
        "朋友送",
        "别人送",
        "有人送",
        "亲戚送",
        "人家送",
        "不好看",
        "太丑",
        "不实用",
        "用不惯",
        "买贵了",
        "降价",
        "太贵",
        "不买了",
    ),
}

_EN: dict[int, tuple[str, ...]] = {
    DAMAGED: (
        r"broken",
        r"broke",
        r"breaks",
        r"damaged?",
        r"defect(?:ive|s)?",
        r"faulty",
        r"fault",
        r"leak(?:s|ing|y|ed)?",
        r"crack(?:s|ed)?",
        r"chipped",
        r"chip",
        r"scratch(?:ed|es)?",
        r"dent(?:ed)?",
        r"torn",
        r"ripped",
        r"rip",
        r"shattered",
        r"smashed",
        r"(?:doesn'?t|does not|don'?t|didn'?t|won'?t|stopped|not) work(?:ing)?",
        r"dead",
        r"quality",
        r"poor quality",
        r"bad quality",
        r"fell apart",
        r"falling apart",
        r"came off",
        r"coming off",
        r"peeling",
        r"rash",
        r"allergic",
        r"reaction",
        r"expired",
        r"mou?ldy?",
        r"smells?",
    ),
    NOT_AS_DESCRIBED: (
        r"not as described",
        r"not like the (?:picture|photo|description)s?",
        r"different from the (?:picture|photo|"
        r"description)s?",
        r"doesn'?t match",
        r"does not match",
        r"not what i ordered",
        r"wrong item",
        r"wrong product",
        r"sent (?:me )?the wrong",
        r"fake",
        r"counterfeit",
        r"missing",
        r"looks different",
    ),
    WRONG_SIZE: (
        r"too (?:tight|small|big|large|loose|short|long|narrow|wide|heavy)",
        r"tight",
        r"(?:doesn'?t|don'?t|didn'?t|"
        r"does not|do not|did not) fit",
        r"wrong (?:size|colou?r|version|model|variant|type|ones?)",
        r"size",
        r"sizes",
        r"fit",
        r"fits",
        r"colou?r",
        r"ordered the wrong",
        r"bought the wrong",
        r"uncomfortable",
    ),
    LATE: (
        r"(?:arrived|came|delivered) (?:too )?late",
        r"too late",
        r"took (?:too|so) long",
        r"late delivery",
        r"too slow",
        r"arrived after",
    ),
    CHANGED_MIND: (
        r"changed? my mind",
        r"change of mind",
        r"mind changed",
        r"(?:don'?t|do not|no longer) (?:want|need|like)",
        r"not needed",
        r"by mistake",
        r"by accident",
        r"accidentally",
        r"mistake",
        r"ordered twice",
        r"bought (?:too many|two|twice)",
        r"(?:ordered|bought|paid|placed|got) (?:it |this |that |them |these |the same (?:thing |item |one )?)?twice",
        r"twice by mistake",
        r"duplicate(?:d)?(?: order)?",
        r"double (?:order|ordered|paid|charged)",
        r"already (?:have|has|had|got|bought|ordered)",
        r"(?:gave|given|gifted) (?:us|me|him|her|them)",
        r"(?:got|received) (?:one|some|it|them) as a (?:gift|present)",
        r"(?:found|saw) (?:it |them |one )?cheaper",
        r"price (?:dropped|drop|went down)",
        r"too expensive",
        r"ugly",
        r"regret",
        r"don'?t like",
    ),
}

# Longer English words a one-letter slip still reads as ("qualty", "brokn"); short ones are left
# out on purpose: "right" is one slip from "tight", "smell" from "small".
_FUZZY_WORDS: dict[str, int] = {
    "quality": DAMAGED,
    "broken": DAMAGED,
    "damaged": DAMAGED,
    "defective": DAMAGED,
    "faulty": DAMAGED,
    "cracked": DAMAGED,
    "leaking": DAMAGED,
    "scratched": DAMAGED,
    "described": NOT_AS_DESCRIBED,
}
_ORDER = (DAMAGED, NOT_AS_DESCRIBED, WRONG_SIZE, LATE, CHANGED_MIND)
_ZH_NEGATION = ("没有", "没", "不", "无", "非", "并非", "也没")
_EN_NEGATION = re.compile(r"(?:\bnot|\bno|n't|\bnever|\bnothing)\s+(?:\w+\s+)?$", re.I)
_EN_PATTERNS = {
    reason: re.compile(r"(?<![a-z'])(?:" + "|".join(words) + r")(?![a-z])", re.I) for reason, words in _EN.items()
}
_WORD = re.compile(r"[a-z]+", re.I)

# The kind of request a message names; "send them back", "换个M的", "money back".
_KINDS = (
    (
        "exchange",
        re.compile(
            r"换货|调换|换新|换一[个件双条副把只瓶]|换个|换成|换[大小]一?[码号]|"
            r"\b(?:exchange|swap|replace(?:ment)?)\b",
            re.I,
        ),
    ),
    ("refund", re.compile(r"退款|退钱|钱退|退我钱|\brefund|\bmoney back\b", re.I)),
    (
        "return",
        re.compile(
            r"退货|退回|寄回|退掉|退了|退吧|(?:要|想|申请|给我|帮我|直接)退(?![款钱出订])|"
            r"\breturn(?:ing)?\b|\b(?:send|ship) (?:it|them|this|these) back\b",
            re.I,
        ),
    ),
)
# A request asked as a question or a condition ("能换个M的吗", "can I swap them", "if it doesn't fit")
# is confirmed before it is filed; a plain request that says why is filed at once.
_TENTATIVE = re.compile(
    r"[?？]|吗|么|能不能|可不可以|可以.*[吗么]|如果|要是|假如|万一|是否|"
    r"\b(?:can|could|may|might|would|is it possible|how|what|if|whether|do you|should)\b",
    re.I,
)


def _negated_zh(text: str, start: int) -> bool:
    before = text[max(0, start - 2) : start]
    return any(before.endswith(word) for word in _ZH_NEGATION)


def _zh_reason(text: str) -> int | None:
    for reason in _ORDER:
        for word in _ZH[reason]:
            start = text.find(word)
            while start >= 0:
                negatable = not word.startswith(("不", "没", "无"))
                if not (negatable and _negated_zh(text, start)):
                    return reason
                start = text.find(word, start + 1)
    return None


def _en_reason(text: str) -> int | None:
    for reason in _ORDER:
        for match in _EN_PATTERNS[reason].finditer(text):
            if reason in (DAMAGED, NOT_AS_DESCRIBED) and _EN_NEGATION.search(text[: match.start()]):
                continue  # "nothing broken", "not damaged"
            return reason
    for word in _WORD.findall(text.lower()):
        if len(word) < 5:
            continue
        for known, reason in _FUZZY_WORDS.items():
            if word != known and _one_slip(word, known):
                return reason
    return None


def _one_slip(a: str, b: str) -> bool:
    """One letter added, dropped, changed, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def reason_in(text: str) -> int | None:
    """The position of the after-sales reason the text gives, or None."""
    if not text:
        return None
    found = _zh_reason(text)
    return found if found is not None else _en_reason(text)


# A kind named only to be turned down: "不用换新的 直接退吧", "别给我换", "no exchange, just return it".
_ZH_KIND_NEGATION = re.compile(r"(?:不|别|没|无需|不用|不要|不想)[^，,。.!！?？\s]{0,2}$")
_EN_KIND_NEGATION = re.compile(
    r"(?:\bno|\bnot|\b(?:do|does|did|wo|ca|is|are|have|would|should)n'?t|\bnever|\brather\s+than|\binstead\s+of)"
    r"\s+(?:\w+\s+){0,2}$",
    re.I,
)


def _named(pattern: re.Pattern[str], text: str) -> bool:
    return any(not _kind_negated(text, match.start()) for match in pattern.finditer(text))


def _kind_negated(text: str, start: int) -> bool:
    before = text[max(0, start - 24) : start]
    return bool(_ZH_KIND_NEGATION.search(before) or _EN_KIND_NEGATION.search(before))


def kind_in(text: str) -> str | None:
    """return / exchange / refund when the text names one (and does not turn it down)."""
    for kind, pattern in _KINDS:
        if _named(pattern, text):
            return kind
    return None


def kinds_turned_down(text: str) -> set[str]:
    """The kinds the text names only to turn them down ("不想换了 直接退吧": exchange)."""
    return {kind for kind, pattern in _KINDS if pattern.search(text) and not _named(pattern, text)}


_CANCEL = re.compile(r"取消|\bcancel\w*", re.I)


def without_request_words(text: str) -> str:
    """The text with its words of asking (kinds, cancelling) taken out, so that what is left can
    name an item: "cancel" must not name the "Noise-cancelling Earbuds"."""
    for _, pattern in _KINDS:
        text = pattern.sub(" ", text)
    return _CANCEL.sub(" ", text)


# Clauses with the mark that ends them ("hasn't shipped yet right?" | "pls refund,").
_CLAUSE = re.compile(r"[^?？.。!！,，;；\n]+[?？.。!！,，;；\n]*")


def tentative(text: str) -> bool:
    """Asked as a question or a condition rather than stated. Judged on the clauses that ask for
    the request when there are any: in "hasn't shipped yet right? pls refund, my sister gave us
    some" the question checks a fact, and the refund itself is asked for plainly."""
    clauses = _CLAUSE.findall(text)
    asking = [c for c in clauses if _CANCEL.search(c) or any(pattern.search(c) for _, pattern in _KINDS)]
    return any(_TENTATIVE.search(c) for c in asking or [text])


def stated(text: str, lang: Lang) -> str:
    """The reason a message gives ("too tight" -> "Wrong size or colour (they're too tight, ...)"):
    the reason choice with the customer's own words; "" when it gives none."""
    index = reason_in(text)
    labels = t_list("aftersales.reasons", lang)
    if index is None or index >= len(labels):
        return ""
    words = " ".join(text.split())
    if words == labels[index]:
        return words
    return t("aftersales.reason_with_words", lang, label=labels[index], words=words)[:300]


# What an exchange is for, named in the request ("换成73码", "换个M的", "换大一码", "swap these for
# the pro ones", "exchange it for an L"): a concrete request, filed at once even when it is asked
# as a question ("能换成73码吗" is how people ask for it, not whether it is possible).
_ZH_TARGET = re.compile(
    r"换(?:成|个|一个|一件|一双|一条|一副|为|到)\s*([^\s，,。.！!？?吗吧呢呀啊]+)|换([大小]一?[码号])"
)
_EN_TARGET = re.compile(
    r"\b(?:swap|exchange|change|switch|trade|replace)\b[^.?!;]*?\b(?:for|to|into|with)\s+"
    r"(?:the\s+|a\s+|an\s+|some\s+|one\s+in\s+)?([\w-]+(?:\s+(?:ones|one|size|version|colou?r|model)\b)?)",
    re.I,
)
# "can you send the pro instead?", "I want the 240ml one instead"
_EN_INSTEAD = re.compile(
    r"\b(?:the|a|an)\s+([\w-]+(?:\s+(?:ones|one|size|version|colou?r|model)\b)?)\s+instead\b", re.I
)
# "exchange it for another one" / "换个新的" name no other option: a replacement, not a target.
_NO_TARGET = re.compile(r"^(?:it|them|this|that|these|those|another|other|new|same)\b|^(?:新的|一样的?|同款)", re.I)


def exchange_target(text: str) -> str | None:
    """The option an exchange asks for ("73码", "pro ones", "L"), or None."""
    for pattern in (_ZH_TARGET, _EN_TARGET, _EN_INSTEAD):
        for match in pattern.finditer(text):
            target = next((group for group in match.groups() if group), "")
            if target and not _NO_TARGET.search(target):
                return target
    return None


# The words of asking itself (kinds, politeness, pointers to the order, times of buying): what is
# left of a request once they are gone is the customer's own explanation ("pls refund, my sister
# just gave us a bunch of bottles", "退款吧 朋友送了好几个奶瓶").
_ZH_ASKING = re.compile(
    "|".join(pattern.pattern for _, pattern in _KINDS)
    + r"|帮我|给我|帮忙|麻烦|请问|请|申请|办理|处理|一下|这单|那单|这一单|这个|那个|订单|单子|取消|"
    r"可以|可不可以|能不能|能否|是否|怎么|怎样|如何|东西|商品|宝贝|快递|包裹|全部|直接|马上|现在|赶紧|尽快|"
    r"之前|上次|上周|昨天|今天|前天|刚刚|刚才|刚|收到|买的|下单|付款|付完|付了|谢谢|你好|您好|亲|"
    r"[吗吧呢啊呀哦嗯噢哈了的我你您要想把就都还也个件双条副只瓶盒款钱款好行对是在有这那能]"
)
_EN_ASKING = frozenset(
    re.findall(
        r"\S+",
        """
    a about after again already also am an and any anyway are as asap at back be been but buy by can could did
    do does done for from get give got guys had has have hello help hey hi how i i'd i'll i'm id if im in
    instead is it it's its just kindly let like me money my need now of ok okay on one ones or order ordered
    orders our package parcel placed please pls plz process purchase rather received refund refunded return
    returned returning send ship so start still swap thank thanks that the them these they this those thx to
    today too two uh um up us want wanna was we week what when which will with would yes yesterday you your
    exchange exchanged replace replacement cancel cancelled item items product products thing things stuff file
    request
""",
    )
)
_EN_WORDS = re.compile(r"[a-z][a-z']*", re.I)


def for_exchange(text: str, lang: Lang) -> str:
    """The reason of an exchange that names what it is for and says no more ("能换成73码吗",
    "swap these for the pro ones"): the wrong option was ordered, in the customer's words."""
    labels = t_list("aftersales.reasons", lang)
    return t("aftersales.reason_with_words", lang, label=labels[WRONG_SIZE], words=" ".join(text.split()))[:300]


def explained(text: str, lang: Lang, known: tuple[str, ...] = ()) -> str:
    """The customer's own explanation for a request that matches no reason pattern ("my sister just
    gave us a bunch of bottles"), as the customer wrote it; "" when the message only asks.
    `known`: names of the items and options the request is about (an item named is no reason)."""
    if not text or reason_in(text) is not None:
        return ""
    words = " ".join(text.split())
    return words[:300] if _explains(words, known) else ""


def _explains(text: str, known: tuple[str, ...]) -> bool:
    named = " ".join(known).lower()
    target = (exchange_target(text) or "").lower()
    zh_left = _ZH_ASKING.sub(" ", text)
    zh_left = "".join(ch for ch in zh_left if "\u4e00" <= ch <= "\u9fff" and ch not in named and ch not in target)
    if len(zh_left) >= 4:
        return True
    en_left = [
        word
        for word in _EN_WORDS.findall(text.lower())
        if len(word) >= 3
        and word not in _EN_ASKING
        and word.rstrip("s") not in named
        and word not in target
        and not _KINDS_EN.search(word)
    ]
    return len(en_left) >= 2


_KINDS_EN = re.compile(r"^(?:refund\w*|return\w*|exchang\w*|swap\w*|cancel\w*)$")
