import type { StepNode } from '@pipewright/core';

/** `${step.output…}` and `${step.artifacts.…}`: the references that read a parent's results. */
const READS = /\$\{\s*([A-Za-z_$][\w$-]*)\s*\.\s*(?:output|artifacts)\b/g;

const collect = (value: unknown, into: Set<string>): void => {
  if (typeof value === 'string') {
    for (const match of value.matchAll(READS)) if (match[1] !== 'pipeline') into.add(match[1] as string);
  } else if (Array.isArray(value)) {
    for (const item of value) collect(item, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) collect(item, into);
  }
};

/**
 * Steps whose results the node's parameters read through references. The engine resolves the
 * step's own parameters only (template defaults and a run's overrides are taken as they are),
 * and before the overrides replace them, so an overridden reference is still read. Parameters
 * given as a function are opaque: they read through the context instead.
 */
export const referencedSteps = (node: StepNode): Set<string> => {
  const steps = new Set<string>();
  if (typeof node.options.params === 'object') collect(node.options.params, steps);
  return steps;
};
