/**
 * The contract every logs schema fulfils (storage-schemas.md §9.3): where a producer keeps the
 * trace id, span id, time, body, severity and service of a log record, how to recognise its
 * indices, and both directions of conversion. Log schemas live in the file of their producer.
 */
import type { LogSchemaName } from '../types';
import { readPath } from './attributes';
import type { FieldCatalog } from './fieldCatalog';
import { normaliseSpanId, normaliseTraceId } from './ids';
import type { AttributeValue, LogicalLogRecord } from './model';
import type { EngineFlavor, IndexSetup, JsonObject, MappingStyle, StoredHit, WrittenDocument } from './schema';
import type { StartUnit } from './schemaSupport';

export interface LogPaths {
  traceId: string;
  /** Fields that hold the span id (APM logs name a transaction or a span). */
  spanIds: string[];
  time: string;
  timeUnit: StartUnit;
  /** Fields that hold the body text, first found wins. */
  body: string[];
  severityText?: string;
  severityNumber?: string;
  service: string[];
}

export interface LogSchema {
  name: LogSchemaName;
  producer: string;
  paths: LogPaths;
  /** Documents in the same indices that are not log records (the otel exporter's span events). */
  notLogs?: JsonObject;
  /** Higher is more certain; 0 means the indices do not hold this producer's logs. */
  detect(catalog: FieldCatalog): { score: number; evidence: string[] };
  readHit(hit: StoredHit): LogicalLogRecord | string;
  writeLogs(records: LogicalLogRecord[], indexBase: string): WrittenDocument[];
  producerMapping(engine: EngineFlavor): MappingStyle;
  indexSetups(indexBase: string, style: MappingStyle): IndexSetup[];
}

/** The index that receives logs written for `NAME` (so `NAME*` covers spans and logs). */
export const logsIndexOf = (indexBase: string) => `${indexBase}-logs`;

/** Scores `must` (all required) plus `extras`, and refuses indices holding any of `never`. */
export function detectLogFields(catalog: FieldCatalog, must: string[], extras: string[], never: string[] = []): { score: number; evidence: string[] } {
  if (!must.every((path) => catalog.has(path)) || never.some((path) => catalog.has(path))) {
    return { score: 0, evidence: [] };
  }
  const found = extras.filter((path) => catalog.has(path));
  return found.length === 0 ? { score: 0, evidence: [] } : { score: must.length + found.length, evidence: [...must, ...found] };
}

/** Trace and span ids of a stored log record, normalised; both optional (logs outside spans). */
export function readLogIds(source: JsonObject, paths: LogPaths): { traceId?: string; spanId?: string } {
  const spanId = paths.spanIds.map((path) => normaliseSpanId(readPath(source, path))).find((id) => id !== undefined);
  return { traceId: normaliseTraceId(readPath(source, paths.traceId)), spanId };
}

/** The first body field present, as stored (text, or a structured value). */
export function readLogBody(source: JsonObject, paths: LogPaths): AttributeValue | undefined {
  for (const path of paths.body) {
    const value = readPath(source, path);
    if (value !== undefined && value !== null) {
      return value as AttributeValue;
    }
  }
  return undefined;
}

export function readSeverity(source: JsonObject, paths: LogPaths): { severityText?: string; severityNumber?: number } {
  const text = paths.severityText ? readPath(source, paths.severityText) : undefined;
  const number = paths.severityNumber ? readPath(source, paths.severityNumber) : undefined;
  return { severityText: typeof text === 'string' && text !== '' ? text : undefined, severityNumber: typeof number === 'number' ? number : undefined };
}

/** A body as a string field holds it: text as is, anything structured as JSON. */
export function bodyText(body: AttributeValue | undefined): string | undefined {
  return body === undefined || body === null ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
}
