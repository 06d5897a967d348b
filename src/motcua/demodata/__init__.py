"""Demo history: centers from the real administrative map and years of dossiers, deterministically.

``motcua demo-data`` fills a database with what a province would see after months of work, so
that dashboards and the KPI engine have something to show and a benchmark has volume. The
communes are real (``vietnam-provinces``, GSO data of the 2025 map); the people, their numbers
and their dossiers are invented.

Two steps, so each can be tested on its own:

- :func:`plan` draws, from one seed, the *story* of every dossier as a :class:`Scenario`: center,
  procedure, channel, receipt moment, outcome, supplements, payment, digitization, reuse, rating.
- :func:`write` turns scenarios into rows and events, in bulk. Each event follows ``TRANSITIONS``
  and is chained by ``event_hash`` exactly as ``record_event`` would chain it, so ``motcua audit
  verify`` passes and the KPI engine replays them like any other dossier. Due times come from
  the working-day calendar as in ``submit_dossier``; a supplement moves them as
  ``motcua.dossiers.actions`` does. Events after ``now`` are not written: a dossier whose story
  ends later is still being processed at that moment.

Choices a reader may wonder about:

- Centers carry a synthetic agency code ``000.00.<5-digit commune code>.H<2-digit province
  code>``: the real codes (mã định danh, Quyết định 20/2020/QĐ-TTg) are issued by each province
  and are not published as a table. Commune codes are unique nationally, so these are too. The
  demo center ``000.00.25.H45`` (Xã Hiền Lương, ``motcua demo-center``) keeps its code.
- Procedures are weighted by field (chứng thực and hộ tịch make most of a commune's work) and,
  inside a field, by the catalog's popularity rank (Zipf). The weights are a demo's guess, not
  statistics.
- The online share of a commune (60–95 %) applies to procedures the catalog offers online;
  procedures offered only at the counter (chứng thực bản sao) stay at the counter or kiosk.
- A dossier carries up to three of the procedure's required components; digitized components
  get no file (a demo stores no scans).
"""
