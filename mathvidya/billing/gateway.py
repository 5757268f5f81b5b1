"""Payment gateway adapters.

``RazorpayGateway`` follows Razorpay's order + signature protocol: the client pays an
order at the gateway and sends back (order_id, payment_id, signature), where the
signature is the lowercase hex HMAC-SHA256 of ``order_id + "|" + payment_id`` keyed with
the account's key secret. No real gateway is reachable from here, so order ids are
generated locally in Razorpay's shape; the signature check is the real one, never
skipped. ``ManualProvider`` names admin grants (offline payments) in the same ledger.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass

from mathvidya.config import Settings

BASE62 = string.digits + string.ascii_letters
ORDER_ID_PREFIX = "order_"
ORDER_ID_LENGTH = 14  # characters after the prefix, as Razorpay issues them


@dataclass(frozen=True)
class GatewayOrder:
    order_id: str
    amount_paise: int
    currency: str


class RazorpayGateway:
    """Razorpay-style orders and payment signature verification with a configured key pair."""

    name = "razorpay"

    def __init__(self, key_id: str, key_secret: str) -> None:
        if not key_id or not key_secret:
            raise ValueError("the gateway needs a key id and a key secret")
        self.key_id = key_id
        self._key_secret = key_secret.encode()

    @classmethod
    def from_settings(cls, settings: Settings) -> RazorpayGateway:
        return cls(settings.razorpay_key_id, settings.razorpay_key_secret)

    def create_order(self, amount_paise: int, currency: str = "INR") -> GatewayOrder:
        """A new order for ``amount_paise``; its id is random base62 in Razorpay's format."""
        if amount_paise < 0:
            raise ValueError("amount must not be negative")
        suffix = "".join(secrets.choice(BASE62) for _ in range(ORDER_ID_LENGTH))
        return GatewayOrder(order_id=ORDER_ID_PREFIX + suffix, amount_paise=amount_paise, currency=currency)

    def payment_signature(self, order_id: str, payment_id: str) -> str:
        """The signature the gateway gives the client for a successful payment."""
        message = f"{order_id}|{payment_id}".encode()
        return hmac.new(self._key_secret, message, hashlib.sha256).hexdigest()

    def verify_payment_signature(self, order_id: str, payment_id: str, signature: str) -> bool:
        """Constant-time comparison of the client's signature with the expected one."""
        if not order_id or not payment_id or not signature:
            return False
        expected = self.payment_signature(order_id, payment_id)
        return hmac.compare_digest(expected.encode(), signature.encode())


class ManualProvider:
    """Admin grants: no money moves through the service, the admin is the reference."""

    name = "manual"
