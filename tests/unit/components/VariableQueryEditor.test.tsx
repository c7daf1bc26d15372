import { render, screen } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import React, { useState } from 'react';

import {
  normalizeVariableQuery,
  variableDefinition,
  VariableQueryEditor,
} from '../../../src/components/VariableQueryEditor';
import type { EsTracesVariableQuery } from '../../../src/types';
import { labelled, queryLabelled, setupUser } from './harness';

/**
 * Renders the editor the way Grafana does: each onChange becomes the next `query`. Grafana hands a
 * new variable `''` or `{}`, so the initial query is deliberately loosely typed.
 */
function setup(initial: unknown = {}) {
  const onChange = jest.fn();
  function Harness() {
    const [current, setCurrent] = useState(initial as EsTracesVariableQuery);
    return (
      <VariableQueryEditor
        query={current}
        onChange={(next, definition) => {
          onChange(next, definition);
          setCurrent(next);
        }}
        datasource={{}}
        onRunQuery={() => undefined}
      />
    );
  }
  render(<Harness />);
  return { onChange };
}

const serviceInput = () => labelled('textbox', /Service/);
const attributeInput = () => labelled('textbox', /Attribute/);

let user: UserEvent;
beforeEach(() => {
  user = setupUser();
});

describe('VariableQueryEditor list kind', () => {
  it('shows services selected for a new variable, with no text inputs', () => {
    setup({});
    expect(labelled('radio', 'Services')).toBeChecked();
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
  });

  it.each([[''], [undefined], [null]])('treats the empty query %p as a services variable', (query) => {
    setup(query);
    expect(labelled('radio', 'Services')).toBeChecked();
  });

  it('reads a legacy string query naming a kind', () => {
    setup('tagKeys');
    expect(labelled('radio', 'Attribute keys')).toBeChecked();
  });

  it('treats an unknown legacy string as services', () => {
    setup('label_values(service)');
    expect(labelled('radio', 'Services')).toBeChecked();
  });

  it('saves tag keys with its definition when chosen', async () => {
    const { onChange } = setup({ refId: 'EsTracesVariableQueryEditor-VariableQuery', kind: 'services' });
    await user.click(labelled('radio', 'Attribute keys'));
    expect(onChange).toHaveBeenLastCalledWith(
      { refId: 'EsTracesVariableQueryEditor-VariableQuery', kind: 'tagKeys' },
      'tag keys'
    );
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
  });

  it('drops the service when switching from operations back to services', async () => {
    const { onChange } = setup({ kind: 'operations', service: 'checkout' });
    await user.click(labelled('radio', 'Services'));
    expect(onChange).toHaveBeenLastCalledWith({ kind: 'services' }, 'services');
  });
});

describe('VariableQueryEditor operations', () => {
  it('shows the service input when operations is chosen', async () => {
    const { onChange } = setup({});
    await user.click(labelled('radio', 'Operations of a service'));
    expect(onChange).toHaveBeenLastCalledWith({ kind: 'operations' }, 'operations');
    expect(serviceInput()).toBeInTheDocument();
    expect(screen.getByText('Service is required')).toBeInTheDocument();
  });

  it('saves kind and service on blur, not on every keystroke', async () => {
    const { onChange } = setup({ kind: 'operations' });
    await user.type(serviceInput(), '  checkout ');
    expect(onChange).not.toHaveBeenCalled();
    await user.tab();
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenLastCalledWith(
      { kind: 'operations', service: 'checkout' },
      'operations(service=checkout)'
    );
    expect(serviceInput()).toHaveValue('checkout');
    expect(screen.queryByText('Service is required')).not.toBeInTheDocument();
  });

  it('saves the service on Enter', async () => {
    const { onChange } = setup({ kind: 'operations' });
    await user.type(serviceInput(), 'cart{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ kind: 'operations', service: 'cart' }, 'operations(service=cart)');
  });

  it('accepts a $variable as the service', async () => {
    const { onChange } = setup({ kind: 'operations' });
    await user.type(serviceInput(), '$service');
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith(
      { kind: 'operations', service: '$service' },
      'operations(service=$service)'
    );
    expect(screen.queryByText('Service is required')).not.toBeInTheDocument();
  });

  it('does not report a blur that changed nothing', async () => {
    const { onChange } = setup({ kind: 'operations', service: 'checkout' });
    expect(serviceInput()).toHaveValue('checkout');
    await user.click(serviceInput());
    await user.tab();
    expect(onChange).not.toHaveBeenCalled();
  });
});

describe('VariableQueryEditor attribute values', () => {
  it('shows the attribute input and saves the tag on blur', async () => {
    const { onChange } = setup({});
    await user.click(labelled('radio', 'Attribute values'));
    expect(screen.getByText('Attribute is required')).toBeInTheDocument();
    await user.type(attributeInput(), 'http.method');
    expect(onChange).toHaveBeenCalledTimes(1);
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ kind: 'tagValues', tag: 'http.method' }, 'tag values(http.method)');
    expect(queryLabelled('textbox', /Service/)).not.toBeInTheDocument();
  });
});

describe('variableDefinition', () => {
  it('describes each kind readably', () => {
    expect(variableDefinition({ kind: 'services' })).toBe('services');
    expect(variableDefinition({ kind: 'operations', service: 'checkout' })).toBe('operations(service=checkout)');
    expect(variableDefinition({ kind: 'operations' })).toBe('operations');
    expect(variableDefinition({ kind: 'tagKeys' })).toBe('tag keys');
    expect(variableDefinition({ kind: 'tagValues', tag: 'http.method' })).toBe('tag values(http.method)');
    expect(variableDefinition({ kind: 'tagValues' })).toBe('tag values');
  });

  it('describes an empty or legacy query as services', () => {
    expect(variableDefinition('' as unknown as EsTracesVariableQuery)).toBe('services');
    expect(variableDefinition({} as EsTracesVariableQuery)).toBe('services');
  });
});

describe('normalizeVariableQuery', () => {
  it('gives a query without a kind the services kind, keeping the rest', () => {
    expect(normalizeVariableQuery({})).toEqual({ kind: 'services' });
    expect(normalizeVariableQuery({ refId: 'A' })).toEqual({ refId: 'A', kind: 'services' });
    expect(normalizeVariableQuery({ kind: 'operations', service: 'cart' })).toEqual({
      kind: 'operations',
      service: 'cart',
    });
  });
});
