"""What routes and commands use, made once the runtime has its pool."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kisalli_payments.adapters.debtors import DebtorAccounts
from kisalli_payments.service_layer.paying import Checkpoint, Paying
from kisalli_payments.service_layer.recording import Recorder
from kisalli_shared.readmodels import Projection, differences, rebuild
from kisalli_shared.runtime import ServiceRuntime


@dataclass
class Services:
    runtime: ServiceRuntime
    debtors: DebtorAccounts
    today: Callable[[], date]
    projection: Projection
    bank_file_dir: Path | None = None
    # Tests stop the process at named points to see what a crash leaves.
    checkpoint: Checkpoint | None = None

    @property
    def recorder(self) -> Recorder:
        return Recorder(self.runtime.store)

    @property
    def paying(self) -> Paying:
        paying = Paying(
            pool=self.runtime.pool,
            recorder=self.recorder,
            debtors=self.debtors,
            bank_file_dir=self.bank_file_dir,
        )
        if self.checkpoint is not None:
            paying.checkpoint = self.checkpoint
        return paying

    async def rebuild_read_models(self) -> int:
        return await rebuild(self.runtime.pool, self.projection)

    async def read_model_differences(self) -> dict[str, dict[str, list[str]]]:
        return await differences(self.runtime.pool, self.projection)
