/**
 * The clauses a trace search sends, built from each schema's search facts and the mapping found:
 * span filters (service, operation, duration, status, attributes), root-span and event-document
 * clauses, and the aggregation sources for a trace's start and end. Pure; every value the user
 * typed travels as a term value or a script parameter, never as query syntax.
 */
import type { IndexGroup } from '../proto/detect';
import { exactPath, type FieldCatalog } from '../proto/fieldCatalog';
import type { JsonObject, SearchFacts, TimeUnit } from '../proto/schema';
import type { SpanStatusFilter } from '../types';
import type { AttributeFilter } from './filters';
import { OTEL_TEXT_MILLIS } from './painless';

export interface SpanFilters {
  /** One value, or several of which a span has one (a multi-value template variable). */
  service?: string | string[];
  operation?: string | string[];
  tags: AttributeFilter[];
  minDurationNs?: bigint;
  maxDurationNs?: bigint;
  status?: SpanStatusFilter;
  /** The span kind, one or several (`server`, `client`, `producer`, `consumer`, `internal`). */
  kind?: FilterKind | FilterKind[];
}

/** The span kinds a filter can ask for. */
export const FILTER_KINDS = ['server', 'client', 'producer', 'consumer', 'internal'] as const;
export type FilterKind = (typeof FILTER_KINDS)[number];

/** The clauses for one index group, or why the group cannot answer the search. */
export type GroupClauses = { ok: true; filter: JsonObject[]; mustNot: JsonObject[]; warnings?: string[] } | { ok: false; reason: string };

const NUMBER_TYPES = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long']);
const DATE_TYPES = new Set(['date', 'date_nanos']);
const UNIT_NS: Record<TimeUnit, bigint> = { ns: BigInt(1), us: BigInt(1000), ms: BigInt(1_000_000) };
const MATCH_NONE: JsonObject = { bool: { must_not: [{ match_all: {} }] } };

const anyOf = (clauses: JsonObject[]): JsonObject => (clauses.length === 1 ? clauses[0] : { bool: { should: clauses, minimum_should_match: 1 } });
const noneOf = (clauses: JsonObject[]): JsonObject => ({ bool: { must_not: clauses } });

/** The exact paths of a logical field (alternates included) present in this group's mapping. */
export function exactFields(group: IndexGroup, field: 'serviceName' | 'name' | 'traceId' | 'spanId' | 'parentSpanId'): string[] {
  const paths = [group.schema.paths[field], ...((field === 'serviceName' || field === 'name' ? group.schema.paths.alternates?.[field] : undefined) ?? [])];
  return paths.map((path) => exactPath(group.catalog, path)).filter((path): path is string => path !== undefined);
}

/** Why a group is left out of a request with a time range. */
export function timeUnfilterable(group: { indices: string[]; schema: { paths: { start: string } } }): string {
  return `${group.indices.join(', ')}: its start time '${group.schema.paths.start}' is not mapped as a date, a number or "ms.ns" text with a keyword, so it cannot be filtered by time`;
}

function facts(group: IndexGroup): SearchFacts | undefined {
  return group.schema.search;
}

/** Keeps event documents and log records (stored beside spans by some producers) out of span searches. */
export function eventExclusion(group: IndexGroup): JsonObject[] {
  const markers = [...(group.schema.eventDocumentField ? [group.schema.eventDocumentField] : []), ...(group.schema.logRecordFields ?? [])];
  return markers.map((field) => ({ exists: { field } }));
}

function termsOnFields(paths: string[], value: string | string[]): JsonObject | undefined {
  const values = Array.isArray(value) ? value : [value];
  return paths.length === 0 ? undefined : anyOf(paths.map((path) => (values.length === 1 ? { term: { [path]: values[0] } } : { terms: { [path]: values } })));
}

/** `field` between min and max nanoseconds, in the stored unit, rounded so the comparison stays exact. */
function durationRange(field: string, unit: TimeUnit, minNs?: bigint, maxNs?: bigint): JsonObject {
  const scale = UNIT_NS[unit];
  const range: JsonObject = {};
  if (minNs !== undefined) {
    // stored * scale >= min  <=>  stored >= ceil(min / scale)
    range.gte = Number((minNs + scale - BigInt(1)) / scale);
  }
  if (maxNs !== undefined) {
    range.lte = Number(maxNs / scale);
  }
  return { range: { [field]: range } };
}

/**
 * Where no field stores the duration but start and end are dates (ss4o), the duration as end minus
 * start by script, in nanoseconds as far as the mapping keeps them (milliseconds on a `date`).
 * Field names and bounds travel as parameters.
 */
