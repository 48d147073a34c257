"""/api/events/export: the filtered events as CSV, JSONL (PLOVER records) or Parquet.

The rows and their form are the analysis module's (`flashpoint.analyze.export`), the same
as `flashpoint export`: JSONL carries one PLOVER record per line, CSV and Parquet its flat
form. Text formats stream; Parquet is written to a temporary file first (it is binary and
written in row groups), then sent and deleted.

Filters are the event list's. Two differences, from the analysis filter's model: events
are counted once per story (syndicated copies are one event), and a modality flag can be
shown or hidden but not "only".
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, StreamingResponse
from starlette.background import BackgroundTask

from flashpoint.analyze import export
from flashpoint.analyze.filters import EventFilter as AnalysisFilter
from flashpoint.serve.dependencies import EventFilterDep, StoreDep
from flashpoint.serve.errors import ApiError
from flashpoint.serve.routers.json_route import JsonRoute
from flashpoint.store import Store
from flashpoint.store.browse import ALL_CODERS, EventFilter

router = APIRouter(tags=["events"], route_class=JsonRoute)
MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8",
         "parquet": "application/vnd.apache.parquet"}
LINES_PER_CHUNK = 500


def analysis_filter(f: EventFilter) -> AnalysisFilter:
    """The analysis module's filter for the API's; 422 for what it cannot express."""
    for name in ("negated", "future", "hypothetical", "conditional"):
        if getattr(f, name) is True:
            raise ApiError(422, f"{name}: downloads can show or hide these events, not "
                                f"select only them (use the event list for that)",
                           param=name)
    if f.coder == ALL_CODERS:
        raise ApiError(422, "coder: downloads take one coder version, or none for each "
                            "article's newest coding", param="coder")
    return AnalysisFilter(
        actor=f.actor, source=f.source, target=f.target, types=f.types, modes=f.modes,
        since=f.since, until=f.until, include_negated=f.negated is not False,
        include_hypothetical=f.hypothetical is not False, include_future=f.future is not False,
        include_conditional=f.conditional is not False, coder_version=f.coder,
        article_ids=(f.article,) if f.article else (),
    )


def _text_chunks(store: Store, fmt: str, flt: AnalysisFilter) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = export.write_csv if fmt == "csv" else export.write_jsonl

    def records() -> Iterator[dict[str, Any]]:
        yield from export.iter_records(store, flt)

    # write_csv / write_jsonl consume an iterable; feed them chunk by chunk so the
    # response streams instead of building the whole file in memory.
    items = records()
    header_written = False
    while True:
        chunk = [record for _, record in zip(range(LINES_PER_CHUNK), items, strict=False)]
        if not chunk and header_written:
            return
        writer(chunk, buffer)
        text = buffer.getvalue()
        if fmt == "csv" and header_written:
            text = text.split("\n", 1)[1]  # the header again: write_csv always writes it
        header_written = True
        buffer.seek(0)
        buffer.truncate()
        if text:
            yield text.encode("utf-8")
        if len(chunk) < LINES_PER_CHUNK:
            return


@router.get("/events/export", summary="Download events as CSV, JSONL (PLOVER) or Parquet",
            response_class=StreamingResponse,
            responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA.values()}}})
def export_events(store: StoreDep, f: EventFilterDep,
                  format: Annotated[Literal["csv", "jsonl", "parquet"],
                                    Query(description="csv, jsonl or parquet")] = "jsonl"
                  ) -> Any:
    flt = analysis_filter(f)
    name = f"flashpoint-events.{format}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "parquet":
        handle, path = tempfile.mkstemp(prefix="flashpoint-export-", suffix=".parquet")
        os.close(handle)
        try:
            export.export(store, "parquet", path, flt=flt)
        except BaseException:
            os.unlink(path)
            raise
        return FileResponse(path, media_type=MEDIA["parquet"], headers=disposition,
                            background=BackgroundTask(os.unlink, path))
    return StreamingResponse(_text_chunks(store, format, flt), media_type=MEDIA[format],
                             headers=disposition)
