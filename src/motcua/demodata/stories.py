"""The story of every dossier, drawn from one seed: what :func:`plan` produces and the catalog it uses."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from motcua.catalog.models import Procedure, RequiredDocument
from motcua.catalog.states import DocumentRequirement
from motcua.centers.models import Center
from motcua.demodata.people import fake_applicant
from motcua.demodata.places import DEMO_PROVINCE
from motcua.dossiers.services import VIETNAM, Applicant, _terms
from motcua.dossiers.states import (
    Channel,
    PaymentMethod,
    Rating,
    ResultDelivery,
)
from motcua.workcalendar.services import (
    OfficeHours,
    WorkCalendar,
)

SMALL_DOSSIERS = 1500
SMALL_DAYS = 122  # about four months
MAX_COMPONENTS = 3

# Share of a commune's dossiers by field (lĩnh vực), the rest spread over the other fields.
SECTOR_SHARES = {
    "Chứng thực": 0.40,
    "Hộ tịch": 0.25,
    "Đăng ký, quản lý cư trú": 0.08,
    "Đất đai": 0.05,
    "Cấp, quản lý căn cước": 0.04,
    "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)": 0.03,
}
OTHER_SECTORS_SHARE = 0.15
UNRANKED_FACTOR = 0.05  # a procedure without a popularity rank weighs like a rank far down
ZIPF = 1.1

# What officers write on the forms (Mẫu 02, 03, 04; stop and withdrawal notes).
REFUSE_NOTES = (
    gettext_noop("Yêu cầu không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã."),
    gettext_noop("Người yêu cầu không xuất trình được bản chính để đối chiếu."),
    gettext_noop("Hồ sơ đã được giải quyết trước đây; không tiếp nhận lần hai."),
)
SUPPLEMENT_NOTES = (
    gettext_noop("Bổ sung bản chụp giấy tờ tùy thân còn giá trị sử dụng của người yêu cầu."),
    gettext_noop("Tờ khai chưa ghi đủ thông tin; đề nghị kê khai lại theo mẫu."),
    gettext_noop("Bổ sung văn bản ủy quyền theo quy định."),
    gettext_noop("Bổ sung giấy tờ chứng minh nơi cư trú."),
)
STOP_NOTES = (
    gettext_noop("Người yêu cầu không thực hiện nghĩa vụ tài chính trong thời hạn quy định."),
    gettext_noop("Thông tin trong hồ sơ không đúng sự thật; dừng giải quyết theo quy định."),
)
WITHDRAW_NOTES = (gettext_noop("Công dân có đơn xin rút hồ sơ để hoàn thiện và nộp lại sau."),)
RESCHEDULE_NOTES = (
    gettext_noop(
        "Hồ sơ cần xác minh thêm tại cơ quan khác. Xin lỗi ông/bà vì sự chậm trễ và hẹn lại "
        "ngày trả kết quả."
    ),
)


class Outcome(StrEnum):
    """How the story of a dossier ends (before ``now`` cuts it, see the module docstring)."""

    EARLY = "early"  # result on a day before the due day (same-day procedures: on the due day)
    ON_TIME = "on_time"  # result on the due day, not after the due time
    LATE = "late"  # result after the due time (or, with two supplement requests, at any time)
    IN_PROGRESS = "in_progress"  # assigned, no result yet
    REFUSED = "refused"  # refused at reception (Mẫu 03)
    STOPPED = "stopped"  # stopped by the leader during processing
    WITHDRAWN = "withdrawn"  # withdrawn at the citizen's request


RESOLVED_OUTCOMES = frozenset({Outcome.EARLY, Outcome.ON_TIME, Outcome.LATE})


@dataclass(frozen=True)
class Scenario:
    """The planned story of one dossier; :func:`write` turns it into rows and events."""

    center_id: int
    procedure_id: int
    channel: str  # motcua.dossiers.states.Channel
    received_at: datetime
    outcome: Outcome
    applicant: Applicant
    supplements: int = 0  # supplement requests (Mẫu 02); two make the dossier late [766]
    e_result: bool = True  # the leader signs an electronic result, else a paper one is marked
    payment: str = ""  # PaymentMethod of the fee, "" when none is paid
    digitized: bool = True  # every component digitized at reception (KPI 4.2)
    reused: bool = False  # the first component taken from the citizen's store (KPI 4.3)
    rating: str = ""  # Rating, "" when the citizen gave none
    complaint: bool = False
    result_delivery: str = ResultDelivery.AT_CENTER
    pace: float = 0.5  # where the end falls in its window: 0 at once, 1 at the last moment
    jitter: int = 0  # seeds the minutes between the steps


@dataclass(frozen=True)
class CenterProfile:
    """How one commune works: its size and its rates, drawn once per center from the seed."""

    center_id: int
    province_code: int
    size: float
    online: float  # share of online-capable dossiers submitted online
    kiosk: float  # share of direct dossiers typed at the kiosk
    postal: float
    late: float
    supplement: float
    double_supplement: float
    digitized: float
    reused: float
    e_result: float
    paid_online_direct: float  # counter payers who pay through the portal (QR of the portal)
    rated: float


@dataclass(frozen=True)
class Component:
    required_document_id: int | None
    name: str
    requirement: str
    originals: int
    copies: int
    type_key: str


@dataclass(frozen=True)
class ProcedureInfo:
    """What the planner and the writer need of a procedure, read once."""

    id: int
    code: str
    sector_id: int
    terms: dict  # dossier channel -> services._Terms
    channels: frozenset  # dossier channels the catalog offers
    components: tuple[Component, ...]

    def fee(self, channel: str) -> int:
        return self.terms[channel].fee_vnd or 0

    def timed(self, channel: str) -> bool:
        return self.terms[channel].time_value is not None


class Catalog:
    """Procedures read lazily by id, with their terms per channel exactly as ``submit_dossier``."""

    def __init__(self) -> None:
        self._cache: dict[int, ProcedureInfo] = {}

    def get(self, procedure_id: int) -> ProcedureInfo:
        info = self._cache.get(procedure_id)
        if info is None:
            self.preload([procedure_id])
            info = self._cache[procedure_id]
        return info

    def preload(self, procedure_ids: Iterable[int]) -> None:
        """Read the procedures not read yet, their channels and components in a few queries."""
        from motcua.catalog.models import ProcedureChannel
        from motcua.dossiers.documents import document_type_key

        wanted = sorted(set(procedure_ids) - self._cache.keys())
        if not wanted:
            return
        offered: dict[int, set[str]] = defaultdict(set)
        for procedure_id, channel in ProcedureChannel.objects.filter(
            procedure_id__in=wanted
        ).values_list("procedure_id", "channel"):
            offered[procedure_id].add(channel)
        documents: dict[int, list[RequiredDocument]] = defaultdict(list)
        for document in RequiredDocument.objects.filter(procedure_id__in=wanted).order_by(
            "procedure_id", "position", "pk"
        ):
            documents[document.procedure_id].append(document)
        fallback = _("Đơn, tờ khai theo mẫu")
        for procedure in Procedure.objects.filter(pk__in=wanted):
            own = documents[procedure.pk]
            chosen = [d for d in own if d.requirement == DocumentRequirement.REQUIRED]
            chosen = (chosen or own[:1])[:MAX_COMPONENTS]
            components = tuple(
                Component(
                    d.pk, d.name, d.requirement, d.originals, d.copies, document_type_key(d.name)
                )
                for d in chosen
            ) or (
                Component(
                    None, fallback, DocumentRequirement.REQUIRED, 1, 0, document_type_key(fallback)
                ),
            )
            # Kiosk and counter share the catalog's "direct" terms: read them once.
            by_catalog_channel: dict[str, object] = {}
            terms = {}
            for channel in Channel.values:
                key = Channel(channel).catalog_channel
                if key not in by_catalog_channel:
                    by_catalog_channel[key] = _terms(procedure, Channel(channel))
                terms[channel] = by_catalog_channel[key]
            self._cache[procedure.pk] = ProcedureInfo(
                id=procedure.pk,
                code=procedure.code,
                sector_id=procedure.sector_id,
                terms=terms,
                channels=frozenset(
                    c for c in Channel.values if Channel(c).catalog_channel in offered[procedure.pk]
                ),
                components=components,
            )


# Planning


def _weights(procedures: list[Procedure]) -> list[float]:
    """Field share × Zipf over the popularity rank inside the field (see the module docstring)."""
    by_sector: dict[str, list[Procedure]] = defaultdict(list)
    for p in procedures:
        by_sector[p.sector.name].append(p)
    others = [s for s in by_sector if s not in SECTOR_SHARES]
    known_total = sum(SECTOR_SHARES[s] for s in by_sector if s in SECTOR_SHARES) or 1.0
    weights: dict[int, float] = {}
    for sector, members in by_sector.items():
        if sector in SECTOR_SHARES:
            share = SECTOR_SHARES[sector] / known_total * (1 - OTHER_SECTORS_SHARE)
        else:
            share = OTHER_SECTORS_SHARE / len(others)
        if not others:
            share = SECTOR_SHARES.get(sector, 0) / known_total
        ranked = sorted(members, key=lambda p: (p.popularity is None, p.popularity or 0, p.code))
        raw = [
            (1.0 if p.popularity else UNRANKED_FACTOR) / (i + 1) ** ZIPF
            for i, p in enumerate(ranked)
        ]
        total = sum(raw)
        for p, r in zip(ranked, raw, strict=True):
            weights[p.pk] = share * r / total
    return [weights[p.pk] for p in procedures]


def plannable_procedures(date_from: date, date_to: date) -> list[Procedure]:
    """Published procedures valid over the whole period that a dossier can be received for."""
    return [
        p
        for p in Procedure.objects.published()
        .select_related("sector")
        .filter(channels__isnull=False)
        .distinct()
        .order_by("code")
        if (p.valid_from is None or p.valid_from <= date_from)
        and (p.valid_to is None or p.valid_to >= date_to)
    ]


def center_profile(center: Center, seed: int, province_code: int) -> CenterProfile:
    rng = random.Random(f"{seed}:{center.agency_code}")
    return CenterProfile(
        center_id=center.pk,
        province_code=province_code,
        size=rng.lognormvariate(0, 0.5) * (1.5 if center.commune.startswith("Phường") else 1.0),
        online=rng.uniform(0.60, 0.95),
        kiosk=rng.uniform(0.15, 0.35),
        postal=rng.uniform(0.01, 0.04),
        late=0.02 * rng.random() ** 3,
        supplement=rng.uniform(0.02, 0.07),
        double_supplement=rng.uniform(0.0, 0.003),
        digitized=rng.uniform(0.85, 1.0),
        reused=rng.uniform(0.05, 0.40),
        e_result=rng.uniform(0.75, 0.98),
        paid_online_direct=rng.uniform(0.25, 0.60),
        rated=rng.uniform(0.20, 0.50),
    )


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder: the sum is exact)."""
    scale = sum(weights)
    exact = [total * w / scale for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


# Receipt moments: the morning session is busier than the afternoon.
MORNING_SHARE = 0.62
WEEKDAY_LOAD = {0: 1.25, 1: 1.1, 2: 1.0, 3: 1.0, 4: 0.9, 5: 0.6, 6: 0.6}


def _receipt_windows(
    calendar: WorkCalendar, day: date, hours: OfficeHours, now: datetime
) -> list[tuple[datetime, datetime, float]]:
    """Office sessions of a working day, cut at ``now``, with their share of the day's dossiers."""
    if not calendar.is_working_day(day):
        return []
    windows = []
    for (start, end), share in zip(hours.sessions, (MORNING_SHARE, 1 - MORNING_SHARE), strict=True):
        opening = datetime.combine(day, start, VIETNAM)
        # Nobody is received in the last five minutes before closing.
        closing = min(datetime.combine(day, end, VIETNAM) - timedelta(minutes=5), now)
        if closing > opening:
            full = (datetime.combine(day, end, VIETNAM) - timedelta(minutes=5)) - opening
            windows.append((opening, closing, share * ((closing - opening) / full)))
    return windows


def plan(
    centers: list[Center],
    *,
    dossiers: int,
    date_from: date,
    date_to: date,
    now: datetime,
    seed: int = 1,
    province_code: int = DEMO_PROVINCE,
    center_weights: dict[int, float] | None = None,
    catalog: Catalog | None = None,
) -> Iterator[Scenario]:
    """Scenarios for ``dossiers`` receipts in [date_from, date_to] before ``now``, deterministic.

    Yields them center by center, in receipt order, so that :func:`write` numbers them in order.
    ``center_weights`` overrides the drawn center sizes (the README set makes the demo center big).
    """
    procedures = plannable_procedures(date_from, date_to)
    if not procedures:
        raise ValueError(_("Danh mục chưa có thủ tục nào; chạy “motcua catalog load” trước."))
    catalog = catalog or Catalog()
    catalog.preload(p.pk for p in procedures)
    proc_cum = list(_cumulative(_weights(procedures)))
    calendar = WorkCalendar.from_db(date_from, date_to)
    profiles = [center_profile(c, seed, province_code) for c in centers]
    sizes = [
        (center_weights or {}).get(c.pk, p.size) for c, p in zip(centers, profiles, strict=True)
    ]
    for center, profile, count in zip(centers, profiles, _allocate(dossiers, sizes), strict=True):
        if count:
            yield from _plan_center(
                center,
                profile,
                count,
                procedures,
                proc_cum,
                catalog,
                calendar,
                date_from,
                date_to,
                now,
                seed,
            )


def _cumulative(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def _plan_center(
    center, profile, count, procedures, proc_cum, catalog, calendar, date_from, date_to, now, seed
) -> Iterator[Scenario]:
    rng = random.Random(f"{seed}:{center.agency_code}:dossiers")
    hours = OfficeHours.from_center(center)
    windows: list[tuple[datetime, datetime]] = []
    weights: list[float] = []
    day = date_from
    while day <= date_to:
        for start, end, share in _receipt_windows(calendar, day, hours, now):
            windows.append((start, end))
            weights.append(share * WEEKDAY_LOAD[day.weekday()])
        day += timedelta(days=1)
    if not windows:
        raise ValueError(_("Không có ngày làm việc nào trong kỳ trước thời điểm hiện tại."))
    cum = list(_cumulative(weights))
    moments = []
    for start, end in rng.choices(windows, cum_weights=cum, k=count):
        seconds = int((end - start).total_seconds())
        moments.append(start + timedelta(seconds=rng.randrange(max(seconds, 1))))
    moments.sort()
    chosen = rng.choices(procedures, cum_weights=proc_cum, k=count)
    for received_at, procedure in zip(moments, chosen, strict=True):
        yield _scenario(rng, center, profile, catalog.get(procedure.pk), received_at)


def _scenario(rng, center, profile: CenterProfile, info: ProcedureInfo, received_at) -> Scenario:
    offered = info.channels
    direct = Channel.KIOSK in offered
    if Channel.ONLINE in offered and (not direct or rng.random() < profile.online):
        channel = Channel.ONLINE
    elif Channel.POSTAL in offered and (not direct or rng.random() < profile.postal):
        channel = Channel.POSTAL
    else:
        channel = Channel.KIOSK if rng.random() < profile.kiosk else Channel.COUNTER

    r = rng.random()
    if r < 0.004:
        outcome = Outcome.REFUSED
    elif r < 0.006:
        outcome = Outcome.WITHDRAWN
    elif r < 0.007:
        outcome = Outcome.STOPPED
    elif r < 0.007 + profile.late:
        outcome = Outcome.LATE
    else:
        outcome = Outcome.EARLY if rng.random() < 0.85 else Outcome.ON_TIME
    supplements = 0
    if outcome not in (Outcome.REFUSED, Outcome.WITHDRAWN):
        r = rng.random()
        if r < profile.double_supplement:
            supplements, outcome = 2, Outcome.LATE
        elif r < profile.supplement:
            supplements = 1
    if outcome == Outcome.LATE and supplements < 2 and not info.timed(channel):
        outcome = Outcome.ON_TIME  # no time limit ("Theo quy định"): it cannot be late

    payment = ""
    if info.fee(channel) and outcome != Outcome.REFUSED:
        if channel == Channel.ONLINE:
            online = rng.random() < 0.92
        else:
            online = rng.random() < profile.paid_online_direct
        if online:
            payment = (
                PaymentMethod.ONLINE_NATIONAL
                if rng.random() < 0.7
                else PaymentMethod.ONLINE_PROVINCIAL
            )
        else:
            payment = PaymentMethod.CASH if rng.random() < 0.6 else PaymentMethod.TRANSFER
    digitized = rng.random() < profile.digitized
    reused = digitized and rng.random() < profile.reused

    rating, complaint = "", False
    if outcome != Outcome.WITHDRAWN and rng.random() < profile.rated:
        unhappy = 0.25 if outcome == Outcome.LATE else 0.012
        if rng.random() < unhappy:
            rating, complaint = Rating.DISSATISFIED, rng.random() < 0.4
        else:
            rating = Rating.VERY_SATISFIED if rng.random() < 0.55 else Rating.SATISFIED

    if channel == Channel.POSTAL:
        delivery = ResultDelivery.POSTAL
    elif channel == Channel.ONLINE and rng.random() < 0.6:
        delivery = ResultDelivery.ONLINE
    else:
        delivery = ResultDelivery.AT_CENTER
    return Scenario(
        center_id=center.pk,
        procedure_id=info.id,
        channel=channel,
        received_at=received_at,
        outcome=outcome,
        applicant=fake_applicant(rng, profile.province_code, center.commune, center.province),
        supplements=supplements,
        e_result=rng.random() < profile.e_result,
        payment=payment,
        digitized=digitized,
        reused=reused,
        rating=rating,
        complaint=complaint,
        result_delivery=delivery,
        pace=rng.random(),
        jitter=rng.getrandbits(32),
    )