function startToEndDuration(group: IndexGroup, minNs?: bigint, maxNs?: bigint): JsonObject | undefined {
  const search = facts(group);
  const start = search?.start.field;
  const end = search?.end?.field;
  if (!start || !end || !DATE_TYPES.has(group.catalog.get(start)?.type ?? '') || !DATE_TYPES.has(group.catalog.get(end)?.type ?? '')) {
    return undefined;
  }
  const source = [
    'if (!doc.containsKey(params.start) || doc[params.start].size() == 0 || !doc.containsKey(params.end) || doc[params.end].size() == 0) { return false; }',
    'def s = doc[params.start].value.toInstant();',
    'def e = doc[params.end].value.toInstant();',
    'long d = (e.getEpochSecond() - s.getEpochSecond()) * 1000000000L + (e.getNano() - s.getNano());',
    'if (params.min != null && d < ((Number) params.min).longValue()) { return false; }',
    'return params.max == null || d <= ((Number) params.max).longValue();',
  ].join('\n');
  const params: JsonObject = { start, end, ...(minNs === undefined ? {} : { min: Number(minNs) }), ...(maxNs === undefined ? {} : { max: Number(maxNs) }) };
  return { script: { script: { lang: 'painless', source, params } } };
}

/** Where Jaeger keeps span and process tags: nested key/value arrays, and tags-as-fields objects. */
export const JAEGER_TAG_ARRAYS = ['tags', 'process.tags'];
export const JAEGER_TAG_FIELD_PREFIXES = ['tag.', 'process.tag.'];

/** A Jaeger key/value tag in the nested array at `path` (`tags`, `process.tags`). */
function nestedTag(path: string, key: string, value: string): JsonObject {
  return { nested: { path, query: { bool: { filter: [{ term: { [`${path}.key`]: key } }, { term: { [`${path}.value`]: value } }] } } } };
}

/** Where tags-as-fields keeps a key: `tag.http@method` (`prefix` `tag.` or `process.tag.`, dots as `@`). */
function jaegerTagField(prefix: string, key: string): string {
  return `${prefix}${key.replace(/\./g, '@')}`;
}

/**
 * A span tag as Jaeger stores it either way: a nested key/value tag, or a `tag.*` field. Jaeger v2
 * keeps `error` and `span.kind` as `tag.*` fields even with tags-as-fields off, so status and kind
 * are always looked for in both. A term on a field no document has matches nothing.
 */
function jaegerSpanTag(key: string, value: string): JsonObject[] {
  return [nestedTag('tags', key, value), { term: { [jaegerTagField('tag.', key)]: value } }];
}

/** Values of the status field usable against its mapped type. */
function typedValues(catalog: FieldCatalog, field: string, values: Array<string | number | boolean>): { path: string; values: Array<string | number | boolean> } | undefined {
  const type = catalog.get(field)?.type;
  const path = exactPath(catalog, field);
  if (!type || !path) {
    return undefined;
  }
  if (NUMBER_TYPES.has(type)) {
    return { path, values: values.filter((value) => typeof value === 'number') };
  }
  if (type === 'boolean') {
    return { path, values: values.filter((value) => typeof value === 'boolean') };
  }
  return { path, values: values.filter((value) => typeof value === 'string') };
}

/** Spans with status `error` / `ok` (as stored by the group's producer). */
function statusMatch(group: IndexGroup, which: 'error' | 'ok'): JsonObject {
  const status = facts(group)?.status;
  if (!status) {
    return MATCH_NONE;
  }
  if (status.style === 'jaeger') {
    return which === 'error' ? anyOf([...jaegerSpanTag('error', 'true'), ...jaegerSpanTag('otel.status_code', 'ERROR')]) : anyOf(jaegerSpanTag('otel.status_code', 'OK'));
  }
  if (status.style === 'zipkin') {
    return { term: { _q: which === 'error' ? 'error' : 'otel.status_code=OK' } };
  }
  const typed = typedValues(group.catalog, status.field, status[which]);
  return typed && typed.values.length > 0 ? { terms: { [typed.path]: typed.values } } : MATCH_NONE;
}

const KIND_NUMBERS: Record<FilterKind, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

/** Every spelling producers give a kind: `server`, `Server`, `SERVER`, `SPAN_KIND_SERVER`, 2. */
function kindSpellings(kind: FilterKind): Array<string | number> {
  const upper = kind.toUpperCase();
  return [kind, kind.charAt(0).toUpperCase() + kind.slice(1), upper, `SPAN_KIND_${upper}`, KIND_NUMBERS[kind]];
}

