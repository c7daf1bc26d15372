/**
 * Schema detection per backing index (storage-schemas.md §7): each index's mapping is flattened
 * and scored against every schema; indices are grouped by the schema that wins, so a pattern that
 * covers two producers is read group by group, each with its own mapper.
 */
import type { FieldOverrides, SchemaSetting } from '../types';
import { checkOverrides, customSchema } from './custom';
import { catalogFromMapping, type FieldCatalog } from './fieldCatalog';
import { findSchema, SPAN_SCHEMAS } from './registry';
import type { Detection, SpanSchema } from './schema';

/** Span indices that share a schema; `catalog` is the union of their mappings, for choosing exact (keyword) paths. */
export type IndexGroup = SchemaGroup<SpanSchema>;

export interface Resolution {
  pattern: string;
  groups: IndexGroup[];
  /** Indices that match no known schema, with a few of their fields as evidence. */
  unknown: Array<{ index: string; fields: string[] }>;
}

export type MappingByIndex = Record<string, { mappings?: unknown }>;

export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

function bestDetection(catalog: FieldCatalog): Detection | undefined {
  let best: Detection | undefined;
  for (const schema of SPAN_SCHEMAS) {
    const detection = schema.detect(catalog);
    if (detection.score > 0 && (!best || detection.score > best.score)) {
      best = detection;
    }
  }
  return best;
}

/** Indices that share a schema, with the union of their mappings. */
export interface SchemaGroup<S> {
  schema: S;
  indices: string[];
  catalog: FieldCatalog;
  evidence: string[];
}

/** Any spelling of a trace or span id field: traceId, trace_id, trace.id, TraceID, parentSpanId, ... */
const ID_FIELD = /(trace|span)[._-]?id/i;

/** Up to 12 fields of an unreadable index, id fields first: they tell a user most about the layout. */
function fieldsToShow(catalog: FieldCatalog): string[] {
  const fields = [...catalog.keys()].filter((path) => !path.startsWith('_'));
  return [...fields.filter((path) => ID_FIELD.test(path)), ...fields.filter((path) => !ID_FIELD.test(path))].slice(0, 12);
}

/**
 * Indices grouped by the schema `match` finds in each one's mapping (span and logs detection
 * alike); empty indices are skipped, the ones nothing matches are listed with a few fields.
 */
export function groupIndices<S extends { name: string }>(
  mappings: MappingByIndex,
  match: (index: string, catalog: FieldCatalog) => { schema: S; evidence: string[] } | undefined
): { groups: Array<SchemaGroup<S>>; unknown: Array<{ index: string; fields: string[] }> } {
  const groups = new Map<string, SchemaGroup<S>>();
  const unknown: Array<{ index: string; fields: string[] }> = [];
  for (const index of Object.keys(mappings).sort()) {
    const catalog = catalogFromMapping(mappings[index]?.mappings);
    if (catalog.size === 0) {
      // An empty index (created, nothing written yet) holds nothing to read or to complain about.
      continue;
    }
    const found = match(index, catalog);
    if (!found) {
      unknown.push({ index, fields: fieldsToShow(catalog) });
      continue;
    }
    const group: SchemaGroup<S> = groups.get(found.schema.name) ?? { schema: found.schema, indices: [], catalog: new Map(), evidence: found.evidence };
    group.indices.push(index);
    for (const [path, info] of catalog) {
      if (!group.catalog.has(path)) {
        group.catalog.set(path, info);
      }
    }
    groups.set(found.schema.name, group);
  }
  return { groups: [...groups.values()], unknown };
}

/**
 * Group the indices of a `_mapping` answer by schema. With a configured schema every index is read
 * with it (after checking that its id fields exist); with `auto` each index is detected.
 */
export function resolveSchemas(pattern: string, mappings: MappingByIndex, setting: SchemaSetting = 'auto', overrides?: FieldOverrides): Resolution {
  const custom = setting === 'custom' ? customSchema(overrides ?? {}) : undefined;
  const misfits: string[] = [];
  const { groups, unknown } = groupIndices<SpanSchema>(mappings, (index, catalog) => {
    if (custom) {
      const problems = checkOverrides(overrides, catalog);
      misfits.push(...problems.map((problem) => `${index}: ${problem}`));
      return problems.length === 0 ? { schema: custom, evidence: ['custom layout from the settings'] } : undefined;
    }
    return setting === 'auto' ? detectedSchema(catalog) : configuredSchema(setting, catalog);
  });
  if (custom && groups.length === 0 && misfits.length > 0) {
    throw new SchemaError(`the custom field layout does not fit index pattern '${pattern}': ${misfits.slice(0, 5).join('; ')}`);
  }
  return { pattern, groups, unknown };
}

function detectedSchema(catalog: FieldCatalog): { schema: SpanSchema; evidence: string[] } | undefined {
  const detection = bestDetection(catalog);
  const schema = detection && findSchema(detection.schema);
  return schema && detection ? { schema, evidence: detection.evidence } : undefined;
}

function configuredSchema(name: string, catalog: FieldCatalog): { schema: SpanSchema; evidence: string[] } | undefined {
  const schema = findSchema(name);
  if (!schema) {
    throw new SchemaError(`schema '${name}' is not supported yet; supported: ${SPAN_SCHEMAS.map((s) => s.name).join(', ')} (or auto)`);
  }
  const missing = [schema.paths.traceId, schema.paths.spanId].filter((path) => !catalog.has(path));
  return missing.length === 0 ? { schema, evidence: [`configured as ${name}`] } : undefined;
}

/** The message for indices no schema can read, naming what was found so the user can tell why. */
export function describeUnknown(resolution: Resolution, setting: SchemaSetting): string {
  const sample = resolution.unknown.slice(0, 3);
  const found = sample.map((entry) => `${entry.index} has ${entry.fields.length > 0 ? entry.fields.join(', ') : 'no mapped fields'}`).join('; ');
  const skywalking = sample.some((entry) => entry.fields.includes('segment_id') && entry.fields.includes('data_binary'));
  if (skywalking) {
    return `index pattern '${resolution.pattern}' holds Apache SkyWalking segments, which store spans inside a binary blob and are unsupported; found these fields: ${found}`;
  }
  if (setting !== 'auto') {
    return `index pattern '${resolution.pattern}' does not look like schema '${setting}' (its trace and span id fields are missing); found these fields: ${found}. Choose the schema that wrote the data, or 'auto'`;
  }
  return `index pattern '${resolution.pattern}' holds spans in an unsupported layout; found these fields: ${found}. Supported schemas: ${SPAN_SCHEMAS.map((s) => s.name).join(', ')}`;
}
