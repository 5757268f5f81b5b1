"""Billing: plans, subscriptions, payments, the exam quota, entitlements and teacher hours."""
