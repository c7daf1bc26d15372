import { Field, InlineField, InlineSwitch, RadioButtonGroup, Stack } from '@grafana/ui';
import React, { type ChangeEvent } from 'react';

import type { EsTracesQuery } from '../types';
import { Picker, useListOptions } from './fields';
import { SearchEditor, type SearchEditorProps, withFilters } from './SearchEditor';

type KindChoice = 'any' | 'server' | 'client' | 'producer' | 'consumer' | 'internal';

const KIND_OPTIONS: Array<{ label: string; value: KindChoice; description: string }> = [
  { label: 'Any kind', value: 'any', description: 'Spans of every kind' },
  { label: 'Server', value: 'server', description: 'Requests a service handled' },
  { label: 'Client', value: 'client', description: 'Requests a service sent' },
  { label: 'Producer', value: 'producer', description: 'Messages a service sent' },
  { label: 'Consumer', value: 'consumer', description: 'Messages a service handled' },
  { label: 'Internal', value: 'internal', description: 'Work inside a service' },
];

/** Group-by choices before the attribute keys. */
const BUILT_IN_GROUPS = ['service', 'operation'];

/**
 * Span metrics: the search form's filters (service, operation, attributes, duration, status),
 * then the span kind, what the series are split by (service, operation or any attribute key, typed
 * or picked) and the switch to the operations table.
 */
export function MetricsEditor(props: SearchEditorProps) {
  const { query, onChange, onRunQuery, datasource } = props;
  const groups = useListOptions(async () => [...BUILT_IN_GROUPS, ...(await datasource.listTagKeys())], '');
  const kind = (query.kind as KindChoice | undefined) ?? 'any';

  const apply = (changes: Partial<EsTracesQuery>) => {
    onChange(withFilters(query, changes));
    onRunQuery();
  };

  return (
    <Stack direction="column" gap={1}>
      <SearchEditor {...props} />
      <Stack direction="row" gap={2} alignItems="flex-end" wrap="wrap">
        <Field label="Span kind" noMargin>
          <RadioButtonGroup<KindChoice>
            options={KIND_OPTIONS}
            // A variable or a list typed elsewhere is kept, shown as no choice.
            value={KIND_OPTIONS.some((option) => option.value === kind) ? kind : undefined}
            onChange={(next) => apply({ kind: next === 'any' ? undefined : next })}
            size="sm"
          />
        </Field>
        {!query.metricsTable && (
          <Picker
            id={`estraces-group-by-${query.refId}`}
            label="Group by"
            placeholder="All spans together"
            value={query.metricsGroupBy}
            list={groups}
            width={26}
            onChange={(metricsGroupBy) => apply({ metricsGroupBy })}
          />
        )}
        <InlineField
          label="Operations table"
          tooltip="One row per service and operation over the whole range, each linking to its slowest traces, instead of series over time"
        >
          <InlineSwitch
            id={`estraces-metrics-table-${query.refId}`}
            value={query.metricsTable ?? false}
            onChange={(event: ChangeEvent<HTMLInputElement>) =>
              apply({ metricsTable: event.currentTarget.checked || undefined })
            }
          />
        </InlineField>
      </Stack>
    </Stack>
  );
}
