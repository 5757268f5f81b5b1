"""The plans on sale, kept per process: read once, read again after their maximum age."""

from __future__ import annotations

from mathvidya.billing.service import PlanCatalogue, list_plans


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingConnect:
    def __init__(self, conn) -> None:
        self.conn, self.calls = conn, 0

    def __call__(self):
        self.calls += 1
        return self.conn


def price_of(plans, plan_type: str) -> int:
    return next(plan["monthly_price_paise"] for plan in plans if plan["plan_type"] == plan_type)


def test_the_copy_serves_until_its_max_age_then_shows_a_change(db):
    clock, connect = Clock(), CountingConnect(db)
    catalogue = PlanCatalogue(60.0, clock=clock)
    first = catalogue.plans(connect)
    db.execute(
        "UPDATE subscription_plans SET monthly_price_paise = monthly_price_paise + 100 WHERE plan_type = 'basic'"
    )

    clock.now += 59.9
    assert catalogue.plans(connect) is first and connect.calls == 1  # fresh: no connection taken

    clock.now += 0.1
    again = catalogue.plans(connect)
    assert connect.calls == 2
    assert price_of(again, "basic") == price_of(first, "basic") + 100


def test_a_withdrawn_plan_leaves_the_list_at_the_next_read(db):
    clock, connect = Clock(), CountingConnect(db)
    catalogue = PlanCatalogue(5.0, clock=clock)
    before = list_plans(catalogue, connect, 20, 0)
    db.execute("UPDATE subscription_plans SET is_active = false WHERE plan_type = 'centum'")
    clock.now += 5.0
    after = list_plans(catalogue, connect, 20, 0)
    assert "centum" in {plan["plan_type"] for plan in before["items"]}
    assert "centum" not in {plan["plan_type"] for plan in after["items"]}
    assert after["total"] == before["total"] - 1


def test_pages_of_the_copy_are_cheapest_first_with_the_whole_count(db):
    catalogue = PlanCatalogue(60.0, clock=Clock())
    connect = CountingConnect(db)
    whole = list_plans(catalogue, connect, 20, 0)
    prices = [plan["monthly_price_paise"] for plan in whole["items"]]
    assert prices == sorted(prices) and len(prices) == whole["total"] >= 4

    second_page = list_plans(catalogue, connect, 2, 2)
    assert second_page["items"] == whole["items"][2:4]
    assert (second_page["total"], second_page["limit"], second_page["offset"]) == (whole["total"], 2, 2)
    past_the_end = list_plans(catalogue, connect, 20, 50)
    assert past_the_end["items"] == [] and past_the_end["total"] == whole["total"]
    assert connect.calls == 1
    assert isinstance(whole["items"][-1]["teacher_hours_per_month"], (float, type(None)))