/**
 * Elastic APM keeps `span.kind` where the agent knew it; otherwise, as the reader derives it, a
 * transaction is a server (a consumer when its type is `messaging`) and a span is a client when
 * its type is `db` or `external`, a producer when `messaging`, else internal.
 */
function apmKind(group: IndexGroup, kind: FilterKind): JsonObject {
  const stored = typedValues(group.catalog, 'span.kind', kindSpellings(kind));
  const storedClause = stored && stored.values.length > 0 ? [{ terms: { [stored.path]: stored.values } }] : [];
  const noKind: JsonObject = { bool: { must_not: [{ exists: { field: 'span.kind' } }] } };
  const event = (name: string): JsonObject => ({ term: { 'processor.event': name } });
  const transactionType: JsonObject = { term: { 'transaction.type': 'messaging' } };
  const spanType = (types: string[]): JsonObject => ({ terms: { 'span.type': types } });
  const derived: Record<FilterKind, JsonObject> = {
    server: { bool: { filter: [noKind, event('transaction')], must_not: [transactionType] } },
    consumer: { bool: { filter: [noKind, event('transaction'), transactionType] } },
    client: { bool: { filter: [noKind, event('span'), spanType(['db', 'external'])] } },
    producer: { bool: { filter: [noKind, event('span'), spanType(['messaging'])] } },
    internal: { bool: { filter: [noKind, event('span')], must_not: [spanType(['db', 'external', 'messaging'])] } },
  };
  return anyOf([...storedClause, derived[kind]]);
}

/** Spans of one kind as the group's producer stores it, or undefined where the layout keeps no kind. */
export function kindClause(group: IndexGroup, kind: FilterKind): JsonObject | undefined {
  const stored = facts(group)?.kind;
  if (!stored) {
    return undefined;
  }
  if (stored.style === 'jaeger') {
    return anyOf(jaegerSpanTag('span.kind', kind));
  }
  if (stored.style === 'apm') {
    return apmKind(group, kind);
  }
  const typed = typedValues(group.catalog, stored.field, kindSpellings(kind));
  const clauses: JsonObject[] = typed && typed.values.length > 0 ? [{ terms: { [typed.path]: typed.values } }] : [];
  if (stored.missingIs === kind) {
    clauses.push({ bool: { must_not: [{ exists: { field: stored.field } }] } });
  }
  return clauses.length > 0 ? anyOf(clauses) : MATCH_NONE;
}

/** The clause for spans of one status; `unset` is neither error nor ok. */
export function statusClause(group: IndexGroup, status: SpanStatusFilter): JsonObject {
  return status === 'unset' ? noneOf([statusMatch(group, 'error'), statusMatch(group, 'ok')]) : statusMatch(group, status);
}

/** A typed term for an attribute value against one mapped field, or why the value cannot be one. */
function typedTerm(catalog: FieldCatalog, path: string, filter: AttributeFilter): JsonObject | { problem: string } | undefined {
  const info = catalog.get(path);
  if (!info || info.type === 'object' || info.type === 'nested') {
    return undefined;
  }
  if (NUMBER_TYPES.has(info.type)) {
    const number = Number(filter.value);
    if (filter.value.trim() === '' || !Number.isFinite(number)) {
      return { problem: `attribute '${filter.key}' holds numbers (${info.type}), and '${filter.value}' is not a number` };
    }
    return { term: { [path]: number } };
  }
  if (info.type === 'boolean') {
    if (filter.value !== 'true' && filter.value !== 'false') {
      return { problem: `attribute '${filter.key}' holds true or false, and '${filter.value}' is neither` };
    }
    return { term: { [path]: filter.value === 'true' } };
  }
  if (DATE_TYPES.has(info.type)) {
    return { term: { [path]: filter.value } };
  }
  const exact = exactPath(catalog, path);
  return exact ? { term: { [exact]: filter.value } } : { problem: `attribute '${filter.key}' is stored as ${info.type} without an exact (keyword) form, so it cannot be matched` };
}

