import { RadioButtonGroup, Stack } from '@grafana/ui';
import React from 'react';

import type { LogContextScope } from '../query/logContext';

export interface LogContextScopePickerProps {
  scope: LogContextScope;
  /** Which contexts the line has: a line without a trace id has no trace context. */
  available: Record<LogContextScope, boolean>;
  onChange: (scope: LogContextScope) => void;
}

/** Above the lines of Grafana's context view: the lines around this one in its service, or in its trace. */
export function LogContextScopePicker({ scope, available, onChange }: LogContextScopePickerProps) {
  const options = [
    { label: 'Same service', value: 'service' as const, description: 'Lines of the same service just before and after this one', disabled: !available.service },
    { label: 'Same trace', value: 'trace' as const, description: 'Lines of the same trace just before and after this one', disabled: !available.trace },
  ];
  return (
    <Stack direction="row" gap={1} alignItems="center">
      <span>Context:</span>
      <RadioButtonGroup<LogContextScope> options={options} value={scope} onChange={onChange} size="sm" />
    </Stack>
  );
}
