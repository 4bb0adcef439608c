"""The simulator's own phrasings, per user act and language (kept apart from the scripted
corpus: none of these lines is copied from tests/conversations/outsider).

Slots: {p} product name, {o} option words, {q} a quantity phrase ("两个", "x2", "a couple of"),
{n} a number, {code} a coupon code, {reason} an after-sales reason, {topic} a side question.
"""

from __future__ import annotations

PHRASES: dict[str, dict[str, list[str]]] = {
    # buy everything in one message: product, options, quantity
    "buy_compound": {
        "zh": [
            "{o}{p}{q}",
            "要{q}{o}的{p}",
            "{p} {o} {q}",
            "给我来{q}{o}{p}",
            "我想买{q}{p}，{o}的",
            "{o}的{p}来{q}",
            "帮我拿{q}{p} 要{o}",
            "{p}要{o}的，{q}",
            "下单{q}{o}{p}",
            "{p}{o}款 {q} 谢谢",
        ],
        "en": [
            "{q} {o} {p}",
            "i want {q} {p} in {o}",
            "{p}, {o}, {q}",
            "can i have {q} {o} {p}",
            "get me {q} of the {o} {p}",
            "{o} {p} x{n}",
            "{p} {o} {q} please",
            "I'd like to buy {q} {p} ({o})",
            "add {q} {o} {p} to my cart",
            "{q} {p} the {o} one",
        ],
    },
    # the same for a product without options
    "buy_plain": {
        "zh": ["{p}{q}", "要{q}{p}", "给我来{q}{p}", "我想买{q}{p}", "{p} 来{q}", "下单{q}{p}", "{p}拿{q}"],
        "en": ["{q} {p}", "i want {q} {p}", "can i get {q} {p}", "{p} x{n}", "add {q} {p} to cart", "buy {q} {p}"],
    },
    # name the product only (stepwise shoppers)
    "ask_product": {
        "zh": ["有{p}吗", "{p}", "看看{p}", "你们卖{p}不", "我想看下{p}", "{p}有哪些", "找一下{p}"],
        "en": ["do you have {p}", "{p}", "show me {p}", "looking for a {p}", "got any {p}?", "{p} pls"],
    },
    # answer "which option?"
    "choose_option": {
        "zh": ["{o}", "要{o}的", "{o}吧", "选{o}", "就{o}", "{o}那个"],
        "en": ["{o}", "the {o} one", "{o} please", "i'll go with {o}", "{o} pls", "make it {o}"],
    },
    # say how many (and put it in the cart)
    "choose_quantity": {
        "zh": ["{q}", "要{q}", "来{q}", "{q}就行", "拿{q}"],
        "en": ["{q}", "{q} please", "i need {q}", "just {q}", "{q} of them"],
    },
    "add_to_cart": {
        "zh": ["加购物车", "加入购物车", "就它了 加进去", "放购物车里", "好 要了", "加车"],
        "en": ["add to cart", "put it in my cart", "yes add it", "i'll take it", "ok add that", "add it pls"],
    },
    "checkout": {
        "zh": ["结账", "去结算", "我要下单", "买单", "结算吧", "好了 付钱", "可以结账了"],
        "en": [
            "checkout",
            "check out please",
            "ready to pay",
            "let's checkout",
            "proceed to checkout",
            "i'm done, pay",
        ],
    },
    "shipping": {
        "zh": ["{ship}", "{ship}就行", "选{ship}", "用{ship}吧"],
        "en": ["{ship}", "{ship} is fine", "go with {ship}", "{ship} please"],
    },
    "no_coupon": {
        "zh": ["没有优惠码", "不用券", "没券", "没有", "不需要", "跳过", "无"],
        "en": ["no coupon", "don't have one", "skip", "no code", "nope, none", "no thanks"],
    },
    "use_coupon": {
        "zh": ["{code}", "用{code}", "优惠码是{code}", "我有券 {code}"],
        "en": ["{code}", "use {code}", "my code is {code}", "coupon {code}"],
    },
    "confirm": {
        "zh": ["确认", "没问题 下单", "对的 提交", "好的", "确认无误", "可以 就这样"],
        "en": ["confirm", "yes that's right", "looks good", "yes place the order", "correct, go ahead", "yep"],
    },
    "payment_failed": {
        "zh": ["付款没成功 再来一次", "支付失败了 怎么办", "刚才没付上 重新付", "钱没付出去 再发个链接"],
        "en": ["payment failed, can i try again", "it didn't go through", "the payment failed, new link pls"],
    },
    "cancel_order": {
        "zh": ["把订单取消了吧", "我不想要了 取消订单", "取消刚才的订单", "订单不要了"],
        "en": [
            "cancel my order",
            "i want to cancel the order",
            "please cancel that order",
            "don't want it anymore, cancel",
        ],
    },
    "yes": {
        "zh": ["是的", "对", "确定", "嗯", "好"],
        "en": ["yes", "yeah", "sure", "yes please", "correct"],
    },
    "track": {
        "zh": ["我的订单到哪了", "快递到哪儿了", "查一下物流", "发货了吗", "订单状态怎么样了"],
        "en": ["where is my order", "track my order", "has it shipped yet?", "order status?", "where's my package"],
    },
    "return_request": {
        "zh": ["我要退货", "这个想退掉", "申请退货", "东西不合适 退了吧"],
        "en": ["i want to return it", "i'd like to send this back", "how do i return my order", "return please"],
    },
    "refund_request": {
        "zh": ["我要退款", "还没发货的话帮我退款", "不要了 把钱退我", "申请退款"],
        "en": [
            "i want a refund",
            "refund please, it hasn't shipped",
            "can i get my money back",
            "please refund my order",
        ],
    },
    "reason": {
        "zh": ["{reason}", "原因是{reason}", "{reason}啊"],
        "en": ["{reason}", "because {reason}", "reason: {reason}"],
    },
    "no_photos": {
        "zh": ["没有照片", "不拍了", "没图"],
        "en": ["no photos", "i don't have a picture", "no pics"],
    },
    "human": {
        "zh": ["转人工", "我要找客服", "有真人吗", "人工服务", "找个人跟我说"],
        "en": [
            "talk to a human",
            "can i speak to an agent",
            "real person please",
            "get me a person",
            "customer service",
        ],
    },
    "view_cart": {
        "zh": ["看看购物车", "购物车里有啥", "我的购物车"],
        "en": ["show my cart", "what's in my cart", "cart"],
    },
    "set_quantity": {
        "zh": ["{o}那个改成{q}", "{o}的要{q}", "把{o}的数量改成{n}"],
        # "{o} one, {n} please" was dropped: after two are in the cart it reads as well as "add n more"
        "en": ["make the {o} one {n}", "change the {o} to {n}", "i need {n} of the {o} one in total"],
    },
    "remove_line": {
        "zh": ["{o}的不要了", "把{o}那个删了", "去掉{o}的"],
        "en": ["remove the {o} one", "drop the {o}", "i don't want the {o} one anymore"],
    },
    # the cart got the wrong count: set it (not "add n more")
    "fix_quantity": {
        "zh": ["数量改成{n}", "改成{q}吧", "不对，数量是{n}"],
        "en": ["make it {n}", "change the quantity to {n}", "no, i need {n} in total"],
    },
    "pick_nth": {
        "zh": ["第{n}个", "要第{n}个", "第{n}个吧"],
        "en": ["number {n}", "the {nth} one", "no {n}", "{nth} one pls"],
    },
}