/** Every mapped field an attribute key can live in, with its typed term; problems when none can take the value. */
export function attributeClause(group: IndexGroup, filter: AttributeFilter): { clause: JsonObject } | { problem: string; unknown: boolean } {
  const attributes = facts(group)?.attributes;
  if (!attributes) {
    return { problem: `${group.indices.join(', ')} has no searchable attributes`, unknown: true };
  }
  if (attributes.style === 'jaeger') {
    const tagFields = JAEGER_TAG_FIELD_PREFIXES.map((prefix) => jaegerTagField(prefix, filter.key)).filter((path) => group.catalog.has(path));
    const nested = JAEGER_TAG_ARRAYS.map((path) => nestedTag(path, filter.key, filter.value));
    return { clause: anyOf([...nested, ...tagFields.map((path) => ({ term: { [path]: filter.value } }))]) };
  }
  if (attributes.style === 'zipkin') {
    return { clause: { term: { _q: `${filter.key}=${filter.value}` } } };
  }
  const clauses: JsonObject[] = [];
  const problems: string[] = [];
  for (const { prefix, encode } of attributes.prefixes) {
    const term = typedTerm(group.catalog, prefix + (encode ? encode(filter.key) : filter.key), filter);
    if (term && 'problem' in term) {
      problems.push(term.problem as string);
    } else if (term) {
      clauses.push(term);
    }
  }
  if (clauses.length > 0) {
    return { clause: anyOf(clauses) };
  }
  if (problems.length > 0) {
    return { problem: problems[0], unknown: false };
  }
  return { problem: `unknown attribute '${filter.key}': no span or resource attribute of that name is mapped in ${group.indices.join(', ')}`, unknown: true };
}

/**
 * Where attribute keys are data (Jaeger tags, Zipkin `_q`), a clause finding any span with the key,
 * so an unknown key can be named instead of silently matching nothing; undefined where the mapping
 * already says which keys exist.
 */
export function attributeKeyClause(group: IndexGroup, key: string): JsonObject | undefined {
  const style = facts(group)?.attributes.style;
  if (style === 'jaeger') {
    const nested = JAEGER_TAG_ARRAYS.map((path) => ({ nested: { path, query: { term: { [`${path}.key`]: key } } } }));
    const fields = JAEGER_TAG_FIELD_PREFIXES.map((prefix) => jaegerTagField(prefix, key)).filter((path) => group.catalog.has(path));
    return anyOf([...nested, ...fields.map((field) => ({ exists: { field } }))]);
  }
  return style === 'zipkin' ? { term: { _q: key } } : undefined;
}

/**
 * Service or span names as typed, in the form the group's producer stores them: Zipkin lower-cases
 * both (Java's `toLowerCase(Locale.ROOT)`; JavaScript's `toLowerCase()` maps the same characters).
 */
export function storedNames<T extends string | string[]>(group: IndexGroup, names: T): T {
  if (!facts(group)?.namesLowerCased) {
    return names;
  }
  return (Array.isArray(names) ? names.map((name) => name.toLowerCase()) : names.toLowerCase()) as T;
}

/** All span-level filters for one group: a span matches when it matches every one of them. */
export function spanFilterClauses(group: IndexGroup, filters: SpanFilters): GroupClauses {
  const search = facts(group);
  if (!search) {
    return { ok: false, reason: `${group.indices.join(', ')}: the layout does not say enough to search it` };
  }
  const filter: JsonObject[] = [];
  const warnings: string[] = [];
  if (filters.service !== undefined) {
    const clause = termsOnFields(exactFields(group, 'serviceName'), storedNames(group, filters.service));
    if (!clause) {
      return { ok: false, reason: `${group.indices.join(', ')}: the service field cannot be searched in this mapping` };
    }
    filter.push(clause);
  }
  if (filters.operation !== undefined) {
    const clause = termsOnFields(exactFields(group, 'name'), storedNames(group, filters.operation));
    if (!clause) {
      return { ok: false, reason: `${group.indices.join(', ')}: the span name field cannot be searched in this mapping` };
    }
    filter.push(clause);
  }
  if (filters.minDurationNs !== undefined || filters.maxDurationNs !== undefined) {
    const fields = search.durations.filter((duration) => group.catalog.has(duration.field));
    const clause = fields.length > 0 ? anyOf(fields.map((duration) => durationRange(duration.field, duration.unit, filters.minDurationNs, filters.maxDurationNs))) : startToEndDuration(group, filters.minDurationNs, filters.maxDurationNs);
    if (!clause) {
      return { ok: false, reason: `${group.indices.join(', ')}: the ${group.schema.name} layout stores no span duration, so min/max duration cannot filter it` };
    }
    filter.push(clause);
    const coarse = fields.length === 0 && [search.start.field, search.end?.field].some((field) => field !== undefined && group.catalog.get(field)?.type === 'date');
    if (coarse) {
      warnings.push(`${group.indices.join(', ')}: the ${group.schema.name} layout stores no duration and its start and end are mapped to the millisecond, so min/max duration were compared to within 1 ms`);
    }
  }
  if (filters.status) {
    filter.push(statusClause(group, filters.status));
  }
  if (filters.kind !== undefined) {
    const kinds = Array.isArray(filters.kind) ? filters.kind : [filters.kind];
    const clauses = kinds.map((kind) => kindClause(group, kind));
    if (clauses.some((clause) => clause === undefined)) {
      return { ok: false, reason: `${group.indices.join(', ')}: the ${group.schema.name} layout keeps no span kind, so the kind filter cannot apply to it` };
    }
    filter.push(anyOf(clauses as JsonObject[]));
  }
  for (const tag of filters.tags) {
    const result = attributeClause(group, tag);
    if ('problem' in result) {
      return { ok: false, reason: result.problem };
    }
    filter.push(result.clause);
  }
  return { ok: true, filter, mustNot: eventExclusion(group), ...(warnings.length > 0 ? { warnings } : {}) };
}

