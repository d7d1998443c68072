import type { Params, StepNode } from '@pipewright/core';

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
 * Steps whose results the node's parameters read through references, once the test's own
 * parameter overrides have replaced what they replace. Parameters given as a function are
 * opaque: they read through the context, which is guarded at run time instead.
 */
export const referencedSteps = (node: StepNode, overrides: Params): Set<string> => {
  const defaults = node.body.kind === 'template' ? node.body.template.defaults : {};
  const own = typeof node.options.params === 'object' ? node.options.params : {};
  const steps = new Set<string>();
  collect({ ...defaults, ...own, ...overrides }, steps);
  return steps;
};
