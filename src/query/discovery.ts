/**
 * Discovery for pickers and template variables: the services, and the operations of a service,
 * found in the span indices over a time window (all time when none is given). Terms aggregations
 * on each schema's exact fields, group by group, merged and sorted.
 */
import { incompleteAnswerWarnings } from '../engine/client';
import type { IndexGroup, Resolution } from '../proto/detect';
import { exactPath } from '../proto/fieldCatalog';
import type { JsonObject } from '../proto/schema';
import type { TraceSearcher } from './fetchTrace';
import { eventExclusion, exactFields, JAEGER_TAG_ARRAYS, JAEGER_TAG_FIELD_PREFIXES, storedNames, timeUnfilterable } from './searchClauses';
import type { TimeWindow } from './traceById';
import { unplaceableWarnings } from './unplaceable';

export interface DiscoveryOptions {
  resolution: Resolution;
  window?: TimeWindow;
  /** Operations of this service only. */
  service?: string;
  /** The most values returned per list. */
  size?: number;
}

export interface DiscoveredValues {
  values: string[];
  warnings: string[];
}

const DEFAULT_SIZE = 1000;


/** The request listing the values of `field`, filtered by window and service. Pure. */
export function buildValuesRequest(group: IndexGroup, field: 'serviceName' | 'name', options: DiscoveryOptions): { body: JsonObject; warnings: string[] } | { skipped: string } {
  const targets = exactFields(group, field);
  if (targets.length === 0) {
    return { skipped: `${group.indices.join(', ')}: the ${field === 'name' ? 'span name' : 'service'} field cannot be aggregated in this mapping` };
  }
  const filter: JsonObject[] = [];
  const warnings: string[] = [];
  if (options.window) {
    const range = group.schema.timeRange(group.catalog, options.window.fromNs, options.window.toNs);
    if (!range) {
      return { skipped: `skipped ${timeUnfilterable(group)}` };
    }
    filter.push(range);
  }
  if (options.service !== undefined) {
    const services = exactFields(group, 'serviceName');
    const service = storedNames(group, options.service);
    filter.push({ bool: { should: services.map((path) => ({ term: { [path]: service } })), minimum_should_match: 1 } });
  }
  const aggs = Object.fromEntries(targets.map((path, i) => [`values_${i}`, { terms: { field: path, size: options.size ?? DEFAULT_SIZE, order: { _key: 'asc' } } }]));
  return { body: { size: 0, track_total_hits: false, query: spanDocuments(group, filter), aggs }, warnings };
}

/** `filter` over span documents only: span events and log records kept beside spans are left out. */
function spanDocuments(group: IndexGroup, filter: JsonObject[]): JsonObject {
  const mustNot = eventExclusion(group);
  return { bool: mustNot.length > 0 ? { filter, must_not: mustNot } : { filter } };
}

interface TermsAggregation {
  buckets?: Array<{ key: string | number }>;
  sum_other_doc_count?: number;
}

async function listValues(searcher: TraceSearcher, field: 'serviceName' | 'name', options: DiscoveryOptions): Promise<DiscoveredValues> {
  const values = new Set<string>();
  const warnings: string[] = [];
  for (const group of options.resolution.groups) {
    const request = buildValuesRequest(group, field, options);
    if ('skipped' in request) {
      warnings.push(request.skipped);
      continue;
    }
    warnings.push(...request.warnings);
    const response = await searcher.search(group.indices.join(','), request.body);
    warnings.push(...incompleteAnswerWarnings(response));
    for (const aggregation of Object.values(response.aggregations ?? {}) as TermsAggregation[]) {
      for (const bucket of aggregation.buckets ?? []) {
        values.add(String(bucket.key));
      }
      if ((aggregation.sum_other_doc_count ?? 0) > 0) {
        warnings.push(`more than ${options.size ?? DEFAULT_SIZE} values; the list is cut`);
      }
    }
  }
  if (options.window) {
    // Documents without a readable time are in no window: said, as a search says it.
    warnings.push(...(await unplaceableWarnings(searcher, options.resolution.groups.map((group) => ({ group, filter: [], mustNot: eventExclusion(group) })))));
  }
  return { values: [...values].sort((a, b) => a.localeCompare(b)), warnings: [...new Set(warnings)] };
}

