"""Mathvidya: exam practice for CBSE mathematics."""

from mathvidya.app import create_app

__all__ = ["create_app"]
