/**
 * How span metrics split spans into groups: by service, operation or an attribute, wherever the
 * index group's producer keeps it. One value can live in several places: Elastic APM keeps span
 * and transaction names apart, an attribute may be a span or a resource attribute, Jaeger keeps a
 * tag as a `tag.*` field or in a nested key/value array, Zipkin only as a `key=value` search term.
 * A split reads each place in turn, each only over the spans the places before it left without a
 * value, and the spans with no value anywhere are the '(none)' group: every span is counted once
 * and none is dropped. Pure.
 */
import type { IndexGroup } from '../proto/detect';
import { exactPath } from '../proto/fieldCatalog';
import type { JsonObject } from '../proto/schema';
import { exactFields, JAEGER_TAG_ARRAYS, JAEGER_TAG_FIELD_PREFIXES } from './searchClauses';

/** `attribute:KEY` groups by a span or resource attribute. */
export type MetricsGroupBy = 'service' | 'operation' | `attribute:${string}`;

/** The group of spans without the grouping value: counted, never dropped. */
export const NO_GROUP = '(none)';

/** One bucket of an aggregation answer: its count and its sub-aggregations by name. */
export type AggBucket = Record<string, unknown> & { doc_count?: number };

export interface SplitGroups {
  groups: Array<{ name: string; bucket: AggBucket }>;
  /** A terms aggregation had more values than it returned. */
  truncated: boolean;
  /** The groups hold more spans than the bucket: some spans have several values and count in each. */
  overcounted: boolean;
}

export interface GroupSplit {
  /** The aggregations under one bucket, with `inner` under each group. */
  aggs(inner: JsonObject): JsonObject;
  /** The groups of one bucket of the answer. */
  read(bucket: AggBucket): SplitGroups;
  /** The places values are read from, in order, for messages. */
  places: string[];
  /** What the split cannot see, named for the user. */
  warnings: string[];
}

/** One place a grouping value is read from. */
interface GroupSource {
  place: string;
  /** Matches the spans with a value in this place. */
  has: JsonObject;
  /** The aggregation over the values in this place, with `inner` under each value. */
  agg(inner: JsonObject): JsonObject;
  values(answer: unknown): { buckets: Array<{ name: string; bucket: AggBucket }>; truncated: boolean };
}

interface TermsAnswer {
  buckets?: Array<AggBucket & { key: string | number; key_as_string?: string }>;
  sum_other_doc_count?: number;
}

const NUMBER_TYPES = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long']);
const AGGREGATABLE_TYPES = new Set([...NUMBER_TYPES, 'keyword', 'constant_keyword', 'boolean', 'ip', 'date', 'date_nanos']);

/** The path a terms aggregation can read for a mapped field (a text field's keyword), or undefined. */
function aggregatablePath(group: IndexGroup, path: string): string | undefined {
  const type = group.catalog.get(path)?.type;
  // exactPath gives a text field's keyword multi-field, which the catalog does not list itself.
  return type === 'text' || (type && AGGREGATABLE_TYPES.has(type)) ? exactPath(group.catalog, path) : undefined;
}

function termsValues(answer: unknown, name: (bucket: NonNullable<TermsAnswer['buckets']>[number]) => string): ReturnType<GroupSource['values']> {
  const terms = answer as TermsAnswer | undefined;
  return { buckets: (terms?.buckets ?? []).map((bucket) => ({ name: name(bucket), bucket })), truncated: (terms?.sum_other_doc_count ?? 0) > 0 };
}

/** A mapped field; booleans and dates come back as `key_as_string` (`true`, not 1). */
function fieldSource(path: string, size: number): GroupSource {
  return {
    place: `'${path}'`,
    has: { exists: { field: path } },
    agg: (inner) => ({ terms: { field: path, size }, aggs: inner }),
    values: (answer) => termsValues(answer, (bucket) => bucket.key_as_string ?? String(bucket.key)),
  };
}

/**
 * A Jaeger key/value array (`tags`, `process.tags`): the values of the tags with this key, each
 * back at its span (reverse_nested) so counts, errors and durations are the span's. Jaeger keeps
 * every tag value as a string (`500`, `true`), so groups are named as stored.
 */
function jaegerArraySource(path: string, key: string, size: number): GroupSource {
  const keyTerm = { term: { [`${path}.key`]: key } };
  return {
    place: `the nested '${path}'`,
    has: { nested: { path, query: keyTerm } },
    agg: (inner) => ({ nested: { path }, aggs: { key: { filter: keyTerm, aggs: { values: { terms: { field: `${path}.value`, size }, aggs: { spans: { reverse_nested: {}, aggs: inner } } } } } } }),
    values: (answer) => {
      const values = termsValues((answer as { key?: { values?: unknown } } | undefined)?.key?.values, (bucket) => String(bucket.key));
      return { buckets: values.buckets.map(({ name, bucket }) => ({ name, bucket: (bucket.spans as AggBucket | undefined) ?? { doc_count: 0 } })), truncated: values.truncated };
    },
  };
}