export function findServices(searcher: TraceSearcher, options: DiscoveryOptions): Promise<DiscoveredValues> {
  return listValues(searcher, 'serviceName', { ...options, service: undefined });
}

export function findOperations(searcher: TraceSearcher, options: DiscoveryOptions & { service: string }): Promise<DiscoveredValues> {
  return listValues(searcher, 'name', options);
}

const TAG_VALUES_SIZE = 100;

/** Lucene regular-expression text matching `text` literally. */
export function literalRegex(text: string): string {
  return text.replace(/[^\p{L}\p{N}_]/gu, (c) => `\\${c}`);
}

/** Attribute keys a group's mapping holds, for the fields styles; undefined where keys are data. */
function mappedTagKeys(group: IndexGroup): string[] | undefined {
  const attributes = group.schema.search?.attributes;
  if (!attributes || attributes.style !== 'fields') {
    return undefined;
  }
  const own = new Set(Object.values(group.schema.paths).filter((value): value is string => typeof value === 'string'));
  const keys: string[] = [];
  for (const [path, info] of group.catalog) {
    if (info.type === 'object' || info.type === 'nested') {
      continue;
    }
    for (const { prefix, decode, notAttributes } of attributes.prefixes) {
      // Where attributes are top-level fields (ecs), the schema's own fields are not attributes.
      if (path.startsWith(prefix) && path.length > prefix.length && !(prefix === '' && own.has(path))) {
        const key = path.slice(prefix.length);
        if (!notAttributes?.some((added) => key.startsWith(added))) {
          keys.push(decode ? decode(key) : key);
        }
        break;
      }
    }
  }
  return keys;
}

/** The request listing attribute keys stored as data (Jaeger nested tags, Zipkin `_q`). Pure. */
export function buildTagKeysRequest(group: IndexGroup, window?: TimeWindow): JsonObject | undefined {
  const style = group.schema.search?.attributes.style;
  const filter = windowFilter(group, window);
  if (style === 'jaeger') {
    const aggs = Object.fromEntries(JAEGER_TAG_ARRAYS.map((path, i) => [`keys_${i}`, { nested: { path }, aggs: { keys: { terms: { field: `${path}.key`, size: DEFAULT_SIZE } } } }]));
    return { size: 0, track_total_hits: false, query: { bool: { filter } }, aggs };
  }
  if (style === 'zipkin') {
    return { size: 0, track_total_hits: false, query: { bool: { filter } }, aggs: { keys_0: { terms: { field: '_q', size: DEFAULT_SIZE, include: '[^=]+' } } } };
  }
  return undefined;
}

function windowFilter(group: IndexGroup, window?: TimeWindow): JsonObject[] {
  const range = window ? group.schema.timeRange(group.catalog, window.fromNs, window.toNs) : undefined;
  return range ? [range] : [];
}

/** Why a group cannot be asked within a window (its time cannot be filtered), or undefined when it can. */
function windowProblem(group: IndexGroup, window?: TimeWindow): string | undefined {
  return window && !group.schema.timeRange(group.catalog, window.fromNs, window.toNs) ? `skipped ${timeUnfilterable(group)}` : undefined;
}

type Buckets = Array<{ key: string | number; key_as_string?: string }>;
interface KeyBuckets {
  buckets?: Buckets;
  keys?: { buckets?: Buckets };
  values?: { buckets?: Buckets };
}

/** Bucket keys as text; boolean fields answer 1/0 with `key_as_string` true/false. */
function bucketKeys(aggregation: KeyBuckets | undefined): string[] {
  const buckets = aggregation?.buckets ?? aggregation?.keys?.buckets ?? aggregation?.values?.buckets ?? [];
  return buckets.map((bucket) => bucket.key_as_string ?? String(bucket.key));
}

