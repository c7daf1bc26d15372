/**
 * What the editor tests share: rendering the query editor the way Grafana does (each onChange
 * becomes the next `query`, so controlled fields keep what is chosen; spies record every call),
 * and giving jsdom's elements a size so Combobox menus render their rows.
 */
import { render } from '@testing-library/react';
import React, { useState } from 'react';

import { QueryEditor } from '../../../src/components/QueryEditor';
import type { DataSource } from '../../../src/datasource/DataSource';
import type { EsTracesQuery } from '../../../src/types';

export function renderQueryEditor(initial: EsTracesQuery, datasource: unknown = {}) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  function Harness() {
    const [current, setCurrent] = useState(initial);
    return (
      <QueryEditor
        query={current}
        onChange={(next) => {
          onChange(next);
          setCurrent(next);
        }}
        onRunQuery={onRunQuery}
        datasource={datasource as DataSource}
      />
    );
  }
  render(<Harness />);
  return { onChange, onRunQuery };
}

/** Combobox menus are virtualised and size themselves from the scroll element; jsdom lays nothing out. */
export function giveElementsASize(): void {
  beforeAll(() => {
    jest.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(300);
    jest.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(300);
  });
  afterAll(() => {
    jest.restoreAllMocks();
  });
}
