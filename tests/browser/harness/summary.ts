/**
 * The frames of a run as the tests read them: every field with its values in a form JSON carries,
 * and the links Grafana builds for its first row (after applyFieldOverrides, as a panel has them).
 */
import type { DataFrame, Field } from '@grafana/data';

import type { FieldSummary, FrameSummary } from './contract';

function plain(value: unknown): unknown {
  if (typeof value === 'bigint' || typeof value === 'function') {
    return String(value);
  }
  return value;
}

function linksOf(field: Field): string[] {
  if (!field.getLinks || field.values.length === 0) {
    return [];
  }
  return field.getLinks({ valueRowIndex: 0 }).map((link) => link.href);
}

function summariseField(field: Field): FieldSummary {
  return { name: field.name, type: field.type, values: field.values.map(plain), links: linksOf(field) };
}

export function summariseFrame(frame: DataFrame): FrameSummary {
  return {
    name: frame.name,
    refId: frame.refId,
    length: frame.length,
    preferredVisualisationType: frame.meta?.preferredVisualisationType,
    notices: (frame.meta?.notices ?? []).map((notice) => notice.text),
    fields: frame.fields.map(summariseField),
  };
}