/** Span and resource attribute keys: from the mapping, or by aggregation where keys are data. */
export async function findTagKeys(searcher: TraceSearcher, options: DiscoveryOptions): Promise<DiscoveredValues> {
  const keys = new Set<string>();
  const warnings: string[] = [];
  for (const group of options.resolution.groups) {
    const mapped = mappedTagKeys(group);
    if (mapped) {
      mapped.forEach((key) => keys.add(key));
      continue;
    }
    const problem = windowProblem(group, options.window);
    if (problem) {
      warnings.push(problem);
      continue;
    }
    const body = buildTagKeysRequest(group, options.window);
    if (!body) {
      continue;
    }
    const response = await searcher.search(group.indices.join(','), body);
    warnings.push(...incompleteAnswerWarnings(response));
    for (const aggregation of Object.values(response.aggregations ?? {}) as KeyBuckets[]) {
      bucketKeys(aggregation).forEach((key) => keys.add(key));
    }
    if (group.schema.search?.attributes.style === 'jaeger') {
      for (const path of group.catalog.keys()) {
        const prefix = JAEGER_TAG_FIELD_PREFIXES.find((p) => path.startsWith(p));
        if (prefix) {
          keys.add(path.slice(prefix.length).replace(/@/g, '.'));
        }
      }
    }
  }
  return { values: [...keys].sort((a, b) => a.localeCompare(b)), warnings: [...new Set(warnings)] };
}

/** The request listing the most frequent values of one attribute key. Pure. */
export function buildTagValuesRequest(group: IndexGroup, key: string, window?: TimeWindow): JsonObject | undefined {
  const attributes = group.schema.search?.attributes;
  const filter = windowFilter(group, window);
  const size = TAG_VALUES_SIZE;
  if (!attributes) {
    return undefined;
  }
  if (attributes.style === 'jaeger') {
    const aggs = Object.fromEntries(
      JAEGER_TAG_ARRAYS.map((path, i) => [`values_${i}`, { nested: { path }, aggs: { only: { filter: { term: { [`${path}.key`]: key } }, aggs: { values: { terms: { field: `${path}.value`, size } } } } } }])
    );
    return { size: 0, track_total_hits: false, query: { bool: { filter } }, aggs };
  }
  if (attributes.style === 'zipkin') {
    return { size: 0, track_total_hits: false, query: { bool: { filter } }, aggs: { values_0: { terms: { field: '_q', size, include: `${literalRegex(key)}=.*` } } } };
  }
  const paths = attributes.prefixes.map(({ prefix, encode }) => exactPath(group.catalog, prefix + (encode ? encode(key) : key))).filter((path): path is string => path !== undefined);
  if (paths.length === 0) {
    return undefined;
  }
  return { size: 0, track_total_hits: false, query: spanDocuments(group, filter), aggs: Object.fromEntries(paths.map((path, i) => [`values_${i}`, { terms: { field: path, size } }])) };
}

/** The most frequent values of an attribute, as strings (for pickers and ad hoc filters). */
export async function findTagValues(searcher: TraceSearcher, options: DiscoveryOptions & { key: string }): Promise<DiscoveredValues> {
  const values = new Set<string>();
  const warnings: string[] = [];
  for (const group of options.resolution.groups) {
    const problem = windowProblem(group, options.window);
    if (problem) {
      warnings.push(problem);
      continue;
    }
    const body = buildTagValuesRequest(group, options.key, options.window);
    if (!body) {
      continue;
    }
    const response = await searcher.search(group.indices.join(','), body);
    warnings.push(...incompleteAnswerWarnings(response));
    for (const aggregation of Object.values(response.aggregations ?? {}) as Array<KeyBuckets & { only?: KeyBuckets }>) {
      const keys = bucketKeys(aggregation.only ?? aggregation);
      const prefix = `${options.key}=`;
      keys.forEach((value) => values.add(group.schema.search?.attributes.style === 'zipkin' ? value.slice(prefix.length) : value));
    }
  }
  return { values: [...values].sort((a, b) => a.localeCompare(b)), warnings: [...new Set(warnings)] };
}
