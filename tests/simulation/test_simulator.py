"""The user simulator against the real dialog engine: a fixed-seed sample in the suite.

The flows are being improved in parallel, so this is a ratchet: the task success per
language must not fall below the floor in floor.json (raise it as the flows improve; the
target is 0.95). Floors are the measured rate rounded down to a 5 % step: with 33 customers per
language one conversation is 3 %, and a change in one bot reply shifts that customer's later
random phrasing, so a single flip does not fail the suite while a real regression does.
Failures are printed with their transcripts; CHATCART_CONV_FAILURES_SIM=FILE also writes them
there as Markdown. `make bench` runs the same simulator at scale.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

from tests.conversations.end_state import mismatches
from tests.simulation.goals import GOAL_KINDS, draw_goal
from tests.simulation.noise import add_noise
from tests.simulation.observe import asks_of, list_position
from tests.simulation.run import failure_text, run_population, tally, tally_lines
from tests.simulation.shop import COUPONS, sim_products
from tests.simulation.user import SimulatedCustomer

SAMPLE_PER_LANG = 33  # three goals of each of the 11 kinds per language
SEED = 14
FLOOR_FILE = Path(__file__).parent / "floor.json"


def test_goals_cover_every_kind_and_expect_real_end_states() -> None:
    products = sim_products()
    rng = random.Random(1)
    for lang in ("zh", "en"):
        for kind in GOAL_KINDS:
            goal = draw_goal(kind, lang, products, rng, COUPONS)
            expectation = goal.expectation()
            empty = {"cart": [], "orders": [], "after_sales": [], "handoff": "none"}
            assert mismatches(expectation, empty), f"{kind}: an empty conversation would count as success"
            assert all(w.sku.stock > 0 for w in goal.wants)


def test_noise_keeps_exact_slots_and_changes_text() -> None:
    rng = random.Random(3)
    noisy = {add_noise("please add it to the cart, thanks!", "en", 2, rng) for _ in range(30)}
    assert len(noisy) > 5
    customer = SimulatedCustomer(draw_goal("buy_coupon", "en", sim_products(), random.Random(5), COUPONS), rng)
    assert customer.goal.coupon
    assert all(customer.goal.coupon in customer.say("use_coupon", code=customer.goal.coupon) for _ in range(20))


def test_the_customer_answers_the_step_the_bot_asks_for() -> None:
    goal = draw_goal("buy", "zh", sim_products(), random.Random(7), COUPONS)
    customer = SimulatedCustomer(goal, random.Random(7))
    customer.agenda = customer.agenda[1:]  # the product is in the cart
    address_ask = [{"type": "text", "text": "请发送收货地址：姓名、手机号、地区和详细地址", "buttons": []}]
    assert customer.next_message(["address"], address_ask) == goal.address.text
    assert [act.name for act in customer.agenda][:3] == ["shipping", "coupon", "confirm"]


def test_the_customer_reads_what_the_bot_asks_for() -> None:
    card = {"type": "product", "text": "【Tent】 ¥459.00\n  Color: olive / sand", "buttons": [{"label": "olive"}]}
    ask_colour = {"type": "text", "text": "Please choose the Color:", "buttons": []}
    assert asks_of([ask_colour, card])[:1] == ["option"]
    buttons = [{"label": "Yes"}, {"label": "No"}]
    yes_no = {"type": "text", "text": "Request a refund? Reason: too big", "buttons": buttons}
    assert asks_of([yes_no])[0] == "yes_no"  # not "reason": the question is the Yes/No one
    added = {"type": "text", "text": "已将 帐篷 (军绿) ×1 加入购物车。", "buttons": [{"label": "加入购物车"}]}
    assert "added" in asks_of([added])
    assert "added" not in asks_of([{"type": "product", "text": "【帐篷】", "buttons": [{"label": "加入购物车"}]}])
    listing = {"type": "text", "text": "I found 2 item(s):\n  (1) Tent  ¥459.00\n  (2) Headlamp  ¥79.00", "buttons": []}
    assert list_position([listing], "Headlamp") == 2
    coupon_button = [{"label": "Coupon code"}]
    summary = {"type": "order_summary", "text": "Please check your order: Tent ×1", "buttons": coupon_button}
    assert asks_of([summary]) == ["confirm"]


async def test_simulated_customers_succeed_at_least_as_often_as_the_floor(sim_shop: Any) -> None:
    results = await run_population(sim_shop, SAMPLE_PER_LANG, ("zh", "en"), SEED, concurrency=4)
    failures = "\n\n".join(failure_text(r, i) for i, r in enumerate(results) if not r.success)
    table = "\n".join(tally_lines(results))
    print(f"\nuser simulator, seed {SEED}, {SAMPLE_PER_LANG} per language:\n{table}\n\n{failures}")
    target = os.environ.get("CHATCART_CONV_FAILURES_SIM")
    if target:
        Path(target).write_text(f"# Simulator failures (seed {SEED})\n\n```\n{table}\n```\n\n{failures}\n", "utf-8")
    floors = json.loads(FLOOR_FILE.read_text("utf-8"))
    rates = tally(results)
    for lang in ("zh", "en"):
        rate = rates[(lang, "all")].rate
        assert rate >= floors[lang], f"simulator {lang}: {rate:.2%} < floor {floors[lang]:.2%}\n{table}"


def test_the_customer_corrects_a_wrong_count_once_and_moves_on() -> None:
    goal = draw_goal("buy", "en", sim_products(), random.Random(7), COUPONS)
    goal.wants[0].qty = 2
    goal.sold_out_first = None
    customer = SimulatedCustomer(goal, random.Random(7))
    title = goal.wants[0].product.title["en"]
    added = [{"type": "text", "text": f"Added {title} (x) ×1 to your cart. Cart: 1 item(s).", "buttons": []}]
    fix = customer.next_message(asks_of(added), added)
    assert fix is not None
    assert "2" in fix
    assert customer.agenda[0].name == "checkout"  # not asked again: the end state says if it worked
    right = [{"type": "text", "text": f"Added {title} ×2 to your cart.", "buttons": []}]
    other = SimulatedCustomer(goal, random.Random(7))
    assert other.answer(asks_of(right), right) is None