/** The spans of one index group over a time range, with the filters: one bool query's clauses. */
export interface RangedClauses {
  filter: JsonObject[];
  mustNot: JsonObject[];
  warnings: string[];
}

/** The filters and the time range of one group, or why the group cannot answer (with its indices named once). */
export function rangedSpanClauses(group: IndexGroup, filters: SpanFilters, window: { fromNs: bigint; toNs: bigint }): RangedClauses | { skipped: string } {
  const where = group.indices.join(', ');
  const clauses = spanFilterClauses(group, filters);
  if (!clauses.ok) {
    // Some reasons name the indices already.
    return { skipped: `skipped ${clauses.reason.startsWith(where) ? '' : `${where}: `}${clauses.reason}` };
  }
  const range = group.schema.timeRange(group.catalog, window.fromNs, window.toNs);
  if (!range) {
    return { skipped: `skipped ${timeUnfilterable(group)}` };
  }
  return { filter: [range, ...clauses.filter], mustNot: clauses.mustNot, warnings: clauses.warnings ?? [] };
}

const jaegerReference = (refType: string): JsonObject => ({ nested: { path: 'references', query: { term: { 'references.refType': refType } } } });

/**
 * Root spans: no parent (missing or empty), and for Jaeger no CHILD_OF reference either. With
 * `strict`, no Jaeger FOLLOWS_FROM reference as well: Jaeger takes a FOLLOWS_FROM reference into the
 * span's own trace as its parent (it stores a span whose parent is also a link target that way),
 * and a query cannot compare a reference's trace id with the span's; see `uncertainRootClause`.
 */
export function rootClause(group: IndexGroup, strict = false): JsonObject {
  const parents = exactFields(group, 'parentSpanId');
  const mustNot: JsonObject[] = parents.map((path) => ({ bool: { filter: [{ exists: { field: path } }], must_not: [{ term: { [path]: '' } }] } }));
  if (group.catalog.get('references')?.type === 'nested') {
    mustNot.push(jaegerReference('CHILD_OF'), ...(strict ? [jaegerReference('FOLLOWS_FROM')] : []));
  }
  return { bool: { must_not: mustNot } };
}

/**
 * Jaeger spans that are roots unless one of their FOLLOWS_FROM references points into their own
 * trace: only reading them can tell (undefined for layouts without references).
 */
export function uncertainRootClause(group: IndexGroup): JsonObject | undefined {
  return group.catalog.get('references')?.type === 'nested' ? { bool: { filter: [rootClause(group), jaegerReference('FOLLOWS_FROM')] } } : undefined;
}

/** How an aggregation reads a time: a field, or a script where no stored field can be aggregated. */
export interface TimeSource {
  agg: JsonObject;
  /** The aggregated value to epoch milliseconds. */
  toMs: (value: number) => number;
  /** The same as a factor, for scripts over aggregated values: toMs(v) is v * msPerUnit. */
  msPerUnit: number;
}

const MS_PER: Record<TimeUnit, number> = { ns: 1e-6, us: 1e-3, ms: 1 };

/**
 * A painless expression for the start in epoch milliseconds (fractional), or null when absent.
 * Field names arrive as parameters so no user or mapping text becomes script source.
 */
