"""TEMPORARY test scaffolding, removed once branch 'service' is merged.

The browser tests' server process finds this folder on ``PYTHONPATH``, so Python imports
this module at start-up; it adds the render, analysis, suggest, patterns and whoami
endpoints of ``docs/dev/api-contract.md`` to the app, which the other branch is building.
"""

import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any


class _AddContractRoutes(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != "causemap.service.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        assert spec is not None
        assert spec.loader is not None
        run = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            real = module.create_app

            def create_app(*args: Any, **kwargs: Any) -> Any:
                import contract_routes  # type: ignore[import-not-found]

                return contract_routes.add(real(*args, **kwargs))

            module.create_app = create_app  # type: ignore[attr-defined]

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


sys.meta_path.insert(0, _AddContractRoutes())
