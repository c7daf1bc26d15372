import { Field, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import React, { useState, type ChangeEvent, type KeyboardEvent } from 'react';

import type { EsTracesVariableQuery } from '../types';

type VariableKind = EsTracesVariableQuery['kind'];

export interface VariableQueryEditorProps {
  query: EsTracesVariableQuery;
  onChange: (query: EsTracesVariableQuery, definition?: string) => void;
  /** Grafana also passes `datasource`, `onRunQuery` and others; the editor needs none of them. */
  [extra: string]: unknown;
}

/** The lists a template variable can hold, in the order the editor offers them. */
const KINDS: Array<{ label: string; value: VariableKind; description: string }> = [
  { label: 'Services', value: 'services', description: 'Every service that wrote spans in the time range' },
  { label: 'Operations of a service', value: 'operations', description: 'The span names of one service' },
  { label: 'Attribute keys', value: 'tagKeys', description: 'The span attribute keys' },
  { label: 'Attribute values', value: 'tagValues', description: 'The values one span attribute takes' },
];

function isKind(value: unknown): value is VariableKind {
  return KINDS.some((kind) => kind.value === value);
}

/**
 * The stored query in the shape the editor works with. Grafana gives a new variable `''` or `{}`,
 * and older dashboards may hold a plain string; anything without a known kind lists services.
 */
export function normalizeVariableQuery(query: unknown): EsTracesVariableQuery {
  if (typeof query === 'string') {
    const kind = query.trim();
    return { kind: isKind(kind) ? kind : 'services' };
  }
  if (query === null || typeof query !== 'object') {
    return { kind: 'services' };
  }
  const stored = query as Partial<EsTracesVariableQuery>;
  return { ...stored, kind: isKind(stored.kind) ? stored.kind : 'services' };
}

/** Only the fields the kind uses, so a saved variable says no more than it means. */
function forKind(query: EsTracesVariableQuery, kind: VariableKind): EsTracesVariableQuery {
  const next: EsTracesVariableQuery = { kind };
  if (query.refId !== undefined) {
    next.refId = query.refId;
  }
  if (kind === 'operations' && query.service) {
    next.service = query.service;
  }
  if (kind === 'tagValues' && query.tag) {
    next.tag = query.tag;
  }
  return next;
}

/** A readable summary Grafana shows in the variable list, e.g. `operations(service=checkout)`. */
export function variableDefinition(query: EsTracesVariableQuery): string {
  const { kind, service, tag } = normalizeVariableQuery(query);
  switch (kind) {
    case 'operations':
      return service ? `operations(service=${service})` : 'operations';
    case 'tagKeys':
      return 'tag keys';
    case 'tagValues':
      return tag ? `tag values(${tag})` : 'tag values';
    default:
      return 'services';
  }
}

interface CommittedInputProps {
  id: string;
  label: string;
  description: string;
  placeholder: string;
  value: string;
  onCommit: (value: string) => void;
}

/**
 * A required text field that keeps what is typed locally and reports it on blur or Enter. The
 * parent keys it by the stored value, so a value changed from outside starts a fresh draft.
 */
function CommittedInput({ id, label, description, placeholder, value, onCommit }: CommittedInputProps) {
  const [draft, setDraft] = useState(value);

  const commit = () => {
    const trimmed = draft.trim();
    setDraft(trimmed);
    if (trimmed !== value) {
      onCommit(trimmed);
    }
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      commit();
    }
  };
  const missing = value.trim() === '';

  return (
    <Field
      label={label}
      description={description}
      required
      invalid={missing}
      error={missing ? `${label} is required` : undefined}
      noMargin
    >
      <Input
        id={id}
        value={draft}
        placeholder={placeholder}
        onChange={(event: ChangeEvent<HTMLInputElement>) => setDraft(event.currentTarget.value)}
        onBlur={commit}
        onKeyDown={onKeyDown}
        width={40}
      />
    </Field>
  );
}

export function VariableQueryEditor({ query: stored, onChange }: VariableQueryEditorProps) {
  const query = normalizeVariableQuery(stored);
  const idSuffix = query.refId ?? 'variable';

  const change = (next: EsTracesVariableQuery) => onChange(next, variableDefinition(next));

  return (
    <Stack direction="column" gap={1}>
      <Field label="List" noMargin>
        <RadioButtonGroup<VariableKind>
          options={KINDS}
          value={query.kind}
          onChange={(kind) => change(forKind(query, kind))}
          size="sm"
        />
      </Field>
      {query.kind === 'operations' && (
        <CommittedInput
          key={`service:${query.service ?? ''}`}
          id={`estraces-variable-service-${idSuffix}`}
          label="Service"
          description="The service whose operations to list; a $variable such as $service works too"
          placeholder="checkout or $service"
          value={query.service ?? ''}
          onCommit={(service) => change(forKind({ ...query, service }, 'operations'))}
        />
      )}
      {query.kind === 'tagValues' && (
        <CommittedInput
          key={`tag:${query.tag ?? ''}`}
          id={`estraces-variable-tag-${idSuffix}`}
          label="Attribute"
          description="The span attribute whose values to list, e.g. http.request.method"
          placeholder="http.request.method"
          value={query.tag ?? ''}
          onCommit={(tag) => change(forKind({ ...query, tag }, 'tagValues'))}
        />
      )}
    </Stack>
  );
}
