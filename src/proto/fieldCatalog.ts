/**
 * What an index's mapping says about its fields, flattened to dotted paths: the field type, and
 * for text fields the keyword sub-field that exact terms and sorting must use.
 */
export interface FieldInfo {
  type: string;
  /** For `text` fields with a keyword multi-field (dynamic mapping), its full path. */
  keywordPath?: string;
}

export type FieldCatalog = Map<string, FieldInfo>;

type MappingProperties = Record<string, MappingNode>;
interface MappingNode {
  type?: string;
  properties?: MappingProperties;
  fields?: Record<string, { type?: string }>;
  path?: string;
}

/** Flatten one index's `mappings` object (`{properties: ...}`, or typed legacy `{_doc: {properties}}`). */
export function catalogFromMapping(mappings: unknown): FieldCatalog {
  const catalog: FieldCatalog = new Map();
  const root = mappingRoot(mappings);
  if (root) {
    addProperties(catalog, root, '');
  }
  return catalog;
}

function mappingRoot(mappings: unknown): MappingProperties | undefined {
  if (!mappings || typeof mappings !== 'object') {
    return undefined;
  }
  const node = mappings as { properties?: MappingProperties } & Record<string, unknown>;
  if (node.properties) {
    return node.properties;
  }
  // Elasticsearch 6 style: one mapping type wraps the properties.
  const typed = Object.values(node).find((value) => value && typeof value === 'object' && 'properties' in (value as object));
  return (typed as { properties?: MappingProperties } | undefined)?.properties;
}

function addProperties(catalog: FieldCatalog, properties: MappingProperties, prefix: string): void {
  for (const [name, node] of Object.entries(properties)) {
    const path = prefix + name;
    const type = node.type ?? (node.properties ? 'object' : 'unknown');
    const keyword = Object.entries(node.fields ?? {}).find(([, sub]) => sub.type === 'keyword');
    catalog.set(path, { type, keywordPath: type === 'text' && keyword ? `${path}.${keyword[0]}` : undefined });
    if (node.properties) {
      addProperties(catalog, node.properties, `${path}.`);
    }
  }
}

/** The path to use for exact terms and sorting, or undefined when the field cannot serve. */
export function exactPath(catalog: FieldCatalog, path: string): string | undefined {
  const info = catalog.get(path);
  if (!info) {
    return undefined;
  }
  if (info.type === 'text') {
    return info.keywordPath;
  }
  return info.type === 'object' || info.type === 'nested' ? undefined : path;
}

export function hasPrefix(catalog: FieldCatalog, prefix: string): boolean {
  for (const path of catalog.keys()) {
    if (path.startsWith(prefix)) {
      return true;
    }
  }
  return false;
}
