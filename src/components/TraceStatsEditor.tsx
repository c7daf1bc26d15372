import { type ComboboxOption, Stack } from '@grafana/ui';
import React, { type ReactNode } from 'react';

import type { DataSource } from '../datasource/DataSource';
import type { EsTracesQuery } from '../types';
import { Picker, useListOptions } from './fields';

export interface TraceStatsEditorProps {
  query: EsTracesQuery;
  onChange: (query: EsTracesQuery) => void;
  onRunQuery: () => void;
  datasource: DataSource;
  /** The trace id field: the Trace ID editor's own, so an id is checked and looked up alike in both. */
  children: ReactNode;
}

/** The groupings before the attribute keys, as `statsGroupBy` stores them, with what each means. */
const BUILT_IN_GROUPS: Record<string, string> = {
  operation: "Each service's operations (the default)",
  service: 'Each service, its operations together',
};

/** A key named like a built-in grouping is picked as `attribute:KEY`, so it groups by the attribute. */
const asGroupBy = (key: string) => (key in BUILT_IN_GROUPS ? `attribute:${key}` : key);

/**
 * Trace statistics: the trace (its id and the time range switch, as for a trace by id), then what
 * its spans are grouped by: each service's operations, each service, or the value of an attribute,
 * picked from the data source's span and resource attribute keys or typed (a variable too).
 */
export function TraceStatsEditor({ query, onChange, onRunQuery, datasource, children }: TraceStatsEditorProps) {
  const keys = useListOptions(
    async () => [...Object.keys(BUILT_IN_GROUPS), ...(await datasource.listTagKeys()).map(asGroupBy)],
    ''
  );
  const groups = {
    ...keys,
    options: async (input: string): Promise<Array<ComboboxOption<string>>> =>
      (await keys.options(input)).map((option) => ({ ...option, description: BUILT_IN_GROUPS[option.value] })),
  };

  const onGroupBy = (statsGroupBy: string | undefined) => {
    const { statsGroupBy: _previous, ...rest } = query;
    onChange(statsGroupBy ? { ...rest, statsGroupBy } : rest);
    onRunQuery();
  };

  return (
    <Stack direction="column" gap={1}>
      {children}
      <Picker
        id={`estraces-stats-group-by-${query.refId}`}
        label="Group by"
        placeholder="Service and operation"
        value={query.statsGroupBy}
        list={groups}
        width={30}
        onChange={onGroupBy}
      />
    </Stack>
  );
}
