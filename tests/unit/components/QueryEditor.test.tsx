import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import React from 'react';

import { QueryEditor, traceIdProblem } from '../../../src/components/QueryEditor';
import type { DataSource } from '../../../src/datasource/DataSource';
import type { EsTracesQuery } from '../../../src/types';

function setup(query: Partial<EsTracesQuery> = {}) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const full: EsTracesQuery = { refId: 'A', queryType: 'traceId', ...query };
  const view = render(<QueryEditor query={full} onChange={onChange} onRunQuery={onRunQuery} datasource={{} as DataSource} />);
  return { onChange, onRunQuery, view, full };
}

describe('QueryEditor', () => {
  it('offers the Trace ID query type, selected', () => {
    setup();
    expect(screen.getByRole('radio', { name: 'Trace ID' })).toBeChecked();
  });

  it('writes the trimmed trace id into query', async () => {
    const { onChange } = setup();
    await userEvent.type(screen.getByRole('textbox', { name: 'Trace ID' }), ' a');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'traceId', query: 'a' });
  });

  it('runs the query when the field loses focus and on Enter', async () => {
    const { onRunQuery } = setup({ query: '4bf92f3577b34da6a3ce929d0e0e4736' });
    const input = screen.getByRole('textbox', { name: 'Trace ID' });
    await userEvent.click(input);
    await userEvent.keyboard('{Enter}');
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    await userEvent.tab();
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('shows why a malformed id is wrong', () => {
    setup({ query: 'xyz' });
    expect(screen.getByText("'xyz' is not a trace id: use hexadecimal digits 0-9 and a-f only.")).toBeInTheDocument();
  });

  it('shows no message for an empty id or a template variable', () => {
    expect(traceIdProblem('')).toBeUndefined();
    expect(traceIdProblem('$traceId')).toBeUndefined();
    setup({ query: '$traceId' });
    expect(screen.queryByText(/is not a trace id/)).not.toBeInTheDocument();
  });

  it('writes useTimeRange when the switch is toggled, and runs the query', async () => {
    const { onChange, onRunQuery } = setup({ query: 'abc' });
    await userEvent.click(screen.getByRole('switch'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'traceId', query: 'abc', useTimeRange: true });
    expect(onRunQuery).toHaveBeenCalled();
  });
});
