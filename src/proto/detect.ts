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

export interface IndexGroup {
  schema: SpanSchema;
  indices: string[];
  /** The union of the group's mappings, for choosing exact (keyword) paths. */
  catalog: FieldCatalog;
  evidence: string[];
}

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

/**
 * Group the indices of a `_mapping` answer by schema. With a configured schema every index is read
 * with it (after checking that its id fields exist); with `auto` each index is detected.
 */
export function resolveSchemas(pattern: string, mappings: MappingByIndex, setting: SchemaSetting = 'auto', overrides?: FieldOverrides): Resolution {
  const groups = new Map<string, IndexGroup>();
  const unknown: Resolution['unknown'] = [];
  const custom = setting === 'custom' ? customSchema(overrides ?? {}) : undefined;
  const misfits: string[] = [];
  for (const index of Object.keys(mappings).sort()) {
    const catalog = catalogFromMapping(mappings[index]?.mappings);
    if (catalog.size === 0) {
      // An empty index (created, nothing written yet) holds nothing to read or to complain about.
      continue;
    }
    let schema: { schema: SpanSchema; evidence: string[] } | undefined;
    if (custom) {
      const problems = checkOverrides(overrides, catalog);
      misfits.push(...problems.map((problem) => `${index}: ${problem}`));
      schema = problems.length === 0 ? { schema: custom, evidence: ['custom layout from the settings'] } : undefined;
    } else {
      schema = setting === 'auto' ? detectedSchema(catalog) : configuredSchema(setting, catalog);
    }
    if (!schema) {
      unknown.push({ index, fields: [...catalog.keys()].filter((path) => !path.startsWith('_')).slice(0, 12) });
      continue;
    }
    const group: IndexGroup = groups.get(schema.schema.name) ?? { schema: schema.schema, indices: [], catalog: new Map(), evidence: schema.evidence };
    group.indices.push(index);
    for (const [path, info] of catalog) {
      if (!group.catalog.has(path)) {
        group.catalog.set(path, info);
      }
    }
    groups.set(schema.schema.name, group);
  }
  if (custom && groups.size === 0 && misfits.length > 0) {
    throw new SchemaError(`the custom field layout does not fit index pattern '${pattern}': ${misfits.slice(0, 5).join('; ')}`);
  }
  return { pattern, groups: [...groups.values()], unknown };
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
