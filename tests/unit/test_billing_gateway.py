"""The Razorpay-style gateway adapter: order ids and HMAC-SHA256 payment signatures."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest

from mathvidya.billing.gateway import RazorpayGateway
from mathvidya.config import Settings

SECRET = "s3cret-key"


def _signature(order_id: str, payment_id: str, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), f"{order_id}|{payment_id}".encode(), hashlib.sha256).hexdigest()


def test_order_ids_have_razorpay_shape_and_are_unique():
    gateway = RazorpayGateway("rzp_test_key", SECRET)
    ids = {gateway.create_order(29900).order_id for _ in range(500)}
    assert len(ids) == 500
    assert all(re.fullmatch(r"order_[0-9A-Za-z]{14}", order_id) for order_id in ids)
    order = gateway.create_order(299900)
    assert (order.amount_paise, order.currency) == (299900, "INR")


def test_valid_signature_is_accepted():
    gateway = RazorpayGateway("rzp_test_key", SECRET)
    assert gateway.verify_payment_signature("order_A", "pay_B", _signature("order_A", "pay_B"))
    assert gateway.payment_signature("order_A", "pay_B") == _signature("order_A", "pay_B")


@pytest.mark.parametrize(
    ("order_id", "payment_id", "signature"),
    [
        ("order_A", "pay_B", _signature("order_A", "pay_C")),  # signed another payment
        ("order_A", "pay_B", _signature("order_X", "pay_B")),  # signed another order
        ("order_A", "pay_B", _signature("order_A", "pay_B", "other-secret")),  # another key
        ("order_A", "pay_B", _signature("order_A", "pay_B")[:-1]),  # truncated
        ("order_A", "pay_B", ""),
        ("order_A", "", _signature("order_A", "")),
        ("order_A", "pay_B", "é" * 64),
    ],
)
def test_wrong_signatures_are_refused(order_id, payment_id, signature):
    assert not RazorpayGateway("rzp_test_key", SECRET).verify_payment_signature(order_id, payment_id, signature)


def test_gateway_uses_the_configured_key_pair():
    settings = Settings(razorpay_key_id="rzp_live_x", razorpay_key_secret="live-secret")
    gateway = RazorpayGateway.from_settings(settings)
    assert gateway.key_id == "rzp_live_x"
    assert gateway.verify_payment_signature("o", "p", _signature("o", "p", "live-secret"))


def test_gateway_needs_a_key_pair():
    with pytest.raises(ValueError):
        RazorpayGateway("", SECRET)
    with pytest.raises(ValueError):
        RazorpayGateway("key", "")
