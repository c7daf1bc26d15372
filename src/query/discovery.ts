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
import type { TimeWindow } from './traceById';

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

/** The exact (keyword) paths of a logical field in this group's mapping, alternates included. */
function exactFields(group: IndexGroup, field: 'serviceName' | 'name'): string[] {
  const paths = [group.schema.paths[field], ...(group.schema.paths.alternates?.[field] ?? [])];
  return paths.map((path) => exactPath(group.catalog, path)).filter((path): path is string => path !== undefined);
}

/** The request listing the values of `field`, filtered by window and service. Pure. */
export function buildValuesRequest(group: IndexGroup, field: 'serviceName' | 'name', options: DiscoveryOptions): { body: JsonObject; warnings: string[] } | undefined {
  const targets = exactFields(group, field);
  if (targets.length === 0) {
    return undefined;
  }
  const filter: JsonObject[] = [];
  const warnings: string[] = [];
  if (options.window) {
    const range = group.schema.timeRange(group.catalog, options.window.fromNs, options.window.toNs);
    if (range) {
      filter.push(range);
    } else {
      warnings.push(`the mapping of '${group.schema.paths.start}' in ${group.indices.join(', ')} cannot be filtered by time, so all of it was listed`);
    }
  }
  if (options.service !== undefined) {
    const services = exactFields(group, 'serviceName');
    filter.push({ bool: { should: services.map((path) => ({ term: { [path]: options.service } })), minimum_should_match: 1 } });
  }
  const aggs = Object.fromEntries(targets.map((path, i) => [`values_${i}`, { terms: { field: path, size: options.size ?? DEFAULT_SIZE, order: { _key: 'asc' } } }]));
  return { body: { size: 0, track_total_hits: false, query: { bool: { filter } }, aggs }, warnings };
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
    if (!request) {
      warnings.push(`${group.indices.join(', ')}: the ${field === 'name' ? 'span name' : 'service'} field cannot be aggregated in this mapping`);
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
  return { values: [...values].sort((a, b) => a.localeCompare(b)), warnings: [...new Set(warnings)] };
}

export function findServices(searcher: TraceSearcher, options: DiscoveryOptions): Promise<DiscoveredValues> {
  return listValues(searcher, 'serviceName', { ...options, service: undefined });
}

export function findOperations(searcher: TraceSearcher, options: DiscoveryOptions & { service: string }): Promise<DiscoveredValues> {
  return listValues(searcher, 'name', options);
}