/** Lucene's regular expression syntax (which `include` takes) with every character taken literally. */
function literalRegex(text: string): string {
  return text.replace(/[.?+*|{}[\]()"\\#@&<>~]/g, (c) => `\\${c}`);
}

/**
 * Zipkin keeps tags unindexed (`tags` is `enabled: false`); only `_q` holds each tag's `key` and
 * `key=value` as keyword terms. A terms aggregation over the `_q` terms that begin with `key=`
 * (an `include` regex, the key escaped) gives the values: a span holds one value per key, so each
 * span counts once. Skipping the group would leave Zipkin without attribute groups at all, and
 * the terms are exactly what Zipkin's own search matches (with its blind spot: `_q` also holds
 * short annotation values, so an event named `key=...` would read as a value of the tag).
 */
function zipkinTagSource(key: string, size: number): GroupSource {
  const prefix = `${key}=`;
  return {
    place: `'_q' terms '${prefix}...'`,
    has: { term: { _q: key } },
    agg: (inner) => ({ terms: { field: '_q', include: `${literalRegex(prefix)}.*`, size }, aggs: inner }),
    values: (answer) => termsValues(answer, (bucket) => String(bucket.key).slice(prefix.length)),
  };
}

/**
 * Each place reads only the spans without a value in the places before it (a span attribute
 * stands before a resource attribute of the same key, as OpenTelemetry has it); the rest are '(none)'.
 */
function splitOver(sources: GroupSource[], warnings: string[]): GroupSplit {
  const aggName = (i: number) => `by_${i}`;
  return {
    places: sources.map((source) => source.place),
    warnings,
    aggs(inner) {
      const aggs: JsonObject = {};
      sources.forEach((source, i) => {
        const earlier = sources.slice(0, i).map((before) => before.has);
        aggs[aggName(i)] = i === 0 ? source.agg(inner) : { filter: { bool: { must_not: earlier } }, aggs: { values: source.agg(inner) } };
      });
      aggs.none = { filter: { bool: { must_not: sources.map((source) => source.has) } }, aggs: inner };
      return aggs;
    },
    read(bucket) {
      const groups: SplitGroups['groups'] = [];
      let truncated = false;
      sources.forEach((source, i) => {
        const answer = i === 0 ? bucket[aggName(i)] : (bucket[aggName(i)] as { values?: unknown } | undefined)?.values;
        const values = source.values(answer);
        groups.push(...values.buckets);
        truncated ||= values.truncated;
      });
      const none = bucket.none as AggBucket | undefined;
      if ((none?.doc_count ?? 0) > 0) {
        groups.push({ name: NO_GROUP, bucket: none! });
      }
      const counted = groups.reduce((sum, group) => sum + (group.bucket.doc_count ?? 0), 0);
      return { groups, truncated, overcounted: typeof bucket.doc_count === 'number' && counted > bucket.doc_count };
    },
  };
}

/** Where a Jaeger tag-as-field keeps a key: dots become `@`. */
const jaegerTagField = (prefix: string, key: string) => `${prefix}${key.replace(/\./g, '@')}`;

function attributeSources(group: IndexGroup, key: string, size: number): { sources: GroupSource[]; warnings: string[] } {
  const where = group.indices.join(', ');
  const attributes = group.schema.search?.attributes;
  const sources: GroupSource[] = [];
  const warnings: string[] = [];
  if (attributes?.style === 'zipkin') {
    if (aggregatablePath(group, '_q') === '_q') {
      sources.push(zipkinTagSource(key, size));
      warnings.push(`${where}: Zipkin indexes a tag only where '${key}=value' is at most 256 characters long: spans with a longer '${key}' are counted under '${NO_GROUP}'`);
    }
  } else if (attributes?.style === 'jaeger') {
    // A span keeps a tag either as a field (tags-as-fields) or in the nested array, span tags before process tags.
    JAEGER_TAG_FIELD_PREFIXES.forEach((prefix, i) => {
      const field = aggregatablePath(group, jaegerTagField(prefix, key));
      if (field) {
        sources.push(fieldSource(field, size));
      }
      if (group.catalog.get(JAEGER_TAG_ARRAYS[i])?.type === 'nested') {
        sources.push(jaegerArraySource(JAEGER_TAG_ARRAYS[i], key, size));
      }
    });
  } else if (attributes?.style === 'fields') {
    for (const { prefix, encode } of attributes.prefixes) {
      const path = prefix + (encode ? encode(key) : key);
      const info = group.catalog.get(path);
      const field = info ? aggregatablePath(group, path) : undefined;
      if (field) {
        sources.push(fieldSource(field, size));
      } else if (info) {
        warnings.push(`${where}: '${path}' is mapped as ${info.type}, which cannot be grouped by: spans with '${key}' there are counted under '${NO_GROUP}'`);
      }
    }
  }
  if (sources.length === 0 && warnings.length === 0) {
    warnings.push(`${where}: no span or resource attribute '${key}' is mapped, so every span is counted under '${NO_GROUP}'`);
  }
  return { sources, warnings };
}

/** The split for one index group, or why the group cannot be split that way. */
export function groupSplit(group: IndexGroup, groupBy: MetricsGroupBy, size: number): GroupSplit | { skipped: string } {
  if (groupBy === 'service' || groupBy === 'operation') {
    const fields = exactFields(group, groupBy === 'service' ? 'serviceName' : 'name');
    if (fields.length === 0) {
      return { skipped: `skipped ${group.indices.join(', ')}: the ${groupBy} field cannot be aggregated in this mapping` };
    }
    return splitOver(fields.map((field) => fieldSource(field, size)), []);
  }
  const { sources, warnings } = attributeSources(group, groupBy.slice('attribute:'.length), size);
  return splitOver(sources, warnings);
}

/** What a group is called in labels and messages: `service`, `operation` or the attribute key. */
export function groupKeyName(groupBy: MetricsGroupBy): string {
  return groupBy.startsWith('attribute:') ? groupBy.slice('attribute:'.length) : groupBy;
}
