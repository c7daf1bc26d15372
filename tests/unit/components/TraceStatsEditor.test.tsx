import { screen, within } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';

import type { EsTracesQuery } from '../../../src/types';
import { findOption, getOption, giveElementsASize, labelled, renderQueryEditor, setupUser } from './harness';

giveElementsASize();

function fakeDatasource() {
  return {
    listServices: jest.fn().mockResolvedValue([]),
    listOperations: jest.fn().mockResolvedValue([]),
    // A key named like a built-in grouping, which must still group by the attribute.
    listTagKeys: jest.fn().mockResolvedValue(['http.route', 'service', 'deployment.environment']),
    listTagValues: jest.fn().mockResolvedValue([]),
  };
}

function setup(query: Partial<EsTracesQuery> = {}) {
  const datasource = fakeDatasource();
  return { ...renderQueryEditor({ refId: 'A', queryType: 'traceStats', ...query }, datasource), datasource };
}

const groupBy = () => labelled('combobox', 'Group by');

let user: UserEvent;
beforeEach(() => {
  user = setupUser();
});

describe('TraceStatsEditor', () => {
  it('is offered as Trace statistics, and keeps the trace id when chosen after Trace ID', async () => {
    const { onChange } = setup({ queryType: 'traceId', query: '4bf92f3577b34da6a3ce929d0e0e4736' });
    await user.click(labelled('radio', 'Trace statistics'));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'traceStats',
      query: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(labelled('textbox', 'Trace ID')).toHaveValue('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(groupBy()).toHaveValue('');
    expect(labelled('switch', 'Limit to time range')).not.toBeChecked();
  });

  it('checks the trace id as the Trace ID editor does, and writes the trimmed id into query', async () => {
    const { onChange } = setup();
    await user.type(labelled('textbox', 'Trace ID'), 'xyz');
    expect(screen.getByText("'xyz' is not a trace id: use hexadecimal digits 0-9 and a-f only.")).toBeInTheDocument();
    await user.clear(labelled('textbox', 'Trace ID'));
    await user.type(labelled('textbox', 'Trace ID'), ' 4BF92F3577B34DA6 ');
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'traceStats', query: '4BF92F3577B34DA6' });
    expect(screen.queryByText(/is not a trace id/)).not.toBeInTheDocument();
  });

  it('offers service and operation, service, then the attribute keys, and saves the choice and runs the query', async () => {
    const { onChange, onRunQuery, datasource } = setup({ query: 'abc' });
    await user.click(groupBy());
    await findOption(groupBy(), 'http.route');
    const menu = document.getElementById(groupBy().getAttribute('aria-controls')!)!;
    expect(
      within(menu)
        .getAllByRole('option')
        .map((option) => option.textContent)
    ).toEqual([
      "operationEach service's operations (the default)",
      'serviceEach service, its operations together',
      'http.route',
      'attribute:service',
      'deployment.environment',
    ]);
    expect(datasource.listTagKeys).toHaveBeenCalled();
    await user.click(getOption(groupBy(), 'deployment.environment'));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'traceStats',
      query: 'abc',
      statsGroupBy: 'deployment.environment',
    });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('offers an attribute key named service as attribute:service, so it groups by the attribute', async () => {
    const { onChange } = setup({ query: 'abc' });
    await user.click(groupBy());
    await user.click(await findOption(groupBy(), 'attribute:service'));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'traceStats',
      query: 'abc',
      statsGroupBy: 'attribute:service',
    });
  });

  it('shows the stored grouping', () => {
    setup({ query: 'abc', statsGroupBy: 'service' });
    expect(groupBy()).toHaveValue('service');
  });

  it('says service and operation is the grouping when none is stored', () => {
    setup({ query: 'abc' });
    expect(groupBy()).toHaveAttribute('placeholder', 'Service and operation');
  });
});
