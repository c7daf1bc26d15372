import type { Attributes, AttributeValue } from './model';

/** Type names for Grafana's TraceKeyValuePair.type, following OTLP's value kinds. */
export type AttributeType = 'string' | 'bool' | 'int64' | 'float64' | 'array' | 'map' | 'null';

export function attributeType(value: AttributeValue): AttributeType {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'array';
  }
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int64' : 'float64';
    default:
      return 'map';
  }
}

/** Coerce anything read from `_source` into an attribute value; undefined and functions are dropped. */
export function toAttributeValue(value: unknown): AttributeValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return value;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : String(value);
  }
  if (Array.isArray(value)) {
    return value.map((item) => toAttributeValue(item) ?? null);
  }
  if (typeof value === 'object') {
    return toAttributes(value);
  }
  return undefined;
}

/** An object read from `_source` as attributes with their stored keys. Non-objects give {}. */
export function toAttributes(value: unknown): Attributes {
  const attributes: Attributes = {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return attributes;
  }
  const record = value as Record<string, unknown>;
  // for...in without intermediate arrays: this runs for every attribute of every span read.
  for (const key in record) {
    const converted = toAttributeValue(record[key]);
    if (converted !== undefined) {
      attributes[key] = converted;
    }
  }
  return attributes;
}

/** Each way to split a dotted path in two at a dot, left to right: `a.b.c` -> [a, b.c], [a.b, c]. */
type Splits = Array<[head: string, tail: string]>;

/** Paths are the schemas' constants, so their splits are worked out once; a few thousand at most are kept. */
const splitsByPath = new Map<string, Splits>();
const SPLITS_KEPT = 4096;

function splitsOf(path: string): Splits {
  let splits = splitsByPath.get(path);
  if (splits === undefined) {
    splits = [];
    for (let dot = path.indexOf('.'); dot !== -1; dot = path.indexOf('.', dot + 1)) {
      splits.push([path.slice(0, dot), path.slice(dot + 1)]);
    }
    if (splitsByPath.size < SPLITS_KEPT) {
      splitsByPath.set(path, splits);
    }
  }
  return splits;
}

/** Read a value at a dotted path whether `_source` nests it (`{a:{b:1}}`) or keeps the dots (`{"a.b":1}`). */
export function readPath(source: unknown, path: string): unknown {
  if (!source || typeof source !== 'object') {
    return undefined;
  }
  const record = source as Record<string, unknown>;
  const direct = record[path];
  if (direct !== undefined) {
    return direct;
  }
  // Each dot may separate an object level or belong to a key: try every split, left to right.
  const splits = splitsOf(path);
  for (let i = 0; i < splits.length; i++) {
    const head = record[splits[i][0]];
    if (head && typeof head === 'object') {
      const found = readPath(head, splits[i][1]);
      if (found !== undefined) {
        return found;
      }
    }
  }
  return undefined;
}

export function stringAt(source: unknown, path: string): string | undefined {
  const value = readPath(source, path);
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}
