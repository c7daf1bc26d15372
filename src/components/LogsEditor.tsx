import { Combobox, type ComboboxOption, Field, InlineField, InlineSwitch, Input, Stack } from '@grafana/ui';
import React, { type ChangeEvent, type KeyboardEvent, useCallback, useRef, useState } from 'react';

import type { DataSource } from '../datasource/DataSource';
import { validateTraceId } from '../proto/ids';
import { DEFAULT_LOG_LIMIT, MAX_LOG_LIMIT } from '../query/logs';
import type { EsTracesQuery } from '../types';
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

/** validateTraceId's message for a malformed id; none for an empty field or a template variable. */
export function logsTraceIdProblem(text: string): string | undefined {
  if (isUnchecked(text)) {
    return undefined;
  }
  const check = validateTraceId(text);
  return check.ok ? undefined : check.message;
}

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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Service options from listServices(), narrowed to what is typed and fetched afresh each time the
 * menu opens; a failure is reported through `error` and leaves the menu empty.
 */
function useServiceOptions(datasource: DataSource) {
  const [error, setError] = useState<string | undefined>();
  const pending = useRef<Promise<string[]> | undefined>(undefined);

  const options = async (input: string): Promise<Array<ComboboxOption<string>>> => {
    if (!pending.current) {
      pending.current = datasource.listServices();
    }
    try {
      const values = await pending.current;
      setError(undefined);
      const needle = input.trim().toLowerCase();
      return values
        .filter((value) => needle === '' || value.toLowerCase().includes(needle))
        .map((value) => ({ label: value, value }));
    } catch (caught) {
      pending.current = undefined;
      setError(messageOf(caught));
      return [];
    }
  };
  const onIsOpenChange = useCallback((open: boolean) => {
    if (open) {
      pending.current = undefined;
    }
  }, []);

  return { options, onIsOpenChange, error };
}

interface DraftInputProps {
  id: string;
  label: string;
  description?: string;
  placeholder: string;
  value: string;
  width: number;
  type?: 'text' | 'number';
  /** The message for a draft that must not be saved, or undefined when it may be. */
  check: (draft: string) => string | undefined;
  onCommit: (value: string) => void;
}

/**
 * A text field that keeps what is typed locally, shows at once why it is wrong, and reports it on
 * blur or Enter only when it is valid and changed. Keyed by the stored value by its parent, so a
 * value changed from outside starts a fresh draft.
 */
function DraftInput({ id, label, description, placeholder, value, width, type, check, onCommit }: DraftInputProps) {
  const [draft, setDraft] = useState(value);
  const problem = check(draft);

  const commit = () => {
    const trimmed = draft.trim();
    if (check(trimmed) !== undefined) {
      return;
    }
    setDraft(trimmed);
    if (trimmed !== value) {
      onCommit(trimmed);
    }
  };

  return (
    <Field label={label} description={description} invalid={problem !== undefined} error={problem} noMargin>
      <Input
        id={id}
        type={type}
        value={draft}
        placeholder={placeholder}
        onChange={(event: ChangeEvent<HTMLInputElement>) => setDraft(event.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(event: KeyboardEvent<HTMLInputElement>) => {
          if (event.key === 'Enter') {
            commit();
          }
        }}
        width={width}
      />
    </Field>
  );
}

const SEVERITY_OPTIONS: Array<ComboboxOption<string>> = SEVERITIES.map((value) => ({ label: value, value }));

/**
 * Log lines by trace, span, service, severity or text. Pickers and the switch run the query at
 * once; typed fields run it on blur or Enter when valid. Empty fields are removed from the query.
 */
export function LogsEditor({ query, onChange, onRunQuery, datasource }: LogsEditorProps) {
  const idSuffix = query.refId;
  const services = useServiceOptions(datasource);

  const apply = (changes: LogFields) => {
    onChange(withLogFields(query, changes));
    onRunQuery();
  };

  return (
    <Stack direction="column" gap={1}>
      <Stack direction="row" gap={1} alignItems="flex-start" wrap="wrap">
        <DraftInput
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
        <DraftInput
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
        <Field label="Service" invalid={services.error !== undefined} error={services.error} noMargin>
          <Combobox<string>
            id={`estraces-logs-service-${idSuffix}`}
            placeholder="Any service, or $service"
            value={query.service ?? null}
            options={services.options}
            onIsOpenChange={services.onIsOpenChange}
            createCustomValue
            isClearable
            width={30}
            onChange={(option) => {
              const service = option?.value || undefined;
              if (service !== query.service) {
                apply({ service });
              }
            }}
          />
        </Field>
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
        <DraftInput
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
        <DraftInput
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
