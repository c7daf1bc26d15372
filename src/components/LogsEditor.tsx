import { Combobox, type ComboboxOption, Field, InlineField, InlineSwitch, Stack } from '@grafana/ui';
import React, { type ChangeEvent } from 'react';

import type { DataSource } from '../datasource/DataSource';
import { DEFAULT_LOG_LIMIT, MAX_LOG_LIMIT } from '../query/logs';
import type { EsTracesQuery } from '../types';
import { CheckedInput, Picker, traceIdProblem, useListOptions } from './fields';
import { withFilters } from './SearchEditor';

export interface LogsEditorProps {
  query: EsTracesQuery;
  onChange: (query: EsTracesQuery) => void;
  onRunQuery: () => void;
  datasource: DataSource;
}

/** The fields a logs query keeps. */
type LogFields = Pick<EsTracesQuery, 'traceId' | 'spanId' | 'service' | 'severity' | 'text' | 'limit' | 'spanWindow'>;

/** The logs query's own limits, shown and checked here as the query checks them. */
export const DEFAULT_LOGS_LIMIT = DEFAULT_LOG_LIMIT;
export const MAX_LOGS_LIMIT = MAX_LOG_LIMIT;
export const LOGS_LIMIT_PROBLEM = `Enter a whole number of lines from 1 to ${MAX_LOGS_LIMIT.toLocaleString('en-US')}`;

export const SPAN_WINDOW_TOOLTIP =
  "Search the span's (or, without a span id, the trace's) own time widened by the trace-to-logs shifts instead of the dashboard range. Links from the trace view set this.";

/** The severities offered; others (and `$variables`) may be typed. */
export const SEVERITIES = ['error', 'warn', 'info', 'debug'] as const;

/**
 * The query with `changes` applied; a field set to undefined or '' is removed, not stored empty.
 * SearchEditor's `withFilters` does this for any key; its parameter type names only the search
 * fields, hence the cast.
 */
export function withLogFields(query: EsTracesQuery, changes: LogFields): EsTracesQuery {
  return withFilters(query, changes as Parameters<typeof withFilters>[1]);
}

const isUnchecked = (text: string) => text.trim() === '' || text.includes('$');

/** The trace id check of the trace id editor: a message for a malformed id, none for empty or `$variable`. */
export const logsTraceIdProblem = traceIdProblem;

const SPAN_ID = /^[0-9a-f]{16}$/i;

/** A message for a span id that is not 16 hex digits; none for an empty field or a template variable. */
export function spanIdProblem(text: string): string | undefined {
  if (isUnchecked(text) || SPAN_ID.test(text.trim())) {
    return undefined;
  }
  return `'${text.trim()}' is not a span id: use 16 hexadecimal digits`;
}

/** The limit typed, or a message saying what is wrong with it. */
export function checkLogsLimit(text: string): { value: number } | { error: string } {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 1 || value > MAX_LOGS_LIMIT) {
    return { error: LOGS_LIMIT_PROBLEM };
  }
  return { value };
}

const SEVERITY_OPTIONS: Array<ComboboxOption<string>> = SEVERITIES.map((value) => ({ label: value, value }));

/**
 * Log lines by trace, span, service, severity or text. Pickers and the switch run the query at
 * once; typed fields run it on blur or Enter when valid. Empty fields are removed from the query.
 */
export function LogsEditor({ query, onChange, onRunQuery, datasource }: LogsEditorProps) {
  const idSuffix = query.refId;
  const services = useListOptions(() => datasource.listServices(), '');

  const apply = (changes: LogFields) => {
    onChange(withLogFields(query, changes));
    onRunQuery();
  };

  return (
    <Stack direction="column" gap={1}>
      <Stack direction="row" gap={1} alignItems="flex-start" wrap="wrap">
        <CheckedInput
          key={`trace:${query.traceId ?? ''}`}
          id={`estraces-logs-trace-id-${idSuffix}`}
          label="Trace ID"
          placeholder="16 or 32 hex digits, or $variable"
          value={query.traceId ?? ''}
          width={46}
          check={logsTraceIdProblem}
          // The span window is the trace's (or span's) time: without a trace id it means nothing.
          onCommit={(traceId) => apply(traceId === '' ? { traceId, spanWindow: undefined } : { traceId })}
        />
        <CheckedInput
          key={`span:${query.spanId ?? ''}`}
          id={`estraces-logs-span-id-${idSuffix}`}
          label="Span ID"
          placeholder="16 hex digits, or $variable"
          value={query.spanId ?? ''}
          width={26}
          check={spanIdProblem}
          onCommit={(spanId) => apply({ spanId })}
        />
      </Stack>
      <Stack direction="row" gap={1} alignItems="flex-start" wrap="wrap">
        <Picker
          id={`estraces-logs-service-${idSuffix}`}
          label="Service"
          placeholder="Any service, or $service"
          value={query.service}
          list={services}
          onChange={(service) => {
            if (service !== query.service) {
              apply({ service });
            }
          }}
        />
        <Field label="Severity" noMargin>
          <Combobox<string>
            id={`estraces-logs-severity-${idSuffix}`}
            placeholder="Any severity"
            value={query.severity ?? null}
            options={SEVERITY_OPTIONS}
            createCustomValue
            isClearable
            width={20}
            onChange={(option) => {
              const severity = option?.value || undefined;
              if (severity !== query.severity) {
                apply({ severity });
              }
            }}
          />
        </Field>
      </Stack>
      <Stack direction="row" gap={1} alignItems="flex-start" wrap="wrap">
        <CheckedInput
          key={`text:${query.text ?? ''}`}
          id={`estraces-logs-text-${idSuffix}`}
          label="Text"
          description="Text the log body contains, taken literally"
          placeholder="e.g. connection refused"
          value={query.text ?? ''}
          width={46}
          check={() => undefined}
          onCommit={(text) => apply({ text })}
        />
        <CheckedInput
          key={`limit:${query.limit ?? ''}`}
          id={`estraces-logs-limit-${idSuffix}`}
          label="Limit"
          type="number"
          placeholder={String(DEFAULT_LOGS_LIMIT)}
          value={String(query.limit ?? DEFAULT_LOGS_LIMIT)}
          width={12}
          check={(text) => ('error' in checkLogsLimit(text) ? LOGS_LIMIT_PROBLEM : undefined)}
          onCommit={(text) => {
            const checked = checkLogsLimit(text);
            if ('value' in checked) {
              apply({ limit: checked.value });
            }
          }}
        />
      </Stack>
      <InlineField label="Span time window" tooltip={SPAN_WINDOW_TOOLTIP} disabled={!query.traceId}>
        <InlineSwitch
          id={`estraces-logs-span-window-${idSuffix}`}
          value={query.spanWindow ?? false}
          disabled={!query.traceId}
          // Off is the default, so it is removed rather than stored as false.
          onChange={(event: ChangeEvent<HTMLInputElement>) =>
            apply({ spanWindow: event.currentTarget.checked || undefined })
          }
        />
      </InlineField>
    </Stack>
  );
}
