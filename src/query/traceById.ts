/**
 * The engine request that fetches one trace's documents: exact terms on the trace id field (its
 * keyword form under dynamic mapping), an optional start-time window, and a total order for
 * search_after paging. Pure: (schema facts, mapping, trace id, window, page) -> request.
 */
import { exactPath, type FieldCatalog } from '../proto/fieldCatalog';
import { traceIdSearchForms } from '../proto/ids';
import type { JsonObject, SpanSchema } from '../proto/schema';

export interface TimeWindow {
  fromNs: bigint;
  toNs: bigint;
}

export type TraceDocumentKind = 'spans' | 'events';

export interface TraceByIdRequest {
  schema: SpanSchema;
  catalog: FieldCatalog;
  traceId: string;
  window?: TimeWindow;
  documents: TraceDocumentKind;
  pageSize: number;
  searchAfter?: unknown[];
}

export interface BuiltRequest {
  body: JsonObject;
  /** Why the request is less narrow than asked (e.g. the mapping cannot filter by time). */
  warnings: string[];
}

export function buildTraceByIdRequest(request: TraceByIdRequest): BuiltRequest {
  const { schema, catalog } = request;
  const warnings: string[] = [];
  const traceIdField = exactPath(catalog, schema.paths.traceId) ?? schema.paths.traceId;
  const filter: JsonObject[] = [{ terms: { [traceIdField]: traceIdSearchForms(request.traceId) } }];
  if (request.window) {
    const range = schema.timeRange(catalog, request.window.fromNs, request.window.toNs);
    if (range) {
      filter.push(range);
    } else {
      warnings.push(`the mapping of '${schema.paths.start}' cannot be filtered by time, so the whole index was searched`);
    }
  }
  const logRecords = (schema.logRecordFields ?? []).map((field) => ({ exists: { field } }));
  const bool: JsonObject = { filter, ...(logRecords.length > 0 ? { must_not: logRecords } : {}) };
  if (schema.eventDocumentField) {
    const marker = { exists: { field: schema.eventDocumentField } };
    if (request.documents === 'events') {
      filter.push(marker);
    } else {
      bool.must_not = [marker, ...logRecords];
    }
  }
  const body: JsonObject = {
    size: request.pageSize,
    query: { bool },
    sort: schema.pagingSort(catalog),
    track_total_hits: request.searchAfter === undefined,
  };
  if (request.searchAfter) {
    body.search_after = request.searchAfter;
  }
  return { body, warnings };
}
