"""The worker with every `mathvidya.<domain>.jobs` module imported before it starts: RQ
forks a work horse per job, and a module the parent already imported is not imported
again in each horse. `python -m mathvidya.worker` does this itself now; the bench keeps
this variant beside the Procfile line so that a run against an older commit still shows
what the import per job costs."""

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
