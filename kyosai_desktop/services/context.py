"""The application context: one open database and its repositories, passed to everything.

The GUI and the ``kyosai`` command both build one of these; widgets and commands never
write SQL themselves.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from kyosai_desktop.paths import default_db_path
from kyosai_desktop.store.audit import AuditRepository
from kyosai_desktop.store.connection import (
    Database,
    describe_failure,
    open_database,
    open_second_connection,
)
from kyosai_desktop.store.errors import StoreError
from kyosai_desktop.store.estimates import CampaignRepository, EstimateRepository
from kyosai_desktop.store.hq import HQRepository
from kyosai_desktop.store.master import (
    FiscalYearRepository,
    PrefectureRepository,
    ProductRepository,
    seed_master_data,
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
    db: Database
    settings: SettingsRepository = field(init=False)
    prefectures: PrefectureRepository = field(init=False)
    products: ProductRepository = field(init=False)
    fiscal_years: FiscalYearRepository = field(init=False)
    unions: UnionRepository = field(init=False)
    targets: TargetRepository = field(init=False)
    results: ResultRepository = field(init=False)
    audit: AuditRepository = field(init=False)
    master_admin: MasterAdminRepository = field(init=False)
    model_unions: ModelUnionRepository = field(init=False)
    campaigns: CampaignRepository = field(init=False)
    estimates: EstimateRepository = field(init=False)
    search: SearchRepository = field(init=False)
    hq: HQRepository = field(init=False)
    national: NationalFiguresRepository = field(init=False)

    def __post_init__(self) -> None:
        conn = self.db.conn
        self.settings = SettingsRepository(conn)
        self.prefectures = PrefectureRepository(conn)
        self.products = ProductRepository(conn)
        self.fiscal_years = FiscalYearRepository(conn)
        self.unions = UnionRepository(conn)
        self.targets = TargetRepository(conn)
        self.results = ResultRepository(conn)
        self.audit = AuditRepository(conn)
        self.master_admin = MasterAdminRepository(conn)
        self.model_unions = ModelUnionRepository(conn)
        self.campaigns = CampaignRepository(conn)
        self.estimates = EstimateRepository(conn)
        self.search = SearchRepository(conn)
        self.hq = HQRepository(conn)
        self.national = NationalFiguresRepository(conn)

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


def open_context(path: Path | str | None = None, *, allow_empty: bool = False,
                 check_later: bool = False) -> AppContext:
    """Open (create, migrate, seed master data) the database and build the context.

    ``allow_empty``: make an existing 0-byte file a new database (only when the clerk agreed).
    ``check_later``: the page-by-page integrity check runs in the background until
    ``ctx.db.confirm_intact()`` (the GUI builds its window meanwhile, and confirms before
    anything can be written); the other refusing checks run at once as always.
    """
    db = open_database(Path(path) if path else default_db_path(), allow_empty=allow_empty,
                       check_later=check_later)
    try:
        if db.pending_check is not None and not db.conn.execute("SELECT count(*) FROM products").fetchone()[0]:
            db.confirm_intact()                      # seeding writes: the check comes first
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