const START_MS_SCRIPT = [
  OTEL_TEXT_MILLIS,
  'double startMs(def doc, def params) {',
  "  if (!doc.containsKey(params.start) || doc[params.start].size() == 0) { return Double.NaN; }",
  "  if (params.startKind == 'date') { def t = doc[params.start].value.toInstant(); return t.getEpochSecond() * 1000.0 + t.getNano() / 1000000.0; }",
  "  if (params.startKind == 'text') { return otelTextMillis(doc[params.start].value); }",
  '  return doc[params.start].value * params.startScale;',
  '}',
].join('\n');

function startScriptParams(catalog: FieldCatalog, start: SearchFacts['start']): JsonObject | undefined {
  const info = catalog.get(start.field);
  if (!info) {
    return undefined;
  }
  if (DATE_TYPES.has(info.type)) {
    return { start: start.field, startKind: 'date', startScale: 1 };
  }
  if (NUMBER_TYPES.has(info.type) && start.unit !== 'date' && start.unit !== 'otelMillisString') {
    return { start: start.field, startKind: 'number', startScale: MS_PER[start.unit] };
  }
  const exact = exactPath(catalog, start.field);
  return exact && start.unit === 'otelMillisString' ? { start: exact, startKind: 'text', startScale: 1 } : undefined;
}

/** The trace start: min over a date or numeric field; a script only over otel "ms.ns" text. */
export function startSource(group: IndexGroup): TimeSource | undefined {
  const start = facts(group)?.start;
  const info = start ? group.catalog.get(start.field) : undefined;
  if (!start || !info) {
    return undefined;
  }
  if (DATE_TYPES.has(info.type)) {
    return { agg: { field: start.field }, toMs: (value) => value, msPerUnit: 1 };
  }
  if (NUMBER_TYPES.has(info.type) && start.unit !== 'date' && start.unit !== 'otelMillisString') {
    const scale = MS_PER[start.unit];
    return { agg: { field: start.field }, toMs: (value) => value * scale, msPerUnit: scale };
  }
  const params = startScriptParams(group.catalog, start);
  return params ? { agg: { script: { lang: 'painless', source: `${START_MS_SCRIPT}\ndouble s = startMs(doc, params);\nif (Double.isNaN(s)) { return null; }\nreturn s;`, params } }, toMs: (value) => value, msPerUnit: 1 } : undefined;
}

/** The numeric fields that hold a span's duration, first found first, with their scale to milliseconds. */
export function durationSources(group: IndexGroup): Array<{ field: string; msPerUnit: number }> {
  return (facts(group)?.durations ?? []).filter((duration) => NUMBER_TYPES.has(group.catalog.get(duration.field)?.type ?? '')).map((duration) => ({ field: duration.field, msPerUnit: MS_PER[duration.unit] }));
}

/**
 * The span end: a stored end field where the producer keeps one, else start + duration by script
 * (no stored field holds it).
 */
export function endSource(group: IndexGroup): TimeSource | undefined {
  const search = facts(group);
  if (!search) {
    return undefined;
  }
  const endType = search.end ? group.catalog.get(search.end.field)?.type ?? '' : '';
  if (search.end && DATE_TYPES.has(endType)) {
    return { agg: { field: search.end.field }, toMs: (value) => value, msPerUnit: 1 };
  }
  // A stored numeric end (bklog's end_time, µs) needs no script either.
  const endUnit = search.end?.unit;
  if (search.end && endUnit && NUMBER_TYPES.has(endType)) {
    const scale = MS_PER[endUnit];
    return { agg: { field: search.end.field }, toMs: (value) => value * scale, msPerUnit: scale };
  }
  const params = startScriptParams(group.catalog, search.start);
  if (!params) {
    return undefined;
  }
  const durations = durationSources(group);
  const source = [
    START_MS_SCRIPT,
    'double s = startMs(doc, params);',
    'if (Double.isNaN(s)) { return null; }',
    'for (int i = 0; i < params.durations.size(); i++) {',
    '  String f = params.durations.get(i);',
    '  if (doc.containsKey(f) && doc[f].size() > 0) { return s + doc[f].value * params.scales.get(i); }',
    '}',
    'return s;',
  ].join('\n');
  return {
    agg: { script: { lang: 'painless', source, params: { ...params, durations: durations.map((d) => d.field), scales: durations.map((d) => d.msPerUnit) } } },
    toMs: (value) => value,
    msPerUnit: 1,
  };
}

/** The sort that puts a trace's earliest span first (for root and first-span lookups). */
export function earliestFirst(group: IndexGroup): JsonObject[] {
  return group.schema.pagingSort(group.catalog).slice(0, 1);
}
