/**
 * Span documents an aggregation cannot place: no readable start time, no trace id, a negative
 * duration. A time range, a ranking or a per-trace summary leaves them out by construction, so
 * every search, distribution and time-filtered discovery asks for them once per group, with the
 * request's other filters, and says how many there are and where the first few are. One request
 * per group: a count per reason (a filters aggregation) and the first three documents.
 */
import { incompleteAnswerWarnings, type SearchResponse } from '../engine/client';
import type { IndexGroup } from '../proto/detect';
import { exactPath } from '../proto/fieldCatalog';
import type { JsonObject } from '../proto/schema';
import type { TraceSearcher } from './fetchTrace';
import { exactFields } from './searchClauses';

const DATE_TYPES = new Set(['date', 'date_nanos']);
const NUMBER_TYPES = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long']);
const EXAMPLES = 3;

/** Each reason's clause, named as the warning names it. Pure. */
export function unplaceableClauses(group: IndexGroup): Record<string, JsonObject> {
  const clauses: Record<string, JsonObject> = {};
  const start = group.schema.search?.start;
  const type = start ? group.catalog.get(start.field)?.type : undefined;
  if (start && type && (DATE_TYPES.has(type) || NUMBER_TYPES.has(type))) {
    // A date or number the engine could not parse is not indexed (ignore_malformed): it is missing.
    clauses['no readable start time'] = { bool: { must_not: [{ exists: { field: start.field } }] } };
  } else if (start?.unit === 'otelMillisString') {
    const keyword = exactPath(group.catalog, start.field);
    if (keyword) {
      // "ms.ns" text starts with a digit; '' and words sort before '0' or after '9' (':' follows it).
      const notText = [{ bool: { must_not: [{ exists: { field: keyword } }] } }, { range: { [keyword]: { lt: '0' } } }, { range: { [keyword]: { gte: ':' } } }];
      clauses['no readable start time'] = { bool: { should: notText, minimum_should_match: 1 } };
    }
  }
  const traceId = exactFields(group, 'traceId')[0];
  if (traceId) {
    clauses['no trace id'] = { bool: { should: [{ bool: { must_not: [{ exists: { field: traceId } }] } }, { term: { [traceId]: '' } }], minimum_should_match: 1 } };
  }
  const durations = (group.schema.search?.durations ?? []).filter((duration) => NUMBER_TYPES.has(group.catalog.get(duration.field)?.type ?? ''));
  if (durations.length > 0) {
    clauses['a negative duration'] = { bool: { should: durations.map((duration) => ({ range: { [duration.field]: { lt: 0 } } })), minimum_should_match: 1 } };
  }
  return clauses;
}

/** The probe for one group under the request's own filters (time excluded). Pure. */
export function buildUnplaceableRequest(group: IndexGroup, filter: JsonObject[], mustNot: JsonObject[]): JsonObject | undefined {
  const clauses = unplaceableClauses(group);
  const named = Object.values(clauses);
  if (named.length === 0) {
    return undefined;
  }
  return {
    size: EXAMPLES,
    track_total_hits: true,
    _source: false,
    sort: ['_doc'],
    query: { bool: { filter: [...filter, { bool: { should: named, minimum_should_match: 1 } }], must_not: mustNot } },
    aggs: { reasons: { filters: { filters: clauses } } },
  };
}

/** The warning for one probe's answer, or none when every document can be placed. Pure. */
export function unplaceableWarning(response: SearchResponse): string | undefined {
  const buckets = (response.aggregations?.reasons as { buckets?: Record<string, { doc_count: number }> } | undefined)?.buckets ?? {};
  const counts = Object.entries(buckets).filter(([, bucket]) => bucket.doc_count > 0);
  if (counts.length === 0) {
    return undefined;
  }
  const total = response.hits?.total;
  const documents = typeof total === 'number' ? total : (total?.value ?? 0);
  const examples = (response.hits?.hits ?? []).map((hit) => `${hit._index}/${hit._id}`);
  const reasons = counts.map(([reason, bucket]) => `${bucket.doc_count.toLocaleString('en-US')} with ${reason}`).join(', ');
  return `${documents.toLocaleString('en-US')} span document${documents === 1 ? '' : 's'} could not be placed in any trace's time, so no time range, ranking or summary includes ${documents === 1 ? 'it' : 'them'} (${reasons}; first: ${examples.join(', ')}${documents > examples.length ? ', ...' : ''})`;
}

/** Asks each group for documents it cannot place; the warnings to show beside the answer. */
export async function unplaceableWarnings(searcher: TraceSearcher, groups: Array<{ group: IndexGroup; filter: JsonObject[]; mustNot: JsonObject[] }>): Promise<string[]> {
  const warnings: string[] = [];
  for (const { group, filter, mustNot } of groups) {
    const request = buildUnplaceableRequest(group, filter, mustNot);
    if (!request) {
      continue;
    }
    const response = await searcher.search(group.indices.join(','), request);
    warnings.push(...incompleteAnswerWarnings(response));
    const warning = unplaceableWarning(response);
    if (warning) {
      warnings.push(`${group.indices.join(', ')}: ${warning}`);
    }
  }
  return warnings;
}
