import {
  Button,
  Field,
  InlineField,
  InlineSwitch,
  Input,
  RadioButtonGroup,
  Stack,
} from '@grafana/ui';
import React, { type ChangeEvent, type KeyboardEvent, useState } from 'react';

import type { DataSource } from '../datasource/DataSource';
import { FilterError, logfmtPair, parseDuration, parseLogfmt } from '../query/filters';
import {
  DEFAULT_SEARCH_LIMIT,
  type EsTracesQuery,
  MAX_SEARCH_LIMIT,
  type SearchSort,
  type SpanStatusFilter,
} from '../types';
import { CheckedInput, messageOf, Picker, useListOptions } from './fields';

export interface SearchEditorProps {
  query: EsTracesQuery;
  onChange: (query: EsTracesQuery) => void;
  onRunQuery: () => void;
  datasource: DataSource;
}

type Filters = Pick<
  EsTracesQuery,
  'service' | 'operation' | 'tags' | 'minDuration' | 'maxDuration' | 'status' | 'limit' | 'sort' | 'perSpan'
>;

/** The query with `changes` applied; a field set to undefined or '' is removed, not stored empty. */
export function withFilters(query: EsTracesQuery, changes: Partial<EsTracesQuery>): EsTracesQuery {
  const next: Record<string, unknown> = { ...query, ...changes };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined || value === '') {
      delete next[key];
    }
  }
  return next as unknown as EsTracesQuery;
}

/** The parser's message for a malformed duration; none for an empty field or a template variable. */
export function durationProblem(text: string, what: string): string | undefined {
  if (text.trim() === '' || text.includes('$')) {
    return undefined;
  }
  try {
    parseDuration(text, what);
    return undefined;
  } catch (error) {
    return error instanceof FilterError ? error.message : messageOf(error);
  }
}

/**
 * A message when both durations are set, readable and the minimum exceeds the maximum; template
 * variables and malformed durations are left to `durationProblem`.
 */
export function durationRangeProblem(min: string | undefined, max: string | undefined): string | undefined {
  if (!min?.trim() || !max?.trim() || durationProblem(min, 'min') || durationProblem(max, 'max')) {
    return undefined;
  }
  if (min.includes('$') || max.includes('$')) {
    return undefined;
  }
  return parseDuration(min) > parseDuration(max)
    ? `min duration ${min.trim()} is longer than max duration ${max.trim()}`
    : undefined;
}

/** The parser's message for attribute filters that are not logfmt; none when they are (or empty). */
export function tagsProblem(text: string): string | undefined {
  if (text.trim() === '') {
    return undefined;
  }
  try {
    parseLogfmt(text);
    return undefined;
  } catch (error) {
    return error instanceof FilterError ? error.message : messageOf(error);
  }
}

export const LIMIT_PROBLEM = `Enter a whole number of traces from 1 to ${MAX_SEARCH_LIMIT.toLocaleString('en-US')}`;

/** The limit typed, or a message saying what is wrong with it. */
export function checkLimit(text: string): { value: number } | { error: string } {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 1 || value > MAX_SEARCH_LIMIT) {
    return { error: LIMIT_PROBLEM };
  }
  return { value };
}

/** The attribute filters with one more `key=value` pair at the end. */
export function appendTag(tags: string, key: string, value: string): string {
  const pair = logfmtPair(key, value);
  const current = tags.trim();
  return current === '' ? pair : `${current} ${pair}`;
}

interface AttributesProps {
  idSuffix: string;
  datasource: DataSource;
  tags: string;
  onCommit: (tags: string) => void;
}

/** The logfmt attribute filters, and pickers that add one `key=value` pair to them. */
function Attributes({ idSuffix, datasource, tags, onCommit }: AttributesProps) {
  const [draft, setDraft] = useState(tags);
  const [key, setKey] = useState<string | undefined>();
  const [value, setValue] = useState<string | undefined>();
  const keys = useListOptions(() => datasource.listTagKeys(), '');
  const values = useListOptions((tag) => datasource.listTagValues(tag), key ?? '');
  const problem = tagsProblem(draft);

  const commit = (text: string) => {
    const trimmed = text.trim();
    setDraft(trimmed);
    if (tagsProblem(trimmed) === undefined && trimmed !== tags) {
      onCommit(trimmed);
    }
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      commit(draft);
    }
  };
  const onAdd = () => {
    if (key && value !== undefined) {
      commit(appendTag(draft, key, value));
      setValue(undefined);
    }
  };

  return (
    <Stack direction="column" gap={1}>
      <Field
        label="Attributes"
        description="Span attributes in logfmt: key=value pairs separated by spaces; quote values with spaces"
        invalid={problem !== undefined}
        error={problem}
        noMargin
      >
        <Input
          id={`estraces-tags-${idSuffix}`}
          value={draft}
          placeholder="http.response.status_code=500 app.user.vip=true"
          onChange={(event: ChangeEvent<HTMLInputElement>) => setDraft(event.currentTarget.value)}
          onBlur={() => commit(draft)}
          onKeyDown={onKeyDown}
          width={60}
        />
      </Field>
      <Stack direction="row" gap={1} alignItems="flex-end" wrap="wrap">
        <Picker
          id={`estraces-tag-key-${idSuffix}`}
          label="Attribute key"
          placeholder="Choose a key"
          value={key}
          list={keys}
          width={26}
          onChange={(next) => {
            setKey(next);
            setValue(undefined);
          }}
        />
        <Picker
          id={`estraces-tag-value-${idSuffix}`}
          label="Attribute value"
          placeholder={key ? 'Choose a value' : 'Choose a key first'}
          value={value}
          disabled={!key}
          list={values}
          width={26}
          onChange={setValue}
        />
        <Button variant="secondary" icon="plus" onClick={onAdd} disabled={!key || value === undefined}>
          Add
        </Button>
      </Stack>
    </Stack>
  );
}

