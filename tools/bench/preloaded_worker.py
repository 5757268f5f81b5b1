"""The Procfile's worker with every `mathvidya.<domain>.jobs` module imported before it
starts: RQ forks a work horse per job, and a module the parent already imported is not
imported again in each horse. The bench runs it beside the real worker line to show what
that import costs per job (it is a measurement, not how the project runs its worker)."""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import sys

import mathvidya
from mathvidya.worker import main

for module in pkgutil.iter_modules(mathvidya.__path__):
    if module.ispkg:
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"mathvidya.{module.name}.jobs")

if __name__ == "__main__":
    main(sys.argv[1:])
