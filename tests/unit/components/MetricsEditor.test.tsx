import type { UserEvent } from '@testing-library/user-event';

import type { EsTracesQuery } from '../../../src/types';
import { findOption, giveElementsASize, labelled, queryLabelled, renderQueryEditor, setupUser } from './harness';

giveElementsASize();

function fakeDatasource() {
  return {
    listServices: jest.fn().mockResolvedValue(['checkout']),
    listOperations: jest.fn().mockResolvedValue(['GET /cart']),
    listTagKeys: jest.fn().mockResolvedValue(['http.route', 'deployment.environment']),
    listTagValues: jest.fn().mockResolvedValue([]),
  };
}

function setup(query: Partial<EsTracesQuery> = {}) {
  return renderQueryEditor({ refId: 'A', queryType: 'metrics', ...query }, fakeDatasource());
}

let user: UserEvent;
beforeEach(() => {
  user = setupUser();
});

describe('MetricsEditor', () => {
  it("shows the search form's filters without a trace limit, and saves the span kind", async () => {
    const { onChange, onRunQuery } = setup({ service: 'checkout' });
    expect(labelled('combobox', 'Service')).toHaveValue('checkout');
    expect(labelled('textbox', /^Attributes/)).toBeInTheDocument();
    expect(labelled('textbox', 'Min duration')).toBeInTheDocument();
    expect(queryLabelled('spinbutton', 'Limit')).not.toBeInTheDocument();

    await user.click(labelled('radio', 'Server'));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'metrics',
      service: 'checkout',
      kind: 'server',
    });
    await user.click(labelled('radio', 'Any kind'));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'A', queryType: 'metrics', service: 'checkout' });
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  it('offers service and operation, then the attribute keys, to group by', async () => {
    const { onChange } = setup();
    await user.click(labelled('combobox', 'Group by'));
    expect(await findOption(labelled('combobox', 'Group by'), 'service')).toBeInTheDocument();
    await user.click(await findOption(labelled('combobox', 'Group by'), 'deployment.environment'));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'metrics',
      metricsGroupBy: 'deployment.environment',
    });
  });

  it('switches to the operations table, which has no other grouping', async () => {
    const { onChange, onRunQuery } = setup({ metricsGroupBy: 'service' });
    await user.click(labelled('switch', 'Operations table'));
    expect(onChange).toHaveBeenLastCalledWith({
      refId: 'A',
      queryType: 'metrics',
      metricsGroupBy: 'service',
      metricsTable: true,
    });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(queryLabelled('combobox', 'Group by')).not.toBeInTheDocument();
  });
});
