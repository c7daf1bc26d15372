/**
 * Inputs the query editors share: a text field that saves only valid drafts, an asynchronous
 * picker that takes typed values, the hook that feeds it, and the trace id check.
 */
import { type ComboboxOption, Combobox, Field, Input } from '@grafana/ui';
import React, { type ChangeEvent, type KeyboardEvent, useCallback, useRef, useState } from 'react';

import { validateTraceId } from '../proto/ids';

export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

/** The message for a malformed id; none for an empty field or a template variable. */
export function traceIdProblem(value: string): string | undefined {
  if (value.trim() === '' || value.includes('$')) {
    return undefined;
  }
  const check = validateTraceId(value);
  return check.ok ? undefined : check.message;
}

interface TraceIdFieldProps {
  /** The query whose `query` is the trace id. */
  query: { query?: string };
  /** Called with the trimmed id as it is typed. */
  onChange: (traceId: string) => void;
  onRunQuery: () => void;
  id: string;
  placeholder: string;
  description?: string;
}

/** A trace id input: trimmed as typed, a malformed id named under it, run on blur and on Enter. */
export function TraceIdField({ query, onChange, onRunQuery, id, placeholder, description }: TraceIdFieldProps) {
  const traceId = query.query ?? '';
  const problem = traceIdProblem(traceId);
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      onRunQuery();
    }
  };
  return (
    <Field label="Trace ID" description={description} invalid={problem !== undefined} error={problem} noMargin>
      <Input
        id={id}
        value={traceId}
        placeholder={placeholder}
        onChange={(event: ChangeEvent<HTMLInputElement>) => onChange(event.currentTarget.value.trim())}
        onBlur={onRunQuery}
        onKeyDown={onKeyDown}
        width={46}
      />
    </Field>
  );
}

/**
 * Options for an asynchronous picker: the list the datasource gives for `arg`, narrowed to what is
 * typed. A list is fetched once each time the menu opens; a failure is reported through `error`
 * (shown beside the picker) and leaves the menu empty instead of throwing.
 */
export function useListOptions(load: (arg: string) => Promise<string[]>, arg: string) {
  const [error, setError] = useState<string | undefined>();
  const cache = useRef(new Map<string, Promise<string[]>>());

  const options = async (input: string): Promise<Array<ComboboxOption<string>>> => {
    let pending = cache.current.get(arg);
    if (!pending) {
      pending = load(arg);
      cache.current.set(arg, pending);
    }
    try {
      const values = await pending;
      setError(undefined);
      const needle = input.trim().toLowerCase();
      return values
        .filter((value) => needle === '' || value.toLowerCase().includes(needle))
        .map((value) => ({ label: value, value }));
    } catch (caught) {
      cache.current.delete(arg);
      setError(messageOf(caught));
      return [];
    }
  };
  // Each opening fetches afresh, so new services and operations show up without a reload.
  const onIsOpenChange = useCallback((open: boolean) => {
    if (open) {
      cache.current.clear();
    }
  }, []);

  return { options, onIsOpenChange, error };
}

interface CheckedInputProps {
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
 * blur or Enter only when it is valid and changed. The parent keys it by the stored value, so a
 * value changed from outside starts a fresh draft.
 */
export function CheckedInput({ id, label, description, placeholder, value, width, type, check, onCommit }: CheckedInputProps) {
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
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      commit();
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
        onKeyDown={onKeyDown}
        width={width}
      />
    </Field>
  );
}

interface PickerProps {
  id: string;
  label: string;
  placeholder: string;
  value: string | undefined;
  disabled?: boolean;
  width?: number;
  list: ReturnType<typeof useListOptions>;
  onChange: (value: string | undefined) => void;
}

/** An asynchronous, clearable picker that also takes typed values such as `$service`. */
export function Picker({ id, label, placeholder, value, disabled, width = 30, list, onChange }: PickerProps) {
  return (
    <Field label={label} invalid={list.error !== undefined} error={list.error} noMargin>
      <Combobox<string>
        id={id}
        placeholder={placeholder}
        value={value ?? null}
        options={list.options}
        onIsOpenChange={list.onIsOpenChange}
        createCustomValue
        isClearable
        disabled={disabled}
        width={width}
        onChange={(option) => onChange(option?.value || undefined)}
      />
    </Field>
  );
}