REASONS = {
    "zh": ["尺寸不合适", "颜色和图片不一样", "质量有问题", "买错了", "不喜欢"],
    "en": ["wrong size", "colour looks different", "quality issue", "ordered by mistake", "don't like it"],
}

SIDE_QUESTIONS = {
    "zh": ["发什么快递", "多久能到", "可以开发票吗", "支持七天无理由吗", "运费多少"],
    "en": ["how long does shipping take", "do you give invoices", "what's the return policy", "how much is shipping"],
}

SHIPPING_WORDS = {"zh": ["快递", "普通快递", "标准配送"], "en": ["standard", "express", "standard shipping"]}

ORDINALS_EN = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}

ZH_NUMBERS = {1: ["一", "1"], 2: ["两", "2"], 3: ["三", "3"], 4: ["四", "4"], 5: ["五", "5"]}
ZH_COLLOQUIAL = {2: ["俩"], 3: ["仨"]}
EN_NUMBERS = {
    1: ["one", "1", "a"],
    2: ["two", "2", "a couple of", "2x"],
    3: ["three", "3", "3x"],
    4: ["four", "4"],
    5: ["five", "5"],
}

# Measure words a Chinese shopper uses, by what the product is.
MEASURE_WORDS = [
    (("刀", "椅"), "把"),
    (("帐篷",), "顶"),
    (("冰袖",), "副"),
    (("口红", "洁面", "精华", "防晒"), "支"),
    (("面霜", "卸妆水", "水壶", "精华"), "瓶"),
    (("套装", "铲"), "套"),
    (("砧板",), "块"),
    (("锅",), "口"),
]

NAMES_ZH = ["王磊", "李婷", "张晓明", "刘芳", "陈浩", "杨静", "赵敏", "周宇", "吴昊天", "徐丽"]
NAMES_EN = ["Emma Li", "Jack Zhou", "Olivia Chen", "Leo Wang", "Mia Zhang", "Ethan Liu", "Chloe Xu", "Ryan Sun"]
PLACES = [
    # province, city, district, street (zh) / street, district, city (en)
    ("广东省", "深圳市", "南山区", "科技南十二路18号", "18 Keji South 12th Rd", "Nanshan District", "Shenzhen"),
    ("浙江省", "杭州市", "西湖区", "文二路391号", "391 Wen'er Rd", "Xihu District", "Hangzhou"),
    ("上海市", "上海市", "徐汇区", "漕溪北路88号", "88 Caoxi North Rd", "Xuhui District", "Shanghai"),
    ("北京市", "北京市", "朝阳区", "望京街10号", "10 Wangjing St", "Chaoyang District", "Beijing"),
    ("四川省", "成都市", "锦江区", "红星路三段1号", "1 Hongxing Rd Sec 3", "Jinjiang District", "Chengdu"),
    ("江苏省", "南京市", "玄武区", "珠江路699号", "699 Zhujiang Rd", "Xuanwu District", "Nanjing"),
]
