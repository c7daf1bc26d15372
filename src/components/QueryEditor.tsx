import { type QueryEditorProps } from '@grafana/data';
import { Field, InlineSwitch, Input, RadioButtonGroup, Stack } from '@grafana/ui';
import React, { type ChangeEvent, type KeyboardEvent } from 'react';

import type { DataSource } from '../datasource/DataSource';
import { validateTraceId } from '../proto/ids';
import type { EsTracesOptions, EsTracesQuery, QueryType } from '../types';

export type QueryEditorPropsType = QueryEditorProps<DataSource, EsTracesQuery, EsTracesOptions>;

/** Query types the editor offers; later kinds (search, scatter, ...) join this list. */
const QUERY_TYPES: Array<{ label: string; value: QueryType; description: string }> = [{ label: 'Trace ID', value: 'traceId', description: 'Show one trace' }];

/** The message for a malformed id; none for an empty field or a template variable. */
export function traceIdProblem(value: string): string | undefined {
  if (value.trim() === '' || value.includes('$')) {
    return undefined;
  }
  const check = validateTraceId(value);
  return check.ok ? undefined : check.message;
}

export function QueryEditor({ query, onChange, onRunQuery }: QueryEditorPropsType) {
  const queryType = query.queryType ?? 'traceId';
  const traceId = query.query ?? '';
  const problem = traceIdProblem(traceId);

  const onTraceId = (event: ChangeEvent<HTMLInputElement>) => onChange({ ...query, queryType, query: event.currentTarget.value.trim() });
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      onRunQuery();
    }
  };

  return (
    <Stack direction="column" gap={1}>
      <Field label="Query type">
        <RadioButtonGroup<QueryType> options={QUERY_TYPES} value={queryType} onChange={(value) => onChange({ ...query, queryType: value })} size="sm" />
      </Field>
      {queryType === 'traceId' && (
        <Stack direction="row" gap={2} alignItems="flex-start">
          <Field label="Trace ID" invalid={problem !== undefined} error={problem}>
            <Input id="estraces-trace-id" value={traceId} placeholder="16 or 32 hex digits, or $variable" onChange={onTraceId} onBlur={onRunQuery} onKeyDown={onKeyDown} width={46} />
          </Field>
          <Field label="Limit to time range" description="By default a trace id is looked up over all time">
            <InlineSwitch
              id="estraces-use-time-range"
              value={query.useTimeRange ?? false}
              onChange={(event: { currentTarget: HTMLInputElement }) => {
                onChange({ ...query, useTimeRange: event.currentTarget.checked });
                onRunQuery();
              }}
            />
          </Field>
        </Stack>
      )}
    </Stack>
  );
}