type StatusChoice = SpanStatusFilter | 'any';

const STATUS_OPTIONS: Array<{ label: string; value: StatusChoice; description: string }> = [
  { label: 'Any', value: 'any', description: 'Spans with any status' },
  { label: 'Error', value: 'error', description: 'Spans with status error' },
  { label: 'Ok', value: 'ok', description: 'Spans explicitly marked ok' },
  { label: 'Unset', value: 'unset', description: 'Spans that set no status' },
];

const SORT_OPTIONS: Array<{ label: string; value: SearchSort; description: string }> = [
  { label: 'Recent', value: 'recent', description: 'Most recent traces first' },
  { label: 'Slowest', value: 'slowest', description: 'Longest traces first' },
];

/**
 * The filters shared by search, scatter and histogram queries, in the manner of Grafana's Jaeger
 * search form. Picks run the query at once; typed fields run it on blur or Enter when valid.
 */
export function SearchEditor({ query, onChange, onRunQuery, datasource }: SearchEditorProps) {
  const idSuffix = query.refId;
  const services = useListOptions(() => datasource.listServices(), '');
  const operations = useListOptions((service) => datasource.listOperations(service), query.service ?? '');

  const apply = (changes: Filters) => {
    onChange(withFilters(query, changes));
    onRunQuery();
  };

  return (
    <Stack direction="column" gap={1}>
      <Stack direction="row" gap={1} alignItems="flex-start" wrap="wrap">
        <Picker
          id={`estraces-service-${idSuffix}`}
          label="Service"
          placeholder="Any service, or $service"
          value={query.service}
          list={services}
          onChange={(service) => {
            if (service !== query.service) {
              // An operation belongs to a service: a new service starts without one.
              apply({ service, operation: undefined });
            }
          }}
        />
        <Picker
          id={`estraces-operation-${idSuffix}`}
          label="Operation"
          placeholder={query.service ? 'Any operation' : 'Choose a service first'}
          value={query.operation}
          disabled={!query.service}
          list={operations}
          onChange={(operation) => apply({ operation })}
        />
      </Stack>
      <Attributes
        key={`tags:${query.tags ?? ''}`}
        idSuffix={idSuffix}
        datasource={datasource}
        tags={query.tags ?? ''}
        onCommit={(tags) => apply({ tags })}
      />
      <Stack direction="row" gap={1} alignItems="flex-start" wrap="wrap">
        <CheckedInput
          key={`min:${query.minDuration ?? ''}`}
          id={`estraces-min-duration-${idSuffix}`}
          label="Min duration"
          placeholder="e.g. 1.2s, 100ms, 500us"
          value={query.minDuration ?? ''}
          width={20}
          check={(text) => durationProblem(text, 'min duration') ?? durationRangeProblem(text, query.maxDuration)}
          onCommit={(minDuration) => apply({ minDuration })}
        />
        <CheckedInput
          key={`max:${query.maxDuration ?? ''}`}
          id={`estraces-max-duration-${idSuffix}`}
          label="Max duration"
          placeholder="e.g. 1.2s, 100ms, 500us"
          value={query.maxDuration ?? ''}
          width={20}
          check={(text) => durationProblem(text, 'max duration') ?? durationRangeProblem(query.minDuration, text)}
          onCommit={(maxDuration) => apply({ maxDuration })}
        />
        {/* Metrics count every matching span: a trace limit means nothing there. */}
        {query.queryType !== 'metrics' && (
          <CheckedInput
            key={`limit:${query.limit ?? ''}`}
            id={`estraces-limit-${idSuffix}`}
            label="Limit"
            type="number"
            placeholder={String(DEFAULT_SEARCH_LIMIT)}
            value={String(query.limit ?? DEFAULT_SEARCH_LIMIT)}
            width={12}
            check={(text) => ('error' in checkLimit(text) ? LIMIT_PROBLEM : undefined)}
            onCommit={(text) => {
              const checked = checkLimit(text);
              if ('value' in checked) {
                apply({ limit: checked.value });
              }
            }}
          />
        )}
      </Stack>
      <Stack direction="row" gap={2} alignItems="flex-start" wrap="wrap">
        <Field label="Status" noMargin>
          <RadioButtonGroup<StatusChoice>
            options={STATUS_OPTIONS}
            value={query.status ?? 'any'}
            onChange={(status) => apply({ status: status === 'any' ? undefined : status })}
            size="sm"
          />
        </Field>
        {query.queryType === 'search' && (
          <Field label="Sort" noMargin>
            <RadioButtonGroup<SearchSort>
              options={SORT_OPTIONS}
              value={query.sort ?? 'recent'}
              onChange={(sort) => apply({ sort })}
              size="sm"
            />
          </Field>
        )}
        {query.queryType === 'scatter' && (
          <InlineField label="Per span" tooltip="One point per matching span instead of one per trace">
            <InlineSwitch
              id={`estraces-per-span-${idSuffix}`}
              value={query.perSpan ?? false}
              onChange={(event: ChangeEvent<HTMLInputElement>) => apply({ perSpan: event.currentTarget.checked })}
            />
          </InlineField>
        )}
      </Stack>
    </Stack>
  );
}
