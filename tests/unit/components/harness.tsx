/**
 * What the editor tests share: rendering the query editor the way Grafana does (each onChange
 * becomes the next `query`, so controlled fields keep what is chosen; spies record every call),
 * giving jsdom's elements a size so Combobox menus render their rows, a user per test, and
 * finding a labelled control of a given role.
 */
import { render, screen, within } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
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

/**
 * A user whose keystrokes follow each other at once (`delay: null`). The default puts a timer
 * between every two, which on a busy machine waits for the CPU as often as a field has
 * characters; typing speed is not what these tests check. Set one up per test, before it renders.
 */
export function setupUser(): UserEvent {
  return userEvent.setup({ delay: null });
}

/** The elements of each role, as the editors render them (Grafana's inputs, Combobox, Switch). */
const ROLE_ELEMENTS = {
  combobox: '[role="combobox"]',
  textbox: 'input:not([type]):not([role]), input[type="text"]:not([role]), textarea:not([role])',
  spinbutton: 'input[type="number"]:not([role])',
  radio: 'input[type="radio"]:not([role])',
  switch: '[role="switch"]',
};

type ControlRole = keyof typeof ROLE_ELEMENTS;

/**
 * The control of this role whose label is `name`: for the editors' labelled inputs, the element
 * getByRole(role, { name }) finds, at a tenth of the cost. A role query computes the style of
 * every element in the editor to leave hidden ones out (jsdom matches each element and its
 * ancestors against every emotion rule of @grafana/ui); a label query follows the label's `for`.
 */
export function labelled(role: ControlRole, name: string | RegExp): HTMLElement {
  return screen.getByLabelText(name, { selector: ROLE_ELEMENTS[role] });
}

/** Like `labelled`, or null when no such control is shown. */
export function queryLabelled(role: ControlRole, name: string | RegExp): HTMLElement | null {
  return screen.queryByLabelText(name, { selector: ROLE_ELEMENTS[role] });
}

/** The menu a Combobox input controls (rendered in a portal, open or closed). */
function menuOf(picker: HTMLElement): HTMLElement {
  const menu = document.getElementById(picker.getAttribute('aria-controls') ?? '');
  if (!menu) {
    throw new Error(`the picker ${picker.id} controls no menu`);
  }
  return menu;
}

/**
 * The option called `name` in this picker's menu, once it shows. The role query runs over the menu
 * alone: over the whole document, each retry of findByRole while the options load computed the
 * style of every element of the editor.
 */
export function findOption(picker: HTMLElement, name: string | RegExp): Promise<HTMLElement> {
  return within(menuOf(picker)).findByRole('option', { name });
}

/** The option called `name` in this picker's menu, which is open. */
export function getOption(picker: HTMLElement, name: string | RegExp): HTMLElement {
  return within(menuOf(picker)).getByRole('option', { name });
}
