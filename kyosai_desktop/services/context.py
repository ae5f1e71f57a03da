"""The application context: one open database and its repositories, passed to everything.

The GUI and the ``kyosai`` command both build one of these; widgets and commands never
write SQL themselves.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from kyosai_desktop.paths import default_db_path
from kyosai_desktop.store.connection import (
    Database,
    describe_failure,
    open_database,
    open_second_connection,
)
from kyosai_desktop.store.errors import StoreError
from kyosai_desktop.store.master import seed_master_data

if TYPE_CHECKING:
    from kyosai_desktop.store.audit import AuditRepository
    from kyosai_desktop.store.estimates import CampaignRepository, EstimateRepository
    from kyosai_desktop.store.hq import HQRepository
    from kyosai_desktop.store.master import (
        FiscalYearRepository,
        PrefectureRepository,
        ProductRepository,
    )
    from kyosai_desktop.store.master_admin import MasterAdminRepository
    from kyosai_desktop.store.model_unions import ModelUnionRepository
    from kyosai_desktop.store.national import NationalFiguresRepository
    from kyosai_desktop.store.results import ResultRepository
    from kyosai_desktop.store.search import SearchRepository
    from kyosai_desktop.store.settings import SettingsRepository
    from kyosai_desktop.store.targets import TargetRepository
    from kyosai_desktop.store.unions import UnionRepository


@dataclass
class AppContext:
    """The open database and its repositories.

    Each repository is made (and its module imported) on first use: start-up imports only
    what the first page reads (tests/bench_foundation.py; importing all fifteen cost about
    40 ms of a 0.35 s start).
    """

    db: Database

    @cached_property
    def settings(self) -> SettingsRepository:
        from kyosai_desktop.store.settings import SettingsRepository

        return SettingsRepository(self.db.conn)

    @cached_property
    def prefectures(self) -> PrefectureRepository:
        from kyosai_desktop.store.master import PrefectureRepository

        return PrefectureRepository(self.db.conn)

    @cached_property
    def products(self) -> ProductRepository:
        from kyosai_desktop.store.master import ProductRepository

        return ProductRepository(self.db.conn)

    @cached_property
    def fiscal_years(self) -> FiscalYearRepository:
        from kyosai_desktop.store.master import FiscalYearRepository

        return FiscalYearRepository(self.db.conn)

    @cached_property
    def unions(self) -> UnionRepository:
        from kyosai_desktop.store.unions import UnionRepository

        return UnionRepository(self.db.conn)

    @cached_property
    def targets(self) -> TargetRepository:
        from kyosai_desktop.store.targets import TargetRepository

        return TargetRepository(self.db.conn)

    @cached_property
    def results(self) -> ResultRepository:
        from kyosai_desktop.store.results import ResultRepository

        return ResultRepository(self.db.conn)

    @cached_property
    def audit(self) -> AuditRepository:
        from kyosai_desktop.store.audit import AuditRepository

        return AuditRepository(self.db.conn)

    @cached_property
    def master_admin(self) -> MasterAdminRepository:
        from kyosai_desktop.store.master_admin import MasterAdminRepository

        return MasterAdminRepository(self.db.conn)

    @cached_property
    def model_unions(self) -> ModelUnionRepository:
        from kyosai_desktop.store.model_unions import ModelUnionRepository

        return ModelUnionRepository(self.db.conn)

    @cached_property
    def campaigns(self) -> CampaignRepository:
        from kyosai_desktop.store.estimates import CampaignRepository

        return CampaignRepository(self.db.conn)

    @cached_property
    def estimates(self) -> EstimateRepository:
        from kyosai_desktop.store.estimates import EstimateRepository

        return EstimateRepository(self.db.conn)

    @cached_property
    def search(self) -> SearchRepository:
        from kyosai_desktop.store.search import SearchRepository

        return SearchRepository(self.db.conn)

    @cached_property
    def hq(self) -> HQRepository:
        from kyosai_desktop.store.hq import HQRepository

        return HQRepository(self.db.conn)

    @cached_property
    def national(self) -> NationalFiguresRepository:
        from kyosai_desktop.store.national import NationalFiguresRepository

        return NationalFiguresRepository(self.db.conn)

    @property
    def conn(self):
        return self.db.conn

    @property
    def path(self) -> Path:
        return self.db.path

    @property
    def branch(self) -> str | None:
        return self.settings.branch_pref_code

    @property
    def is_hq(self) -> bool:
        """A headquarters database (``kyosai init --hq``): many branches, no branch of its own."""
        return self.hq.is_hq()

    def close(self) -> None:
        self.db.close()


def open_context(
    path: Path | str | None = None, *, allow_empty: bool = False, check_later: bool = False
) -> AppContext:
    """Open (create, migrate, seed master data) the database and build the context.

    ``allow_empty``: make an existing 0-byte file a new database (only when the clerk agreed).
    ``check_later``: the page-by-page integrity check runs in the background until
    ``ctx.db.confirm_intact()`` (the GUI builds its window meanwhile, and confirms before
    anything can be written); the other refusing checks run at once as always.
    """
    db = open_database(
        Path(path) if path else default_db_path(), allow_empty=allow_empty, check_later=check_later
    )
    try:
        if (
            db.pending_check is not None
            and not db.conn.execute("SELECT count(*) FROM products").fetchone()[0]
        ):
            db.confirm_intact()  # seeding writes: the check comes first
        seed_master_data(db.conn)
    except StoreError:
        db.abandon()
        raise
    except (sqlite3.Error, OSError) as exc:
        db.abandon()
        raise describe_failure(exc, db.path) from exc
    return AppContext(db)


def open_worker_context(path: Path | str) -> AppContext:
    """A context on its own connection to an already open database (for background work)."""
    return AppContext(open_second_connection(path))
